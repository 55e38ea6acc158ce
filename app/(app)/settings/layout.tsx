import { SettingsNav, type SettingsLink } from "@/components/settings/SettingsNav";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { isAdmin } from "@/lib/services/principal";

/** Settings pages share their own sub-navigation: what is yours, then (admins) the install's. */
export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  const { principal } = await requirePrincipal();
  const links: SettingsLink[] = [
    { href: "/settings/notifications", label: "Notifications" },
    { href: "/settings/tokens", label: "API tokens" },
    ...(isAdmin(principal) ? [{ href: "/settings/invitations", label: "Invitations" }] : []),
  ];
  return (
    <>
      <SettingsNav links={links} />
      {children}
    </>
  );
}
