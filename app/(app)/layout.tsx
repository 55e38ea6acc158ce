import { headers } from "next/headers";
import { PendingInputsProvider } from "@/components/inputs/PendingInputsProvider";
import { LiveChannelProvider } from "@/components/live/LiveChannelProvider";
import { NavigationProgress } from "@/components/nav/NavigationProgress";
import { TopNav } from "@/components/nav/TopNav";
import { DemoModelNotice } from "@/components/runs/DemoModelBadge";
import { SandboxOffBanner } from "@/components/sandbox/SandboxOffBanner";
import { NoTeam } from "@/components/teams/NoTeam";
import { REQUEST_PATH_HEADER } from "@/lib/returnTo";
import { currentSandboxOffReason } from "@/lib/sandboxStatus";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { isAdmin } from "@/lib/services/principal";
import { activeTeamAllows, listMemberships } from "@/lib/services/teams";
import { switchTeamAction } from "./settings/team/actions";

// Pages that are not a team's: a person in no team still reaches them (their own settings; the
// instance admin's pages).
const TEAMLESS = /^\/(settings|admin)(\/|$|\?)/;

export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const { app, principal } = await requirePrincipal();
  const [unsandboxed, teams, requestHeaders] = await Promise.all([currentSandboxOffReason(app), listMemberships(app, principal.userId), headers()]);
  const noTeam = !principal.team && !TEAMLESS.test(requestHeaders.get(REQUEST_PATH_HEADER) ?? "/");
  // One live channel per tab for every page (runs list, inbox, nav badge): no polling.
  return (
    <LiveChannelProvider>
      <PendingInputsProvider userId={principal.userId} answersTeamBudgets={activeTeamAllows(principal, "manage")}>
        <NavigationProgress />
        <TopNav principal={principal} teams={teams} switchTeam={switchTeamAction} />
        {unsandboxed && <SandboxOffBanner reason={unsandboxed} />}
        {app.config.agentDemo && <DemoModelNotice />}
        <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">{noTeam ? <NoTeam instanceAdmin={isAdmin(principal)} /> : children}</main>
      </PendingInputsProvider>
    </LiveChannelProvider>
  );
}
