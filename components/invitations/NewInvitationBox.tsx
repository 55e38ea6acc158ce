import type { TeamRole } from "@/lib/teamRoles";
import { CopyButton } from "../ui/CopyButton";
import { Time } from "../ui/Time";

export type NewInvitation = { url: string; email: string | null; teamRole: TeamRole; expiresAt: string };

/** A freshly created invitation link: shown this once (only its hash is kept). */
export function NewInvitationBox({ invitation }: { invitation: NewInvitation }) {
  return (
    <div role="status" data-testid="new-invitation" className="space-y-3 rounded-lg border border-emerald-700/70 bg-emerald-950/40 p-4">
      <p className="text-sm font-medium text-emerald-200">
        Invitation created{invitation.email ? ` for ${invitation.email}` : ""}
        {` (as ${invitation.teamRole})`}. Copy the link now: it will not be shown again.
      </p>
      <div className="flex items-center gap-2">
        <code className="min-w-0 flex-1 truncate rounded-md bg-black px-3 py-2 font-mono text-sm text-emerald-100 ring-1 ring-emerald-900" data-invitation-url>
          {invitation.url}
        </code>
        <CopyButton value={invitation.url} />
      </div>
      <p className="text-xs text-zinc-400">
        It works once, until <Time iso={invitation.expiresAt} />.
      </p>
    </div>
  );
}
