import { commandOf } from "../inputs/requestInput";
import { cx } from "../ui/cx";
import { fileEditOf, inputFields, lineDiff } from "./readableInput";

const lineLooks = { " ": "text-zinc-400", "-": "bg-red-950/50 text-red-200", "+": "bg-emerald-950/50 text-emerald-200" } as const;

/** A file edit as a small unified diff of the replaced text. */
function EditDiff({ path, before, after }: { path: string; before: string; after: string }) {
  const lines = lineDiff(before, after);
  return (
    <div data-edit-diff={path} className="overflow-hidden rounded-md ring-1 ring-zinc-800">
      <p className="border-b border-zinc-800 bg-zinc-900 px-3 py-1.5 font-mono text-xs break-all text-zinc-200">{path}</p>
      <pre className="max-h-80 overflow-auto bg-zinc-950 py-1 font-mono text-xs leading-5">
        {lines.map((line, i) => (
          <div key={i} data-diff-op={line.op} className={cx("px-3 whitespace-pre-wrap break-all", lineLooks[line.op])}>
            <span className="mr-2 inline-block w-2 select-none opacity-70">{line.op}</span>
            {line.text}
          </div>
        ))}
      </pre>
    </div>
  );
}

/**
 * A tool call's input as a person reads it: a command as a shell line, a file edit as a diff,
 * anything else as "key: value" (paths, patterns and code in monospace). `marker` is the data
 * attribute scripts and tests find the input by; for a command its text is the command alone.
 */
export function ToolInputView({ input, marker = "data-tool-input" }: { input: unknown; marker?: "data-tool-input" | "data-request-input" }) {
  const command = commandOf(input);
  if (command !== null) {
    return (
      <pre className="rounded-md bg-zinc-950 px-3 py-2 font-mono text-xs leading-5 break-all whitespace-pre-wrap text-zinc-100 ring-1 ring-zinc-800">
        <span className="text-emerald-400 select-none">$ </span>
        <span {...{ [marker]: "" }}>{command}</span>
      </pre>
    );
  }
  const edit = fileEditOf(input);
  if (edit) {
    return (
      <div {...{ [marker]: "" }}>
        <EditDiff {...edit} />
      </div>
    );
  }
  const fields = inputFields(input);
  if (fields.length === 0) return null;
  return (
    <dl {...{ [marker]: "" }} className="space-y-1 rounded-md bg-zinc-950 px-3 py-2 text-xs leading-5 ring-1 ring-zinc-800">
      {fields.map((f) => (
        <div key={f.key} className={f.block ? "space-y-1" : "flex flex-wrap gap-x-2"}>
          <dt className="shrink-0 text-zinc-500">{f.key}:</dt>
          <dd className={cx("min-w-0 break-all text-zinc-100", f.mono && "font-mono", f.block && "max-h-60 overflow-auto whitespace-pre-wrap rounded bg-black/60 px-2 py-1")}>
            {f.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
