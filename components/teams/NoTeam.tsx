import Link from "next/link";
import { EmptyState } from "../ui/EmptyState";
import { linkClass } from "../ui/styles";

/** What a person in no team sees instead of a team's pages: why, and who can change it. */
export function NoTeam({ instanceAdmin }: { instanceAdmin: boolean }) {
  return (
    <EmptyState
      title="You are not in a team yet"
      icon={
        <svg viewBox="0 0 24 24" className="h-10 w-10" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
          <circle cx="9" cy="8" r="3" />
          <path d="M3.5 19a5.5 5.5 0 0 1 11 0" />
          <path d="M16 11h5M18.5 8.5v5" />
        </svg>
      }
    >
      <p data-testid="no-team">
        Runs, repositories and schedules belong to teams. Ask an admin of a team to add you, or to send you an invitation link.
        {instanceAdmin ? (
          <>
            {" "}
            As an instance admin you can create a team on{" "}
            <Link href="/admin/teams" className={linkClass}>
              Teams
            </Link>
            .
          </>
        ) : null}
      </p>
    </EmptyState>
  );
}
