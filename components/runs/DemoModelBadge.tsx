/** Marks the agent's model as the local scripted demo (`npm run demo`), never to be taken for Claude. */
export function DemoModelBadge() {
  return (
    <span
      title="This AgentDesk runs with a local scripted model for the demo; its answers are canned, not Claude's."
      className="inline-flex items-center rounded-full border border-amber-700/60 bg-amber-950/50 px-2 py-0.5 text-xs font-medium text-amber-200"
      data-testid="demo-model"
    >
      demo model
    </span>
  );
}

/** A line under the navigation on every signed-in page while the demo model answers agent runs. */
export function DemoModelNotice() {
  return (
    <div className="border-b border-amber-900/50 bg-amber-950/30 px-4 py-1.5 text-center text-xs text-amber-200 sm:px-6">
      <DemoModelBadge /> Agent runs here are answered by a local scripted model (<code>npm run demo</code>), not by Claude.
    </div>
  );
}
