import type { TokenSummary } from "@/lib/services/tokens";
import type { FormAction } from "../forms/useFormAction";
import { Time } from "../ui/Time";
import { RevokeButton } from "./RevokeButton";

export function TokenList({ tokens, revokeAction }: { tokens: TokenSummary[]; revokeAction: FormAction<null> }) {
  if (!tokens.length) {
    return <p className="text-sm text-zinc-400">You have no API tokens. Create one to call the API from scripts or CI.</p>;
  }
  return (
    <ul data-testid="token-list" className="divide-y divide-zinc-800">
      {tokens.map((t) => (
        <li key={t.id} className="flex flex-wrap items-center justify-between gap-3 py-3 first:pt-0 last:pb-0">
          <div className="min-w-0">
            <p className="text-sm font-medium text-zinc-100">{t.name}</p>
            <p className="mt-0.5 text-xs text-zinc-500">
              <span className="font-mono text-zinc-400">{t.prefix}…</span> · <span data-testid="token-scope">{t.scope}</span> in {t.team.name} · created <Time iso={t.createdAt.toISOString()} /> ·{" "}
              {t.lastUsedAt ? (
                <>
                  last used <Time iso={t.lastUsedAt.toISOString()} />
                </>
              ) : (
                "never used"
              )}
            </p>
          </div>
          <RevokeButton id={t.id} name={t.name} action={revokeAction} />
        </li>
      ))}
    </ul>
  );
}
