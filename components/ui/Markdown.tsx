import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { cx } from "./cx";

// Tailwind resets the browser's own looks for lists, headings and code; these put them back
// in the app's style. Links open in a new tab: a run page is where a person is working.
const components: Components = {
  p: ({ node: _node, ...props }) => <p className="whitespace-pre-wrap" {...props} />,
  a: ({ node: _node, ...props }) => <a className="text-indigo-300 underline-offset-2 hover:underline" target="_blank" rel="noreferrer noopener" {...props} />,
  ul: ({ node: _node, ...props }) => <ul className="list-disc space-y-0.5 pl-5" {...props} />,
  ol: ({ node: _node, ...props }) => <ol className="list-decimal space-y-0.5 pl-5" {...props} />,
  h1: ({ node: _node, ...props }) => <h3 className="text-base font-semibold text-zinc-50" {...props} />,
  h2: ({ node: _node, ...props }) => <h3 className="text-base font-semibold text-zinc-50" {...props} />,
  h3: ({ node: _node, ...props }) => <h4 className="font-semibold text-zinc-50" {...props} />,
  h4: ({ node: _node, ...props }) => <h4 className="font-semibold text-zinc-100" {...props} />,
  h5: ({ node: _node, ...props }) => <h5 className="font-semibold text-zinc-100" {...props} />,
  h6: ({ node: _node, ...props }) => <h6 className="font-semibold text-zinc-100" {...props} />,
  strong: ({ node: _node, ...props }) => <strong className="font-semibold text-zinc-50" {...props} />,
  blockquote: ({ node: _node, ...props }) => <blockquote className="border-l-2 border-zinc-700 pl-3 text-zinc-300" {...props} />,
  hr: () => <hr className="border-zinc-800" />,
  pre: ({ node: _node, ...props }) => (
    <pre className="overflow-x-auto rounded-md bg-black px-3 py-2 font-mono text-xs leading-5 text-zinc-200 ring-1 ring-zinc-800 [&>code]:bg-transparent [&>code]:p-0" {...props} />
  ),
  code: ({ node: _node, className, ...props }) => (
    <code className={cx("rounded bg-zinc-800 px-1 py-0.5 font-mono text-[0.85em] text-zinc-100", className)} {...props} />
  ),
  table: ({ node: _node, ...props }) => (
    <div className="overflow-x-auto">
      <table className="min-w-full border-collapse text-left text-xs" {...props} />
    </div>
  ),
  th: ({ node: _node, ...props }) => <th className="border border-zinc-800 px-2 py-1 font-semibold text-zinc-200" {...props} />,
  td: ({ node: _node, ...props }) => <td className="border border-zinc-800 px-2 py-1 align-top" {...props} />,
  img: ({ node: _node, alt }) => <span className="text-zinc-400">[image: {alt}]</span>,
};

/**
 * Markdown as people and agents write it (GitHub's flavour: lists, tables, code, task lists).
 * Never HTML: react-markdown turns any HTML in the text into plain text (no rehype-raw here),
 * so a `<script>` in a task or an agent's words is shown, not run. Images are not loaded:
 * a run's text is not trusted to make the browser fetch things.
 */
export function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div data-markdown className={cx("min-w-0 space-y-2 break-words", className)}>
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
