import type { Metadata } from "next";
import { CreateTokenForm } from "@/components/tokens/CreateTokenForm";
import { TokenList } from "@/components/tokens/TokenList";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { isAdmin } from "@/lib/services/principal";
import { teamById } from "@/lib/services/teams";
import { listTokens } from "@/lib/services/tokens";
import { NoTeam } from "@/components/teams/NoTeam";
import { createTokenAction, revokeTokenAction } from "./actions";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const { app, principal } = await requirePrincipal();
  const [tokens, team] = await Promise.all([listTokens(app, principal), principal.team ? teamById(app, principal.team.id) : null]);
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader
        title="API tokens"
        description={
          <>
            Personal tokens act as you in one team, within the scope you give them: send <code className="font-mono text-zinc-300">Authorization: Bearer &lt;token&gt;</code>.
          </>
        }
      />
      {team ? (
        <Card title="Create a token">
          <CreateTokenForm action={createTokenAction} appUrl={app.config.appUrl} teamName={team.name} />
        </Card>
      ) : (
        <NoTeam instanceAdmin={isAdmin(principal)} />
      )}
      <Card title="Your tokens">
        <TokenList tokens={tokens} revokeAction={revokeTokenAction} />
      </Card>
    </div>
  );
}
