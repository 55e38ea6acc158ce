import { PendingInputsProvider } from "@/components/inputs/PendingInputsProvider";
import { LiveChannelProvider } from "@/components/live/LiveChannelProvider";
import { NavigationProgress } from "@/components/nav/NavigationProgress";
import { TopNav } from "@/components/nav/TopNav";
import { DemoModelNotice } from "@/components/runs/DemoModelBadge";
import { SandboxOffBanner } from "@/components/sandbox/SandboxOffBanner";
import { currentSandboxOffReason } from "@/lib/sandboxStatus";
import { requirePrincipal } from "@/lib/server/pageAuth";

export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const { app, principal } = await requirePrincipal();
  const unsandboxed = await currentSandboxOffReason(app);
  // One live channel per tab for every page (runs list, inbox, nav badge): no polling.
  return (
    <LiveChannelProvider>
      <PendingInputsProvider userId={principal.userId}>
        <NavigationProgress />
        <TopNav principal={principal} />
        {unsandboxed && <SandboxOffBanner reason={unsandboxed} />}
        {app.config.agentDemo && <DemoModelNotice />}
        <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">{children}</main>
      </PendingInputsProvider>
    </LiveChannelProvider>
  );
}
