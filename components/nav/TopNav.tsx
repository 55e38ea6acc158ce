import Link from "next/link";
import { isAdmin, type Principal } from "@/lib/services/principal";
import { activeTeamAllows, type Membership } from "@/lib/services/teams";
import type { FormAction } from "../forms/useFormAction";
import { TeamSwitcher } from "../teams/TeamSwitcher";
import { InboxCount } from "../inputs/InboxCount";
import { Logo } from "../Logo";
import { CollapsibleNav } from "./CollapsibleNav";
import { NavLinks, type NavItem } from "./NavLinks";
import { SignOutButton } from "./SignOutButton";

/** `teams`: the person's memberships; the switcher shows when there is more than one. */
export function TopNav({ principal, teams, switchTeam }: { principal: Principal; teams: Membership[]; switchTeam: FormAction<{ name: string }> }) {
  const items: NavItem[] = [
    { href: "/", label: "Runs" },
    { href: "/runs/new", label: "New run" },
    { href: "/inbox", label: "Inbox", badge: <InboxCount /> },
    { href: "/templates", label: "Templates" },
    { href: "/schedules", label: "Schedules" },
    { href: "/rules", label: "Rules" },
    // What the team's runs cost (admins and owners: everyone's; members: their own) and its limits.
    ...(principal.team ? [{ href: "/team/costs", label: "Costs" }] : []),
    // The team's admins manage its repositories; instance admins the install.
    ...(activeTeamAllows(principal, "manage") ? [{ href: "/repos", label: "Repositories" }] : []),
    ...(isAdmin(principal) ? [{ href: "/admin", label: "Admin" }] : []),
    // One entry for the settings area (notifications, API tokens, invitations): its own sub-nav leads on.
    { href: "/settings", label: "Settings" },
  ];
  return (
    <header className="sticky top-0 z-20 border-b border-zinc-800 bg-zinc-950/85 backdrop-blur">
      <nav aria-label="Main" className="relative mx-auto flex max-w-6xl items-center gap-x-4 px-4 py-2 sm:px-6">
        <Link href="/" aria-label="AgentDesk home" className="mr-2 flex min-h-11 shrink-0 items-center">
          <Logo />
        </Link>
        <CollapsibleNav>
          <div className="min-w-0 lg:flex-1">
            <NavLinks items={items} />
          </div>
          <div className="flex min-w-0 flex-wrap items-center gap-2 border-t border-zinc-800 pt-3 lg:flex-nowrap lg:border-0 lg:pt-0">
            {teams.length > 1 && principal.team && (
              <TeamSwitcher teams={teams.map((t) => ({ id: t.id, name: t.name, role: t.role }))} active={principal.team.id} action={switchTeam} />
            )}
            <span className="min-w-0 truncate text-sm text-zinc-400 lg:hidden 2xl:inline 2xl:max-w-56" title={principal.email}>
              {principal.email}
            </span>
            {/* On a laptop-wide nav the Admin link says as much: the badge makes room for the links. */}
            {isAdmin(principal) && (
              <span className="rounded-md bg-indigo-950 px-1.5 lg:hidden 2xl:inline py-0.5 text-[10px] font-semibold tracking-wide text-indigo-300 uppercase ring-1 ring-indigo-800 ring-inset">
                admin
              </span>
            )}
            <span className="ml-auto lg:ml-0">
              <SignOutButton email={principal.email} />
            </span>
          </div>
        </CollapsibleNav>
      </nav>
    </header>
  );
}
