import type { InputRequest } from "./types";
import { inputText } from "./requestInput";

/** What is being asked: the command verbatim (all of it, wrapped), the tool, the reasons, or the question. */
export function RequestDetails({ request }: { request: InputRequest }) {
  return (
    <div className="space-y-2">
      <p className="text-sm font-medium text-amber-200">
        {request.kind === "approval" ? (
          <>
            Approval requested{request.tool && <> for <span className="font-mono">{request.tool}</span></>}
          </>
        ) : (
          "The agent asks a question"
        )}
      </p>
      {request.question && <p className="text-sm whitespace-pre-wrap break-words text-zinc-100">{request.question}</p>}
      {request.input !== undefined && (
        <pre
          data-request-input
          className="rounded-md bg-zinc-950 px-3 py-2 font-mono text-xs leading-5 break-all whitespace-pre-wrap text-zinc-100 ring-1 ring-zinc-800"
        >
          {inputText(request.input)}
        </pre>
      )}
      {request.reasons?.length ? (
        <ul className="list-disc space-y-0.5 pl-5 text-xs text-amber-200/80" aria-label="Why it asks">
          {request.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
