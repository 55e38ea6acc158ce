import type { FileChange } from "@/lib/events";
import { countOf } from "@/lib/plural";
import { cx } from "../ui/cx";
import { hunkHeader, hunkLines, lineDiff, type DiffLine } from "./readableInput";

const lineLooks = {
  " ": "text-zinc-400",
  "-": "bg-red-950/50 text-red-200",
  "+": "bg-emerald-950/50 text-emerald-200",
  "\\": "text-zinc-500 italic",
} as const;

type Section = { header?: string; lines: DiffLine[] };

/**
 * A file's change as a small unified diff: the path, then each section's lines (a section
 * header says where it is in the file). `marker` names the box for scripts and tests.
 */
function DiffBox({ path, marker, detail, sections, note }: { path: string; marker: Record<string, string>; detail?: React.ReactNode; sections: Section[]; note?: string }) {
  return (
    <div {...marker} className="overflow-hidden rounded-md ring-1 ring-zinc-800">
      <p className="flex flex-wrap items-baseline gap-x-3 border-b border-zinc-800 bg-zinc-900 px-3 py-1.5 text-xs">
        <span className="min-w-0 font-mono break-all text-zinc-200">{path}</span>
        {detail}
      </p>
      <pre className="max-h-80 overflow-auto bg-zinc-950 py-1 font-mono text-xs leading-5">
        {sections.map((section, s) => (
          <div key={s}>
            {section.header && <div data-hunk-header className="bg-sky-950/30 px-3 text-sky-300/80 select-none">{section.header}</div>}
            {section.lines.map((line, i) => (
              <div key={i} data-diff-op={line.op} className={cx("px-3 whitespace-pre-wrap break-all", lineLooks[line.op])}>
                <span className="mr-2 inline-block w-2 select-none opacity-70">{line.op === "\\" ? "" : line.op}</span>
                {line.text}
              </div>
            ))}
          </div>
        ))}
      </pre>
      {note && <p className="border-t border-zinc-800 bg-zinc-900 px-3 py-1 text-xs text-zinc-500">{note}</p>}
    </div>
  );
}

/** A replace-in-file edit as the diff of the replaced text. */
export function EditDiff({ path, before, after }: { path: string; before: string; after: string }) {
  return <DiffBox path={path} marker={{ "data-edit-diff": path }} sections={[{ lines: lineDiff(before, after) }]} />;
}

/** What a write changed in its file, as the job process diffed it against the previous content. */
export function FileChangeDiff({ change }: { change: FileChange }) {
  const { path, created, additions, deletions, hunks, omittedLines } = change;
  const detail = (
    <span className="text-zinc-400">
      {created && <span className="mr-2 rounded bg-emerald-950 px-1.5 py-0.5 text-[10px] font-semibold text-emerald-300 ring-1 ring-emerald-800">new file</span>}
      <span className="text-emerald-400">+{additions}</span> <span className="text-red-400">−{deletions}</span>
    </span>
  );
  // A new file is one block of added lines: its "@@ -1,0 +1,n @@" says nothing.
  const sections = hunks.map((h) => ({ header: created && hunks.length === 1 ? undefined : hunkHeader(h), lines: hunkLines(h.lines) }));
  return (
    <DiffBox
      path={path}
      marker={{ "data-file-change": path }}
      detail={detail}
      sections={sections.length ? sections : [{ lines: [{ op: " ", text: "(no change: the same content was written)" }] }]}
      note={omittedLines > 0 ? `${countOf(omittedLines, "more line")} of this change not shown here.` : undefined}
    />
  );
}

/** A whole-file write whose previous content is unknown here (Claude Code's Write, a write still running). */
export function FileContent({ path, content }: { path: string; content: string }) {
  const lines = content.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return (
    <DiffBox
      path={path}
      marker={{ "data-file-write": path }}
      detail={<span className="text-zinc-400">whole file · {countOf(lines.length, "line")}</span>}
      sections={[{ lines: lines.map((text) => ({ op: " ", text })) }]}
    />
  );
}
