import { Fragment } from "react";

/** Inline `code` and **bold**; everything else is plain text (never HTML). */
function Inline({ text }: { text: string }) {
  const parts = text.split(/(`[^`\n]+`|\*\*[^*\n]+\*\*)/g);
  return (
    <>
      {parts.map((part, i) => {
        if (part.startsWith("`") && part.endsWith("`") && part.length > 2) {
          return (
            <code key={i} className="rounded bg-zinc-800 px-1 py-0.5 font-mono text-[0.85em] text-zinc-100">
              {part.slice(1, -1)}
            </code>
          );
        }
        if (part.startsWith("**") && part.endsWith("**") && part.length > 4) {
          return <strong key={i} className="font-semibold text-zinc-50">{part.slice(2, -2)}</strong>;
        }
        return <Fragment key={i}>{part}</Fragment>;
      })}
    </>
  );
}

function Prose({ text }: { text: string }) {
  const blocks = text.split(/\n{2,}/).filter((b) => b.trim());
  return (
    <>
      {blocks.map((block, i) => {
        const lines = block.split("\n");
        if (lines.every((l) => /^\s*([-*]|\d+\.)\s+/.test(l))) {
          return (
            <ul key={i} className="list-disc space-y-0.5 pl-5">
              {lines.map((l, j) => (
                <li key={j}>
                  <Inline text={l.replace(/^\s*([-*]|\d+\.)\s+/, "")} />
                </li>
              ))}
            </ul>
          );
        }
        const heading = /^#{1,6}\s+(.*)$/.exec(block);
        if (heading && lines.length === 1) {
          return <p key={i} className="font-semibold text-zinc-50"><Inline text={heading[1]!} /></p>;
        }
        return (
          <p key={i} className="whitespace-pre-wrap">
            <Inline text={block} />
          </p>
        );
      })}
    </>
  );
}

/** The assistant's text, with the bits of markdown agents use most (code, lists, bold). */
export function AssistantText({ text }: { text: string }) {
  const segments = text.split(/```[^\n]*\n?/);
  return (
    <div className="space-y-2 text-sm leading-6 text-zinc-200">
      {segments.map((segment, i) =>
        i % 2 === 1 ? (
          <pre key={i} className="overflow-x-auto rounded-md bg-black px-3 py-2 font-mono text-xs text-zinc-200 ring-1 ring-zinc-800">
            {segment.replace(/\n$/, "")}
          </pre>
        ) : (
          <Prose key={i} text={segment} />
        ),
      )}
    </div>
  );
}
