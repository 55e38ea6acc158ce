import type { InputKind } from "@/lib/contracts/inputRequests";
import { Time } from "../ui/Time";
import { inputText } from "./requestInput";
import type { InputOutcome } from "./types";

function headline(o: InputOutcome, kind: InputKind): string {
  if (kind === "budget") {
    if (o.by === "timeout") return "Stopped: nobody raised the limit in time";
    return o.decision === "approve" ? "Limit raised" : "Run stopped";
  }
  if (o.by === "timeout") return "Denied: nobody answered in time";
  if (o.decision === "approve") return o.editedInput !== undefined && o.editedInput !== null ? "Approved with changes" : "Approved";
  if (o.decision === "deny") return "Denied";
  return "Answered";
}

/** Who decided what, and when. */
export function Outcome({ outcome, kind = "approval" }: { outcome: InputOutcome; kind?: InputKind }) {
  const edited = outcome.editedInput !== undefined && outcome.editedInput !== null;
  return (
    <div data-input-outcome={outcome.decision ?? "answer"} className="space-y-1.5 text-sm">
      <p className="text-zinc-200">
        <span className={outcome.decision === "deny" ? "font-medium text-red-300" : "font-medium text-emerald-300"}>{headline(outcome, kind)}</span>
        {outcome.by !== "timeout" && <span className="text-zinc-400"> by {outcome.by}</span>}
        <span className="text-zinc-500"> · </span>
        <Time iso={outcome.at} className="text-zinc-400" />
        {outcome.remember && <span className="ml-2 rounded bg-zinc-800 px-1.5 py-0.5 text-[11px] text-zinc-300">remembered for this run</span>}
      </p>
      {outcome.answer && <blockquote className="border-l-2 border-zinc-700 pl-3 whitespace-pre-wrap break-words text-zinc-200">{outcome.answer}</blockquote>}
      {outcome.note && <blockquote className="border-l-2 border-zinc-700 pl-3 whitespace-pre-wrap break-words text-zinc-300">{outcome.note}</blockquote>}
      {edited && (
        <pre className="rounded-md bg-zinc-950 px-3 py-2 font-mono text-xs break-all whitespace-pre-wrap text-emerald-200 ring-1 ring-zinc-800">
          {inputText(outcome.editedInput)}
        </pre>
      )}
    </div>
  );
}
