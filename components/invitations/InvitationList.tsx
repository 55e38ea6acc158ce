import type { InvitationStatus, InvitationSummary } from "@/lib/services/invitations";
import type { FormAction } from "../forms/useFormAction";
import { RevokeButton } from "../tokens/RevokeButton";
import { cx } from "../ui/cx";
import { Time } from "../ui/Time";

const statusLook: Record<InvitationStatus, string> = {
  pending: "bg-emerald-950 text-emerald-300 ring-emerald-800",
  used: "bg-zinc-800 text-zinc-300 ring-zinc-700",
  expired: "bg-amber-950 text-amber-300 ring-amber-800",
};

export function InvitationList({ invitations, revokeAction }: { invitations: InvitationSummary[]; revokeAction: FormAction<null> }) {
  if (!invitations.length) {
    return <p className="text-sm text-zinc-400">No invitations yet. Create a link above and send it to the person you invite.</p>;
  }
  return (
    <ul data-testid="invitation-list" className="divide-y divide-zinc-800">
      {invitations.map((i) => (
        <li key={i.id} data-status={i.status} className="flex flex-wrap items-center justify-between gap-3 py-3 first:pt-0 last:pb-0">
          <div className="min-w-0">
            <p className="flex items-center gap-2 text-sm font-medium text-zinc-100">
              <span className={cx("rounded-md px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide ring-1 ring-inset", statusLook[i.status])}>
                {i.status}
              </span>
              {i.email ?? "Any email address"}
              <span className="text-xs text-indigo-300">{i.teamRole}</span>
            </p>
            <p className="mt-0.5 text-xs text-zinc-500">
              created <Time iso={i.createdAt.toISOString()} />
              {i.createdBy ? ` by ${i.createdBy}` : ""} ·{" "}
              {i.usedAt ? (
                <>
                  used <Time iso={i.usedAt.toISOString()} />
                  {i.usedBy ? ` by ${i.usedBy}` : ""}
                </>
              ) : (
                <>
                  {i.status === "expired" ? "expired" : "expires"} <Time iso={i.expiresAt.toISOString()} />
                </>
              )}
            </p>
          </div>
          {!i.usedAt && (
            <RevokeButton
              id={i.id}
              name={i.email ?? "this invitation"}
              action={revokeAction}
              confirmText="Revoke this invitation? Its link stops working at once."
            />
          )}
        </li>
      ))}
    </ul>
  );
}
