import { CopyButton } from "../ui/CopyButton";

/** A webhook's secret (and URL for an incoming one), shown this once. */
export function SecretBox({ secret, url, what }: { secret: string; url?: string; what: string }) {
  return (
    <div role="status" data-webhook-secret className="space-y-2 rounded-lg border border-emerald-700/70 bg-emerald-950/40 p-4">
      <p className="text-sm font-medium text-emerald-200">{what} Copy the secret now: it will not be shown again.</p>
      {url && (
        <div className="flex items-center gap-2">
          <code className="min-w-0 flex-1 truncate rounded-md bg-black px-3 py-2 font-mono text-sm text-emerald-100 ring-1 ring-emerald-900" data-webhook-url>
            {url}
          </code>
          <CopyButton value={url} />
        </div>
      )}
      <div className="flex items-center gap-2">
        <code className="min-w-0 flex-1 truncate rounded-md bg-black px-3 py-2 font-mono text-sm text-emerald-100 ring-1 ring-emerald-900" data-secret-value>
          {secret}
        </code>
        <CopyButton value={secret} />
      </div>
    </div>
  );
}
