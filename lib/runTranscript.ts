import type { RunEvent } from "./events";

/**
 * A run's conversation as a person (or a script) reads it afterwards: the prompt, what the
 * assistant said, each tool call with its input, output and streamed command output, usage
 * per turn. Rebuilt from the run's recorded events, so every executor has one and nothing
 * new has to be stored. Pure, so it is tested without a database.
 */
export type TranscriptEntry =
  | { kind: "assistant"; at: string; text: string }
  | {
      kind: "tool";
      at: string;
      callId: string;
      tool: string;
      input: unknown;
      ok?: boolean;
      output?: string;
      /** Output the command streamed while it ran (stdout and stderr interleaved). */
      streamed?: string;
      durationMs?: number;
      exitCode?: number | null;
      truncated?: boolean;
    }
  | {
      kind: "usage";
      at: string;
      turn?: number;
      /** This turn's figures (the difference from the previous totals). */
      delta: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; costUsd: number };
      totals: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; costUsd: number };
    }
  | { kind: "log"; at: string; level: string; message: string }
  | { kind: "status"; at: string; type: string; detail: string };

export type Transcript = { runId: string; prompt: string | null; entries: TranscriptEntry[] };

export function buildTranscript(runId: string, prompt: string | null, events: readonly RunEvent[]): Transcript {
  const entries: TranscriptEntry[] = [];
  const tools = new Map<string, Extract<TranscriptEntry, { kind: "tool" }>>();
  let previous = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
  for (const e of events) {
    switch (e.type) {
      case "assistant.text": {
        const last = entries[entries.length - 1];
        // Streamed pieces of one answer read as one text.
        if (last?.kind === "assistant") last.text += e.text;
        else entries.push({ kind: "assistant", at: e.at, text: e.text });
        break;
      }
      case "tool.started": {
        const entry = { kind: "tool" as const, at: e.at, callId: e.callId, tool: e.tool, input: e.input };
        tools.set(e.callId, entry);
        entries.push(entry);
        break;
      }
      case "tool.finished": {
        const entry = tools.get(e.callId);
        if (entry) Object.assign(entry, { ok: e.ok, output: e.output, durationMs: e.durationMs, exitCode: e.exitCode, truncated: e.truncated });
        break;
      }
      case "log": {
        const entry = e.callId ? tools.get(e.callId) : undefined;
        if (entry && e.stream) entry.streamed = (entry.streamed ?? "") + e.message;
        else entries.push({ kind: "log", at: e.at, level: e.level, message: e.message });
        break;
      }
      case "usage": {
        const totals = {
          inputTokens: e.inputTokens,
          outputTokens: e.outputTokens,
          cacheReadTokens: e.cacheReadTokens,
          cacheWriteTokens: e.cacheWriteTokens ?? 0,
          costUsd: e.costUsd,
        };
        const delta = {
          inputTokens: totals.inputTokens - previous.inputTokens,
          outputTokens: totals.outputTokens - previous.outputTokens,
          cacheReadTokens: totals.cacheReadTokens - previous.cacheReadTokens,
          cacheWriteTokens: totals.cacheWriteTokens - previous.cacheWriteTokens,
          costUsd: totals.costUsd - previous.costUsd,
        };
        previous = totals;
        entries.push({ kind: "usage", at: e.at, turn: e.turn, delta, totals });
        break;
      }
      default: {
        const detail = statusDetail(e);
        if (detail !== null) entries.push({ kind: "status", at: e.at, type: e.type, detail });
      }
    }
  }
  return { runId, prompt, entries };
}

/** The essentials of a lifecycle event in a few words; null for events with nothing to say. */
export function statusDetail(e: RunEvent): string | null {
  switch (e.type) {
    case "run.queued":
      return `${e.executor} on ${e.repo}`;
    case "run.waiting":
      return `waiting for ${e.on.join(", ")}`;
    case "run.released":
      return `queued after ${e.after.join(", ")} finished`;
    case "run.started":
      return `attempt ${e.attempt} on ${e.worker}${e.resumed ? " (resumed)" : ""}`;
    case "workspace.ready":
      return `branch ${e.branch} from ${e.baseBranch} at ${e.baseSha.slice(0, 12)}`;
    case "environment.started":
      return `${e.cache === "hit" ? "restoring from the cache" : e.cache === "maintenance" ? "maintaining an older cache" : "setting up"} (${e.source}; output under ${e.stepId})`;
    case "environment.finished":
      return e.ok
        ? `ready in ${e.durationMs} ms (${e.cache === "hit" ? "from the cache" : e.cache === "maintenance" ? "cache maintained" : "set up"}${e.bytes !== undefined ? `, ${e.bytes} bytes` : ""})`
        : `failed after ${e.durationMs} ms: ${e.error ?? "unknown error"}`;
    case "input.requested":
      return `${e.kind} ${e.requestId}${e.tool ? ` for ${e.tool}` : ""}${e.question ? `: ${e.question}` : ""}`;
    case "input.resolved":
      return `${e.requestId} ${e.decision ?? "answered"} by ${e.by}${e.answer ? `: ${e.answer}` : ""}`;
    case "diff.ready":
      return `${e.files.length} files, +${e.additions} -${e.deletions}, head ${e.headSha.slice(0, 12)}`;
    case "run.awaiting_review":
      return `branch ${e.branch} at ${e.headSha.slice(0, 12)}`;
    case "push.started":
      return `${e.branch} to ${e.remote}`;
    case "push.finished":
      return e.ok ? `pushed ${e.branch}${e.pullRequestUrl ? ` (${e.pullRequestUrl})` : ""}` : `push failed: ${e.error ?? "unknown error"}`;
    case "agent.plan":
      return e.entries.map((entry) => `[${entry.status}] ${entry.content}`).join("; ");
    case "run.completed":
      return e.reason;
    case "run.failed":
      return e.error;
    case "run.cancelled":
      return e.reason;
    default:
      return null;
  }
}
