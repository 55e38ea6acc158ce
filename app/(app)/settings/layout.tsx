import { SettingsNav, type SettingsLink } from "@/components/settings/SettingsNav";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { isAdmin } from "@/lib/services/principal";
import { activeTeamAllows } from "@/lib/services/teams";

/** Settings pages share their own sub-navigation: what is yours, then (team admins) the team's. */
export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  const { principal } = await requirePrincipal();
  const links: SettingsLink[] = [
    ...(principal.team ? [{ href: "/settings/team", label: "Team" }] : []),
    { href: "/settings/notifications", label: "Notifications" },
    { href: "/settings/webhooks", label: "Webhooks" },
    { href: "/settings/tokens", label: "API tokens" },
    ...(activeTeamAllows(principal, "manageMembers") ? [{ href: "/settings/invitations", label: "Invitations" }] : []),
    ...(activeTeamAllows(principal, "manageMembers") || isAdmin(principal) ? [{ href: "/settings/audit", label: "Audit log" }] : []),
  ];
  return (
    <>
      <SettingsNav links={links} />
      {children}
    </>
  );
}
