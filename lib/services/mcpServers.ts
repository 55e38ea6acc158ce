import crypto from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { mcpServerSpec, slugName, type McpServerSpec } from "../contracts/executorSpecs";
import { mcpServer, user } from "../db/schema";
import { fieldError, notFound } from "../errors";
import { hostAllowed } from "../networkHosts";
import type { App } from "../server/app";
import { actorOf, recordAudit } from "./audit";
import type { Principal } from "./principal";
import { programArgs, programCommand, programEnvNames } from "./programInputs";
import { repoFor } from "./repos";

/**
 * A repository's MCP servers, set by an admin: every run on the repository gets them, whatever
 * its executor (lib/services/runPayload.ts), started or reached from inside the run's sandbox.
 */

const serverUrl = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }))
  // Runs also after a failed URL check (zod reports every issue): only a URL can hold credentials.
  .refine((raw) => {
    const url = URL.parse(raw);
    return !url?.username && !url?.password;
  }, "must not contain credentials; name the variable holding the token under envNames (sent as a bearer token)");

export const createMcpServerInput = z.discriminatedUnion(
  "transport",
  [
    z.object({
      name: slugName,
      transport: z.literal("stdio"),
      command: programCommand,
      args: programArgs.optional(),
      envNames: programEnvNames.optional(),
    }),
    z.object({
      name: slugName,
      transport: z.literal("http"),
      url: serverUrl,
      envNames: programEnvNames.optional(),
    }),
  ],
  { error: 'must be "stdio" (a command run in the sandbox) or "http" (a URL)' },
);
export type CreateMcpServerInput = z.infer<typeof createMcpServerInput>;

export type McpServerView = McpServerSpec & {
  id: string;
  createdBy: string | null;
  createdAt: string;
  /**
   * For an HTTP server whose host is not among the repository's network hosts: the sandbox's
   * proxy will refuse the connection, so runs cannot reach it until an admin adds the host.
   */
  warning?: string;
};

type Row = typeof mcpServer.$inferSelect;

/** A stored row as the spec a run's job carries, validated again (rows are wider than the contract). */
function specOf(row: Row): McpServerSpec {
  return mcpServerSpec.parse(
    row.transport === "stdio"
      ? { name: row.name, transport: "stdio", command: row.command, args: row.args, envNames: row.envNames }
      : { name: row.name, transport: "http", url: row.url, envNames: row.envNames },
  );
}

function unreachableWarning(spec: McpServerSpec, networkHosts: readonly string[]): string | undefined {
  if (spec.transport !== "http") return undefined;
  const url = new URL(spec.url);
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  if (hostAllowed(networkHosts, url.hostname, port)) return undefined;
  return `runs cannot reach ${url.host} until it is added to the repository's network hosts`;
}

function viewOf(row: Row, createdBy: string | null, networkHosts: readonly string[]): McpServerView {
  const spec = specOf(row);
  const warning = unreachableWarning(spec, networkHosts);
  return { id: row.id, ...spec, createdBy, createdAt: row.createdAt.toISOString(), ...(warning ? { warning } : {}) };
}

/** A repository of the principal's team whose MCP servers its admins manage. */
const adminRepo = (app: Pick<App, "db">, principal: Principal, repoName: string) => repoFor(app, principal, repoName, "manage");

export async function listMcpServers(app: Pick<App, "db">, principal: Principal, repoName: string): Promise<McpServerView[]> {
  const repo = await adminRepo(app, principal, repoName);
  const rows = await app.db
    .select({ server: mcpServer, by: user.email })
    .from(mcpServer)
    .leftJoin(user, eq(user.id, mcpServer.createdBy))
    .where(eq(mcpServer.repositoryId, repo.id))
    .orderBy(asc(mcpServer.name));
  return rows.map((r) => viewOf(r.server, r.by, repo.networkHosts));
}

/** The servers a run on the repository gets, as its job carries them. */
export async function mcpServerSpecsOf(app: Pick<App, "db">, repositoryId: string): Promise<McpServerSpec[]> {
  const rows = await app.db.select().from(mcpServer).where(eq(mcpServer.repositoryId, repositoryId)).orderBy(asc(mcpServer.name));
  return rows.map(specOf);
}

export async function addMcpServer(
  app: Pick<App, "db">,
  principal: Principal,
  repoName: string,
  input: CreateMcpServerInput,
): Promise<McpServerView> {
  const repo = await adminRepo(app, principal, repoName);
  const row = await app.db.transaction(async (tx) => {
    const [made] = await tx
      .insert(mcpServer)
      .values({
        id: crypto.randomUUID(),
        repositoryId: repo.id,
        name: input.name,
        transport: input.transport,
        command: input.transport === "stdio" ? input.command : null,
        args: input.transport === "stdio" ? (input.args ?? []) : [],
        url: input.transport === "http" ? input.url : null,
        envNames: input.envNames ?? [],
        createdBy: principal.userId,
      })
      .onConflictDoNothing({ target: [mcpServer.repositoryId, mcpServer.name] })
      .returning();
    if (made) {
      await recordAudit(tx, {
        teamId: repo.teamId,
        actor: actorOf(principal),
        action: "mcp_server.add",
        subject: { type: "mcp_server", id: made.id, label: made.name },
        details: { repo: repo.name, transport: made.transport, command: made.command, url: made.url },
      });
    }
    return made;
  });
  if (!row) throw fieldError("name", `repository ${repo.name} already has an MCP server named "${input.name}"`, "conflict");
  return viewOf(row, principal.email, repo.networkHosts);
}

/** Runs queued before keep the servers their job carries; later runs go without it. */
export async function removeMcpServer(app: Pick<App, "db">, principal: Principal, repoName: string, serverName: string): Promise<void> {
  const repo = await adminRepo(app, principal, repoName);
  const deleted = await app.db.transaction(async (tx) => {
    const gone = await tx
      .delete(mcpServer)
      .where(and(eq(mcpServer.repositoryId, repo.id), eq(mcpServer.name, serverName)))
      .returning({ id: mcpServer.id, name: mcpServer.name });
    if (gone[0]) {
      await recordAudit(tx, {
        teamId: repo.teamId,
        actor: actorOf(principal),
        action: "mcp_server.remove",
        subject: { type: "mcp_server", id: gone[0].id, label: gone[0].name },
        details: { repo: repo.name },
      });
    }
    return gone;
  });
  if (deleted.length === 0) throw notFound("MCP server");
}
