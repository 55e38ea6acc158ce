/** How rules are read, in the words a person editing them needs. */
export function RulesHelp() {
  return (
    <ul className="list-disc space-y-1.5 pl-5 text-sm text-zinc-400">
      <li>
        Rules match each single command of a command line, with wrappers such as <code className="font-mono text-zinc-300">sudo</code>,{" "}
        <code className="font-mono text-zinc-300">timeout</code>, <code className="font-mono text-zinc-300">xargs</code> and{" "}
        <code className="font-mono text-zinc-300">bash -c</code> looked through, quotes resolved and spaces collapsed.
      </li>
      <li>
        <code className="font-mono text-zinc-300">*</code> matches any text; <code className="font-mono text-zinc-300">git push *</code> also matches a bare{" "}
        <code className="font-mono text-zinc-300">git push</code>.
      </li>
      <li>
        <strong className="text-zinc-200">deny</strong> wins over <strong className="text-zinc-200">ask</strong>, which wins over{" "}
        <strong className="text-zinc-200">allow</strong>. Rules are checked before the built-in classifier.
      </li>
      <li>
        An allow rule covers only the command it matches: <code className="font-mono text-zinc-300">npm test &amp;&amp; rm -rf x</code> still asks about the{" "}
        <code className="font-mono text-zinc-300">rm</code>. Redirections, pipes into a shell and hidden characters always ask, and what the classifier
        denies (disk formatting, credential reads) stays denied.
      </li>
      <li>A run uses its repository&apos;s rules and its owner&apos;s rules as they were when it was created.</li>
    </ul>
  );
}
