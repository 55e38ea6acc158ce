import type { RuleView } from "@/lib/services/approvalRules";
import type { FormAction } from "../forms/useFormAction";
import { Time } from "../ui/Time";
import { DeleteRuleButton } from "./DeleteRuleButton";
import { EffectBadge } from "./EffectBadge";

/** A scope's rules; `deleteAction` is given only to someone who may change them. */
export function RuleList({ rules, empty, repo, deleteAction }: { rules: RuleView[]; empty: string; repo?: string; deleteAction?: FormAction<null> }) {
  if (!rules.length) return <p className="text-sm text-zinc-400">{empty}</p>;
  return (
    <ul data-testid={repo ? `rules-${repo}` : "rules-mine"} className="divide-y divide-zinc-800">
      {rules.map((r) => (
        <li key={r.id} className="flex flex-wrap items-center justify-between gap-3 py-2.5 first:pt-0 last:pb-0">
          <div className="flex min-w-0 items-center gap-3">
            <EffectBadge effect={r.effect} />
            <div className="min-w-0">
              <code className="block break-all font-mono text-sm text-zinc-100">{r.pattern}</code>
              <p className="mt-0.5 text-xs text-zinc-500">
                added {r.createdBy ? `by ${r.createdBy} ` : ""}
                <Time iso={r.createdAt} />
              </p>
            </div>
          </div>
          {deleteAction && <DeleteRuleButton id={r.id} pattern={r.pattern} repo={repo} action={deleteAction} />}
        </li>
      ))}
    </ul>
  );
}
