import { CopyButton } from "../ui/CopyButton";

/** A freshly created token: shown this once, with a ready-to-run example. */
export function NewTokenBox({ name, token, appUrl }: { name: string; token: string; appUrl: string }) {
  const curl = `curl -H "Authorization: Bearer ${token}" ${appUrl}/api/runs`;
  return (
    <div role="status" data-testid="new-token" className="space-y-3 rounded-lg border border-emerald-700/70 bg-emerald-950/40 p-4">
      <p className="text-sm font-medium text-emerald-200">
        Token “{name}” created. Copy it now: it will not be shown again.
      </p>
      <div className="flex items-center gap-2">
        <code className="min-w-0 flex-1 truncate rounded-md bg-black px-3 py-2 font-mono text-sm text-emerald-100 ring-1 ring-emerald-900" data-token>
          {token}
        </code>
        <CopyButton value={token} />
      </div>
      <div>
        <p className="mb-1 text-xs text-zinc-400">Try it:</p>
        <div className="flex items-start gap-2">
          <pre className="min-w-0 flex-1 overflow-x-auto rounded-md bg-black px-3 py-2 font-mono text-xs text-zinc-300 ring-1 ring-zinc-800">{curl}</pre>
          <CopyButton value={curl} />
        </div>
      </div>
    </div>
  );
}
