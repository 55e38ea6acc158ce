import Link from "next/link";
import { EmptyState } from "./ui/EmptyState";
import { linkClass } from "./ui/styles";

/** `of`: whose admins manage it: the team's (its repositories, its members) or the install's. */
export function AdminsOnly({ what, of = "install" }: { what: string; of?: "team" | "install" }) {
  return (
    <EmptyState
      title="Admins only"
      icon={
        <svg viewBox="0 0 24 24" className="h-10 w-10" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
          <rect x="5" y="10" width="14" height="10" rx="2" />
          <path d="M8 10V7a4 4 0 0 1 8 0v3" />
        </svg>
      }
    >
      <p>
        {what} is managed by {of === "team" ? "your team's admins" : "the admins of this AgentDesk install"}. Ask one of them if you need a change.{" "}
        <Link href="/" className={linkClass}>Back to your runs</Link>
      </p>
    </EmptyState>
  );
}
