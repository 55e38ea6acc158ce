import { Markdown } from "../ui/Markdown";

/** The assistant's words, as the markdown agents write (code, lists, bold); never HTML. */
export function AssistantText({ text }: { text: string }) {
  return <Markdown text={text} className="text-sm leading-6 text-zinc-200" />;
}
