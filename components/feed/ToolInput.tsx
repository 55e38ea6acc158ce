import { commandOf } from "../inputs/requestInput";
import { cx } from "../ui/cx";
import { EditDiff, FileContent } from "./DiffBox";
import { fileEditsOf, fileWriteOf, inputFields } from "./readableInput";

/**
 * A tool call's input as a person reads it: a command as a shell line, a file edit as a diff,
 * a whole-file write as the file, anything else as "key: value" (paths, patterns and code in
 * monospace). `marker` is the data attribute scripts and tests find the input by; for a
 * command its text is the command alone.
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
  const edits = fileEditsOf(input);
  if (edits) {
    return (
      <div {...{ [marker]: "" }} className="space-y-2">
        {edits.map((edit, i) => (
          <EditDiff key={i} {...edit} />
        ))}
      </div>
    );
  }
  const write = fileWriteOf(input);
  if (write) {
    return (
      <div {...{ [marker]: "" }}>
        <FileContent {...write} />
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
