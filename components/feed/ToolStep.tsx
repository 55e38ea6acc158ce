import { formatDuration } from "../format";
import { FeedRow } from "./FeedRow";
import type { FeedItem } from "./feedModel";
import { icons } from "./icons";
import { StepOutcome } from "./StepOutcome";
import { Terminal, type TerminalChunk } from "./Terminal";

type ToolItem = Extract<FeedItem, { kind: "tool" }>;

/** The shell command of a shell-like tool call, else null. */
function commandOf(input: unknown): string | null {
  if (typeof input === "string") return input;
  if (input && typeof input === "object" && "command" in input && typeof input.command === "string") return input.command;
  return null;
}

function ToolInput({ input }: { input: unknown }) {
  const command = commandOf(input);
  if (command !== null) {
    return (
      <pre className="rounded-md bg-zinc-950 px-3 py-2 font-mono text-xs break-all whitespace-pre-wrap text-zinc-200 ring-1 ring-zinc-800">
        <span className="text-emerald-400 select-none">$ </span>
        {command}
      </pre>
    );
  }
  if (input === undefined || input === null) return null;
  return (
    <pre className="max-h-48 overflow-auto rounded-md bg-zinc-950 px-3 py-2 font-mono text-xs text-zinc-300 ring-1 ring-zinc-800">
      {JSON.stringify(input, null, 2)}
    </pre>
  );
}

function Outcome({ item }: { item: ToolItem }) {
  const done = item.finished;
  return (
    <StepOutcome done={done} labels={{ ok: "ok", failed: "error" }} marker="data-tool-outcome">
      {done && <span className="text-zinc-400">{formatDuration(done.durationMs)}</span>}
    </StepOutcome>
  );
}

/** A tool call: what was asked, its live output in a terminal, and how it ended. */
export function ToolStep({ item }: { item: ToolItem }) {
  const { started, finished } = item;
  const chunks: TerminalChunk[] = item.output.map((log, i) => ({ key: String(i), text: log.message, stream: log.stream, level: log.level }));
  // Tools that do not stream still report their output (the tail) when they finish.
  if (chunks.length === 0 && finished?.output) chunks.push({ key: "final", text: finished.output, stream: "stdout" });
  const showTerminal = chunks.length > 0 || !finished;
  return (
    <FeedRow icon={icons.terminal} tone={finished ? (finished.ok ? "success" : "danger") : "info"} at={started?.at ?? item.output[0]?.at ?? finished?.at ?? ""} type="tool">
      <div data-call-id={item.callId} className="space-y-2 rounded-lg border border-zinc-800 bg-zinc-900/70 p-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="text-sm font-medium text-zinc-100">
            <span className="font-mono">{started?.tool ?? "tool"}</span>
          </p>
          <Outcome item={item} />
        </div>
        {started && <ToolInput input={started.input} />}
        {showTerminal && <Terminal chunks={chunks} callId={item.callId} />}
        {finished?.truncated && <p className="text-xs text-zinc-500">Only the end of the output was kept.</p>}
      </div>
    </FeedRow>
  );
}
