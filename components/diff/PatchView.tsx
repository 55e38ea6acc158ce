import { cx } from "../ui/cx";
import { lineKind, type LineKind } from "./splitPatch";

const looks: Record<LineKind, string> = {
  meta: "text-zinc-500",
  hunk: "bg-sky-950/40 text-sky-300",
  add: "bg-emerald-950/50 text-emerald-200",
  del: "bg-red-950/50 text-red-200",
  context: "text-zinc-300",
};

/** One file's part of a unified diff, added and deleted lines coloured. */
export function PatchView({ lines }: { lines: string[] }) {
  return (
    <pre className="overflow-x-auto bg-black py-2 font-mono text-[12.5px] leading-5">
      {lines.map((line, i) => (
        <div key={i} data-line={lineKind(line)} className={cx("min-w-max px-3", looks[lineKind(line)])}>
          {line || " "}
        </div>
      ))}
    </pre>
  );
}
