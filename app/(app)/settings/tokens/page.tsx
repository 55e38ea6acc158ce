import type { Metadata } from "next";
import { CreateTokenForm } from "@/components/tokens/CreateTokenForm";
import { TokenList } from "@/components/tokens/TokenList";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { listTokens } from "@/lib/services/tokens";
import { createTokenAction, revokeTokenAction } from "./actions";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const { app, principal } = await requirePrincipal();
  const tokens = await listTokens(app, principal);
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader
        title="API tokens"
        description={
          <>
            Personal tokens act as you in the API: send <code className="font-mono text-zinc-300">Authorization: Bearer &lt;token&gt;</code>.
          </>
        }
      />
      <Card title="Create a token">
        <CreateTokenForm action={createTokenAction} appUrl={app.config.appUrl} />
      </Card>
      <Card title="Your tokens">
        <TokenList tokens={tokens} revokeAction={revokeTokenAction} />
      </Card>
    </div>
  );
}
