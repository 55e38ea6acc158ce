/** How rules are read, in the words a person editing them needs. */
export function RulesHelp() {
  return (
    <ul className="list-disc space-y-1.5 pl-5 text-sm text-zinc-400">
      <li>
        Rules cover every executor: our agent, Claude Code, ACP agents (Goose, Gemini, Codex, …) and MCP tools. Their shell commands (our agent&apos;s
        shell, Claude Code&apos;s Bash, an ACP agent&apos;s commands and terminals) all go through the same rules, so{" "}
        <code className="font-mono text-zinc-300">deny git push *</code> holds whichever agent runs.
      </li>
      <li>
        Tools are matched by name. An MCP tool is named <code className="font-mono text-zinc-300">mcp__&lt;server&gt;__&lt;tool&gt;</code>:{" "}
        <code className="font-mono text-zinc-300">allow mcp__github__*</code> lets the <code className="font-mono text-zinc-300">github</code> server&apos;s
        tools run, <code className="font-mono text-zinc-300">deny mcp__github__delete_*</code> blocks some of them. Without an allow rule an MCP tool asks
        in every approval mode. Other agents&apos; tools (<code className="font-mono text-zinc-300">WebFetch</code>,{" "}
        <code className="font-mono text-zinc-300">WebSearch</code>, sub-agents) run in <code className="font-mono text-zinc-300">auto</code> and ask in{" "}
        <code className="font-mono text-zinc-300">risky</code> and <code className="font-mono text-zinc-300">all</code> unless a rule says otherwise.
      </li>
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
      <li>
        File edits of every agent go by the built-in write rules: inside <code className="font-mono text-zinc-300">.git/</code> is denied; CI
        configuration, <code className="font-mono text-zinc-300">package.json</code> and paths outside the workspace ask in{" "}
        <code className="font-mono text-zinc-300">risky</code>.
      </li>
      <li>A run uses its repository&apos;s rules and its owner&apos;s rules as they were when it was created.</li>
    </ul>
  );
}
