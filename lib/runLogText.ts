import type { RunEvent } from "./events";
import { statusDetail } from "./runTranscript";

/**
 * A run's log as plain text: one line per event with its time, type and essentials; command
 * output included line by line. For download and for grep, not for the browser's feed.
 */
export function formatRunLog(events: readonly RunEvent[]): string {
  const lines: string[] = [];
  for (const e of events) {
    const head = `${e.at} ${e.type.padEnd(19)}`;
    for (const text of essentials(e)) lines.push(`${head} ${text}`.trimEnd());
  }
  return lines.join("\n") + (lines.length > 0 ? "\n" : "");
}

function essentials(e: RunEvent): string[] {
  switch (e.type) {
    case "assistant.text":
      return oneLine(e.text);
    case "tool.started":
      return [`${e.callId} ${e.tool} ${JSON.stringify(e.input)}`];
    case "tool.finished":
      return [
        `${e.callId} ${e.ok ? "ok" : "failed"} in ${e.durationMs} ms${e.exitCode !== undefined && e.exitCode !== null ? ` (exit ${e.exitCode})` : ""}${e.truncated ? " (output truncated)" : ""}`,
        ...(e.output ? e.output.replace(/\n$/, "").split("\n").map((l) => `${e.callId} | ${l}`) : []),
      ];
    case "log":
      return e.message
        .replace(/\n$/, "")
        .split("\n")
        .map((l) => (e.stream ? `${e.callId ?? "-"} ${e.stream}| ${l}` : `[${e.level}] ${l}`));
    case "usage":
      return [
        `${e.turn !== undefined ? `turn ${e.turn}: ` : ""}input ${e.inputTokens}, output ${e.outputTokens}, cache read ${e.cacheReadTokens}` +
          `${e.cacheWriteTokens !== undefined ? `, cache write ${e.cacheWriteTokens}` : ""}, cost $${e.costUsd.toFixed(4)} (totals)`,
      ];
    default:
      return [statusDetail(e) ?? ""];
  }
}

function oneLine(text: string): string[] {
  return [JSON.stringify(text)];
}
