import Link from "next/link";
import { isAdmin, type Principal } from "@/lib/services/principal";
import { InboxCount } from "../inputs/InboxCount";
import { Logo } from "../Logo";
import { NavLinks, type NavItem } from "./NavLinks";
import { SignOutButton } from "./SignOutButton";

export function TopNav({ principal }: { principal: Principal }) {
  const items: NavItem[] = [
    { href: "/", label: "Runs" },
    { href: "/runs/new", label: "New run" },
    { href: "/inbox", label: "Inbox", badge: <InboxCount /> },
    { href: "/schedules", label: "Schedules" },
    { href: "/rules", label: "Rules" },
    ...(isAdmin(principal)
      ? [
          { href: "/repos", label: "Repositories" },
          { href: "/settings/invitations", label: "Invitations" },
          { href: "/admin", label: "Admin" },
        ]
      : []),
    { href: "/settings/tokens", label: "API tokens" },
  ];
  return (
    <header className="sticky top-0 z-20 border-b border-zinc-800 bg-zinc-950/85 backdrop-blur">
      <nav className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2.5 sm:px-6">
        <Link href="/" aria-label="AgentDesk home" className="mr-2">
          <Logo />
        </Link>
        <div className="order-3 -mx-1 w-full sm:order-none sm:mx-0 sm:w-auto sm:flex-1">
          <NavLinks items={items} />
        </div>
        <div className="ml-auto flex min-w-0 items-center gap-2">
          <span className="hidden max-w-56 truncate text-sm text-zinc-400 2xl:inline" title={principal.email}>
            {principal.email}
          </span>
          {isAdmin(principal) && (
            <span className="rounded-md bg-indigo-950 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-indigo-300 ring-1 ring-inset ring-indigo-800">
              admin
            </span>
          )}
          <SignOutButton email={principal.email} />
        </div>
      </nav>
    </header>
  );
}
