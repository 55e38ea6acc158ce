// oidc-provider ships no types; this declares the little the test OIDC server uses
// (tests/support/oidcServer.ts).
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  type Grant = {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  };
  type GrantClass = {
    new (init: { clientId: string; accountId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  };
  export type OidcContext = {
    oidc: {
      client: { clientId: string };
      session: { accountId: string; grantIdFor(clientId: string): string | undefined };
      result?: { consent?: { grantId?: string } };
      provider: { Grant: GrantClass };
    };
  };
  export type Account = { accountId: string; claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown> };
  export type Configuration = {
    clients: { client_id: string; client_secret: string; redirect_uris: string[]; grant_types?: string[]; response_types?: string[] }[];
    claims?: Record<string, string[]>;
    findAccount(ctx: OidcContext, id: string): Promise<Account | undefined>;
    loadExistingGrant?(ctx: OidcContext): Promise<Grant | undefined>;
    features?: Record<string, { enabled: boolean }>;
    pkce?: { required(): boolean };
    cookies?: { keys: string[] };
    jwks?: { keys: Record<string, unknown>[] };
  };
  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): void;
  }
}
