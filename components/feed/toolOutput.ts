import type { FeedItem } from "./feedModel";
import type { TerminalChunk } from "./Terminal";

type ToolItem = Extract<FeedItem, { kind: "tool" }>;

/**
 * What the step's terminal shows: the streamed output when there is any (it carries its own
 * note when the stream was capped), else the output `tool.finished` reported. `cut` only when
 * what is shown is that reported output and the event says it is not all of it.
 */
export function toolOutput(item: Pick<ToolItem, "output" | "finished">): { chunks: TerminalChunk[]; cut: boolean } {
  const chunks: TerminalChunk[] = item.output.map((log, i) => ({ key: String(i), text: log.message, stream: log.stream, level: log.level }));
  if (chunks.length > 0 || !item.finished?.output) return { chunks, cut: false };
  return { chunks: [{ key: "final", text: item.finished.output, stream: "stdout" }], cut: item.finished.truncated === true };
}
