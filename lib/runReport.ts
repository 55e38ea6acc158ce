import type { RunCheck } from "./contracts/runChecks";
import { originLabels, type RunOriginKind } from "./contracts/runOrigin";
import { isTerminal, statusLabel, type RunStatus } from "./contracts/runLifecycle";
import type { DiffFile, SecretFinding } from "./events";
import { mdBlock, mdCode, mdText } from "./markdownText";

/**
 * A run's report (issue 15): what was asked, what happened, what changed, the checks, the cost
 * and every decision people made, as one Markdown document to keep beside the patch. Pure: the
 * service (lib/services/runArtifacts.ts) reads the run's records and passes them in. Texts are
 * as recorded (already masked where they were recorded); everything anyone typed is escaped or
 * fenced, so a prompt holding ``` or HTML cannot change the document's shape.
 */

export type RunReportInput = {
  run: {
    id: string;
    title: string;
    prompt: string;
    command: string | null;
    repo: string;
    baseBranch: string;
    baseSha: string | null;
    branch: string;
    headSha: string | null;
    executor: string;
    acpAgent: string | null;
    model: string | null;
    approvalMode: string;
    requestedBy: string;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    workedMs: number | null;
    status: RunStatus;
    error: string | null;
    origin: { kind: RunOriginKind; runId: string } | null;
    scheduled: boolean;
    usage: { inputTokens: number; outputTokens: number; cacheReadTokens: number; costUsd: number; turns: number | null };
  };
  diff: { files: DiffFile[]; additions: number; deletions: number; truncated: boolean; headSha: string } | null;
  checks: RunCheck[];
  inputs: {
    requestId: string;
    kind: "approval" | "question" | "budget";
    status: "pending" | "answered" | "timed_out" | "cancelled";
    tool: string | null;
    question: string | null;
    reasons: string[];
    requestedAt: string;
    resolvedAt: string | null;
    decision: "approve" | "deny" | null;
    answer: string | null;
    note: string | null;
    by: string | null;
  }[];
  decisions: { number: number; action: "push" | "request_changes" | "discard"; by: string; feedback: string | null; pullRequest: boolean; headSha: string; createdAt: string }[];
  secretFindings: SecretFinding[];
  /** The web's address (APP_URL), for links to the run and its patch. */
  appUrl: string;
  generatedAt: string;
};

const sha = (s: string | null) => (s ? mdCode(s.slice(0, 12)) : "unknown");
const usd = (n: number) => `$${n.toFixed(n > 0 && n < 1 ? 4 : 2)}`;
const count = (n: number) => n.toLocaleString("en");

