import { Markdown } from "../ui/Markdown";
import { ToolInputView } from "../feed/ToolInput";
import type { InputRequest } from "./types";

/** What is being asked: the command verbatim (all of it, wrapped), the tool, the reasons, or the question. */
export function RequestDetails({ request }: { request: InputRequest }) {
  return (
    <div className="space-y-2">
      <p className="text-sm font-medium text-amber-200">
        {request.kind === "budget" ? (
          "Spending limit reached"
        ) : request.kind === "approval" ? (
          <>
            Approval requested{request.tool && <> for <span className="font-mono">{request.tool}</span></>}
          </>
        ) : (
          "The agent asks a question"
        )}
      </p>
      {request.question && <Markdown text={request.question} className="text-sm text-zinc-100" />}
      {request.input !== undefined && request.kind !== "budget" && <ToolInputView input={request.input} marker="data-request-input" />}
      {request.reasons?.length ? (
        <ul className="list-disc space-y-0.5 pl-5 text-xs text-amber-200/80" aria-label="Why it asks">
          {request.reasons.map((r) => (
            <li key={r}>
              <Markdown text={r} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