function duration(ms: number | null): string {
  if (ms === null) return "not started";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function taskSection(r: RunReportInput["run"], appUrl: string): string[] {
  const executor = r.acpAgent ? `${r.executor} (${mdText(r.acpAgent)})` : mdText(r.executor);
  const lines = [
    "## Task",
    "",
    `- Repository: ${mdText(r.repo)}, base branch ${mdCode(r.baseBranch)} at ${sha(r.baseSha)}`,
    `- Executor: ${executor}${r.model ? `, model ${mdCode(r.model)}` : ""}, approval mode ${mdText(r.approvalMode)}`,
    `- Requested by ${mdText(r.requestedBy)} at ${r.createdAt}`,
  ];
  if (r.origin) lines.push(`- ${originLabels[r.origin.kind].of} run [${mdCode(r.origin.runId.slice(0, 8))}](${appUrl}/runs/${encodeURIComponent(r.origin.runId)})`);
  if (r.scheduled) lines.push("- Started by a schedule");
  if (r.command) lines.push(`- Command:`, "", mdBlock(r.command, "sh"));
  lines.push("", "### Prompt", "", mdBlock(r.prompt));
  return lines;
}

function outcomeSection(r: RunReportInput["run"]): string[] {
  const lines = ["## Outcome", "", `- Status: **${statusLabel(r.status)}**`, `- Worked: ${duration(r.workedMs)}`];
  if (r.startedAt) lines.push(`- Started ${r.startedAt}${r.finishedAt ? `, ended ${r.finishedAt}` : ""}`);
  if (r.error) lines.push("- Error:", "", mdBlock(r.error));
  return lines;
}

function changesSection(input: RunReportInput): string[] {
  const { run: r, diff } = input;
  const lines = ["## Changes", ""];
  if (!diff || diff.files.length === 0) return [...lines, "No changes were recorded."];
  lines.push(
    `Branch ${mdCode(r.branch)}, commit ${sha(diff.headSha)} on ${sha(r.baseSha)}: ${diff.files.length} ${diff.files.length === 1 ? "file" : "files"}, +${diff.additions} −${diff.deletions}.`,
    "",
    ...diff.files.map((f) => {
      const renamed = f.oldPath && f.oldPath !== f.path ? ` (from ${mdCode(f.oldPath)})` : "";
      const counts = f.binary ? "binary" : `+${f.additions} −${f.deletions}`;
      return `- ${mdCode(f.path)}${renamed}: ${f.status.replace(/_/g, " ")}, ${counts}`;
    }),
    "",
    `Patch: [${r.id}.patch](${input.appUrl}/api/runs/${encodeURIComponent(r.id)}/diff?format=patch)`,
  );
  if (diff.truncated) lines.push("", "The recorded diff was cut at its size limit; the patch holds what was recorded.");
  return lines;
}

const phaseWords = { pre: "Pre-run", post: "Post-run", error: "Error hook" } as const;

function checksSection(checks: RunCheck[]): string[] {
  const lines = ["## Checks", ""];
  if (checks.length === 0) return [...lines, "No checks ran."];
  for (const c of checks) {
    const result = c.status === "running" ? "did not finish" : c.status === "passed" ? "passed" : c.timedOut ? "failed (timed out)" : `failed (exit ${c.exitCode ?? "signal"})`;
    lines.push(`- ${phaseWords[c.phase]} check ${mdText(c.name)}: **${result}**${c.durationMs !== null ? ` in ${duration(c.durationMs)}` : ""}, ${mdCode(c.command)} (${c.source === "repository" ? "from the repository" : "set by an admin"})`);
    if (c.error) lines.push("", `  ${mdText(c.error)}`);
    if (c.status === "failed" && c.output) lines.push("", mdBlock(c.output).replace(/^/gm, "  "), "");
  }
  return lines;
}

function costSection(u: RunReportInput["run"]["usage"]): string[] {
  return [
    "## Cost",
    "",
    `- ${usd(u.costUsd)}`,
    `- Tokens: ${count(u.inputTokens)} in, ${count(u.outputTokens)} out, ${count(u.cacheReadTokens)} read from cache`,
    `- Model turns: ${u.turns === null ? "none recorded" : count(u.turns)}`,
  ];
}

function inputLine(i: RunReportInput["inputs"][number]): string[] {
  const what =
    i.kind === "question" ? `Question ${i.question ? `“${mdText(i.question)}”` : ""}` : i.kind === "budget" ? "Spending limit reached" : `Approval of ${i.tool ? mdCode(i.tool) : "a tool call"}`;
  const by = i.by ? ` by ${mdText(i.by)}` : "";
  const when = i.resolvedAt ? ` at ${i.resolvedAt}` : "";
  const outcome =
    i.status === "pending"
      ? "still open"
      : i.status === "timed_out"
        ? "no answer in time (denied)"
        : i.status === "cancelled"
          ? "cancelled with the run"
          : i.kind === "question"
            ? `answered${by}${when}`
            : `${i.decision === "approve" ? "approved" : "denied"}${by}${when}`;
  const lines = [`- ${what} (asked ${i.requestedAt}): **${outcome}**`];
  if (i.reasons.length > 0) lines.push(`  - why it asked: ${i.reasons.map(mdText).join("; ")}`);
  if (i.answer) lines.push(`  - answer: ${mdText(i.answer)}`);
  if (i.note) lines.push(`  - note: ${mdText(i.note)}`);
  return lines;
}

const reviewWords = { push: "Push", request_changes: "Request changes", discard: "Discard" } as const;

function decisionsSection(input: RunReportInput): string[] {
  const lines = ["## Decisions", ""];
  if (input.inputs.length === 0 && input.decisions.length === 0) return [...lines, "Nobody was asked anything, and no review decision was made."];
  if (input.inputs.length > 0) lines.push("### Approvals and questions", "", ...input.inputs.flatMap(inputLine), "");
  if (input.decisions.length > 0) {
    lines.push("### Review", "");
    for (const d of input.decisions) {
      lines.push(`- Decision ${d.number}: **${reviewWords[d.action]}**${d.pullRequest ? " with a pull request" : ""} by ${mdText(d.by)} at ${d.createdAt}, on ${sha(d.headSha)}`);
      if (d.feedback) lines.push(`  - feedback: ${mdText(d.feedback)}`);
    }
  }
  return lines;
}

function secretsSection(findings: SecretFinding[]): string[] {
  const lines = ["## Secret findings", ""];
  if (findings.length === 0) return [...lines, "No known secret was found in the changes."];
  return [
    ...lines,
    "Push protection found known secrets' values in the changes (names only, never the values):",
    "",
    ...findings.map((f) => `- ${mdCode(f.secret)} in ${mdCode(f.file)}${f.line > 0 ? ` line ${f.line}` : " (its name)"}`),
  ];
}

export function renderRunReport(input: RunReportInput): string {
  const r = input.run;
  const sections = [
    [`# Run report: ${mdText(r.title)}`, "", `Run [${mdCode(r.id)}](${input.appUrl}/runs/${encodeURIComponent(r.id)}), report made ${input.generatedAt}.`],
    taskSection(r, input.appUrl),
    outcomeSection(r),
    changesSection(input),
    checksSection(input.checks),
    costSection(r.usage),
    decisionsSection(input),
    secretsSection(input.secretFindings),
  ];
  return `${sections.map((s) => s.join("\n").trimEnd()).join("\n\n")}\n`;
}

/** The file name the download gets: `agentdesk-run-<id>.md`. */
export const runReportFileName = (runId: string) => `agentdesk-run-${runId.replace(/[^A-Za-z0-9_-]/g, "")}.md`;

/** A run has a report once its work is over: it awaits review or has ended. */
export const hasRunReport = (status: RunStatus): boolean => isTerminal(status) || status === "awaiting_review";
