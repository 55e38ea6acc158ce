import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, asc, count, eq, isNull, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import { credentialEnvName } from "../config";
import { terminalStatuses } from "../contracts/runLifecycle";
import type { RepoCheckResult } from "../contracts/repoCheck";
import type { AuditDetails } from "../auditActions";
import type { Db, Tx } from "../db/client";
import { approvalRule, mcpServer, repository, repositoryEnvironment, run, schedule } from "../db/schema";
import { AppError, fieldError } from "../errors";
import { branchName } from "../gitNames";
import { githubRepoFromUrl, githubRepoName } from "../githubRepo";
import { networkHosts } from "../networkHosts";
import type { App } from "../server/app";
import type { TeamAction } from "../teamRoles";
import { actorOf, recordAudit } from "./audit";
import type { Principal } from "./principal";
import { requestRepoCheck } from "./repoCheckRequest";
import { activeTeam, assertActiveTeamAllows, assertTeamAllows } from "./teams";

// A form's empty field means "not given".
const blankAsUndefined = (schema: z.ZodType<string, string>) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(schema.optional());

const repoName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "use letters, digits, '.', '_' or '-' (max 64)");

export const createRepoInput = z.object({
  name: repoName,
  url: z.string().trim().min(1, "is required").max(2000),
  defaultBranch: branchName.optional(),
  credentialEnv: blankAsUndefined(credentialEnvName),
  // Derived from github.com URLs; set it for a mirror or an Enterprise server's repository.
  githubRepo: blankAsUndefined(githubRepoName),
  // Hosts runs on it may reach through the sandbox's filtering proxy; none by default.
  networkHosts: networkHosts.optional(),
});
export type CreateRepoInput = z.infer<typeof createRepoInput>;

export type RepoView = {
  id: string;
  name: string;
  url: string;
  defaultBranch: string;
  credentialEnv: string | null;
  githubRepo: string | null;
  networkHosts: string[];
  createdAt: Date;
};

/**
 * An admin's edit of a registered repository (PATCH /api/repos/:name): every field optional,
 * a field left out stays as it is; `credentialEnv` and `githubRepo` null (or "") clear them.
 * `{ networkHosts }` alone is the older "replace the hosts" request, still the same call.
 */
const clearable = (schema: z.ZodType<string, string>) =>
  z
    .string()
    .trim()
    .nullable()
    .optional()
    .transform((v) => (v === "" ? null : v))
    .pipe(schema.nullable().optional());

export const updateRepoInput = z
  .object({
    name: repoName.optional(),
    url: z.string().trim().min(1, "is required").max(2000).optional(),
    defaultBranch: branchName.optional(),
    credentialEnv: clearable(credentialEnvName),
    githubRepo: clearable(githubRepoName),
    networkHosts: networkHosts.optional(),
  })
  .strict();
export type UpdateRepoInput = z.infer<typeof updateRepoInput>;

/**
 * PATCH /api/repos/:name's body: an empty one is a mistake (a misspelt field is refused by
 * strict()), not a no-op. Separate from updateRepoInput, which the edit form extends (zod
 * cannot omit fields of a refined object).
 */
export const updateRepoRequest = updateRepoInput.refine((v) => Object.values(v).some((field) => field !== undefined), {
  message: "give at least one field to change: name, url, defaultBranch, credentialEnv, githubRepo or networkHosts",
});

// No user or host beginning with "-": ssh would take it for an option (-oProxyCommand=…).
const SCP_LIKE = /^[A-Za-z0-9._][A-Za-z0-9._-]*@[A-Za-z0-9.][A-Za-z0-9.-]*:[^\s]+$/;

/**
 * Checks a repository URL: remote git URLs always; local paths only when ALLOW_LOCAL_REPOS=1.
 * Credentials never go in the URL: they live in the job process's environment, named by
 * credentialEnv.
 */
export function normalizeRepoUrl(raw: string, allowLocal: boolean): string {
  if (SCP_LIKE.test(raw)) return raw;
  let local: string | undefined;
  if (raw.startsWith("/") || raw.startsWith("file://")) {
    local = raw.startsWith("file://") ? decodeURIComponent(new URL(raw).pathname) : raw;
  } else {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw fieldError("url", "is not a git URL (https://…, ssh://…, git@host:owner/repo.git or a local path)");
    }
    if (!["https:", "http:", "ssh:", "git:"].includes(url.protocol)) {
      throw fieldError("url", `protocol ${url.protocol} is not supported`);
    }
    if (url.hostname.startsWith("-") || url.username.startsWith("-")) {
      throw fieldError("url", "a host or user name must not begin with '-'");
    }
    if (url.password || (url.username && url.protocol.startsWith("http"))) {
      throw fieldError(
        "url",
        "must not contain credentials; put the token in an environment variable of the job process and name it in credentialEnv",
      );
    }
    return url.toString().replace(/\/$/, "");
  }
  if (!allowLocal) {
    throw fieldError("url", "local paths are allowed only when ALLOW_LOCAL_REPOS=1 (development and tests)", "unprocessable");
  }
  const resolved = path.resolve(local);
  if (!fs.existsSync(resolved)) throw fieldError("url", `no such directory: ${resolved}`, "unprocessable");
  return resolved;
}

function toView(row: typeof repository.$inferSelect): RepoView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    defaultBranch: row.defaultBranch,
    credentialEnv: row.credentialEnv,
    githubRepo: row.githubRepo,
    networkHosts: row.networkHosts,
    createdAt: row.createdAt,
  };
}

export async function createRepo(
  app: Pick<App, "db" | "config">,
  principal: Principal,
  input: CreateRepoInput,
): Promise<RepoView> {
  const team = assertActiveTeamAllows(principal, "manage", "Team");
  const url = normalizeRepoUrl(input.url, app.config.allowLocalRepos);
  if (await repoInTeam(app, team.id, input.name)) throw fieldError("name", `a repository named "${input.name}" already exists`, "conflict");
  const row = await app.db.transaction(async (tx) => {
    const [made] = await tx
      .insert(repository)
      .values({
        id: crypto.randomUUID(),
        teamId: team.id,
        name: input.name,
        url,
        defaultBranch: input.defaultBranch ?? "main",
        credentialEnv: input.credentialEnv ?? null,
        githubRepo: input.githubRepo ?? githubRepoFromUrl(url, app.config.githubApiUrl),
        networkHosts: input.networkHosts ?? [],
        createdBy: principal.userId,
      })
      .onConflictDoNothing({ target: [repository.teamId, repository.name], where: isNull(repository.deletedAt) })
      .returning();
    if (made) await auditRepo(tx, principal, made, "repo.create", { url: made.url, defaultBranch: made.defaultBranch });
    return made;
  });
  if (!row) throw fieldError("name", `a repository named "${input.name}" already exists`, "conflict");
  return toView(row);
}

/** The repositories of the principal's team (deleted ones are gone); none outside a team. */
export async function listRepos(app: Pick<App, "db">, principal: Principal): Promise<RepoView[]> {
  if (!principal.team) return [];
  const rows = await app.db
    .select()
    .from(repository)
    .where(and(eq(repository.teamId, principal.team.id), isNull(repository.deletedAt)))
    .orderBy(asc(repository.name));
  return rows.map(toView);
}

/** The team's registered repository of that name; a deleted one is not found. */
export async function repoInTeam(app: Pick<App, "db">, teamId: string, name: string) {
  const rows = await app.db
    .select()
    .from(repository)
    .where(and(eq(repository.teamId, teamId), eq(repository.name, name), isNull(repository.deletedAt)))
    .limit(1);
  return rows[0] ?? null;
}

/** Whether any team has a live repository of that name (instance-wide things: caches). */
export async function anyRepoNamed(app: Pick<App, "db">, name: string): Promise<boolean> {
  const rows = await app.db
    .select({ id: repository.id })
    .from(repository)
    .where(and(eq(repository.name, name), isNull(repository.deletedAt)))
    .limit(1);
  return rows.length > 0;
}

export const noSuchRepo = (name: string) => new AppError("not_found", `no repository named "${name}" is registered`);

/**
 * The repository of that name in the principal's team, for `action` (lib/teamRoles.ts): 404
 * when the team has none (another team's is none), then 403 when the role is too small.
 */
export async function repoFor(app: Pick<App, "db">, principal: Principal, name: string, action: TeamAction) {
  const repo = principal.team ? await repoInTeam(app, principal.team.id, name) : null;
  if (!repo) throw noSuchRepo(name);
  assertTeamAllows(principal, repo.teamId, action, "Repository");
  return repo;
}

/**
 * The repository a new run or schedule names (`repo` in its body): 404 outside any team, 422
 * naming the field when the team has none of that name, 403 when the role is too small.
 */
export async function repoToRunOn(app: Pick<App, "db">, principal: Principal, name: string, action: TeamAction) {
  const team = activeTeam(principal, "Team");
  const repo = await repoInTeam(app, team.id, name);
  if (!repo) throw fieldError("repo", `no repository named "${name}" is registered`, "unprocessable");
  assertTeamAllows(principal, repo.teamId, action, "Repository");
  return repo;
}

/** The repository a team admin acts on: 404 when there is none, then 403 for anyone else. */
const repoForAdmin = (app: Pick<App, "db">, principal: Principal, name: string) => repoFor(app, principal, name, "manage");

/**
 * An admin's edit of a repository. Runs already queued keep what they were created with (their
 * job carries the repository); new runs, schedules' next runs, pushes of later reviews use the
 * new values. A new URL gets its own mirror (mirrors are named by URL).
 */
export async function updateRepo(
  app: Pick<App, "db" | "config">,
  principal: Principal,
  name: string,
  input: UpdateRepoInput,
): Promise<RepoView> {
  const repo = await repoForAdmin(app, principal, name);
  const changes: Partial<typeof repository.$inferInsert> = {};
  if (input.name !== undefined && input.name !== repo.name) {
    if (await repoInTeam(app, repo.teamId, input.name)) throw fieldError("name", `a repository named "${input.name}" already exists`, "conflict");
    changes.name = input.name;
  }
  if (input.url !== undefined) {
    changes.url = normalizeRepoUrl(input.url, app.config.allowLocalRepos);
    // A github.com URL names its pull-request repository unless the admin set one in this edit.
    if (input.githubRepo === undefined && changes.url !== repo.url) {
      changes.githubRepo = githubRepoFromUrl(changes.url, app.config.githubApiUrl) ?? repo.githubRepo;
    }
  }
  if (input.defaultBranch !== undefined) changes.defaultBranch = input.defaultBranch;
  if (input.credentialEnv !== undefined) changes.credentialEnv = input.credentialEnv;
  if (input.githubRepo !== undefined) changes.githubRepo = input.githubRepo;
  if (input.networkHosts !== undefined) changes.networkHosts = input.networkHosts;
  if (Object.keys(changes).length === 0) return toView(repo);
  try {
    const row = await app.db.transaction(async (tx) => {
      const [edited] = await tx.update(repository).set(changes).where(eq(repository.id, repo.id)).returning();
      await auditRepo(tx, principal, edited!, "repo.update", { changed: Object.keys(changes) });
      return edited!;
    });
    return toView(row);
  } catch (e) {
    // Another admin took the name between the check and the write (the unique index says so).
    if (changes.name && /repository_team_live_name_idx|unique/i.test(String((e as Error).message))) {
      throw fieldError("name", `a repository named "${changes.name}" already exists`, "conflict");
    }
    throw e;
  }
}

/**
 * Replaces the hosts a repository's runs may reach (admins only: it opens the sandbox's
 * network). Runs already queued keep the list they were created with.
 */
export async function setRepoNetworkHosts(
  app: Pick<App, "db" | "config">,
  principal: Principal,
  name: string,
  hosts: string[],
): Promise<RepoView> {
  return updateRepo(app, principal, name, { networkHosts: hosts });
}

function auditRepo<A extends "repo.create" | "repo.update" | "repo.delete">(
  tx: Tx,
  principal: Principal,
  repo: typeof repository.$inferSelect,
  action: A,
  details: AuditDetails<A>,
) {
  return recordAudit(tx, { teamId: repo.teamId, actor: actorOf(principal), action, subject: { type: "repository", id: repo.id, label: repo.name }, details });
}

export type RepoUsage = { activeRuns: number; finishedRuns: number; schedules: number };

/** What refers to a repository: what deleting it would refuse over, keep or remove. */
export async function repoUsage(db: Db | Tx, repositoryId: string): Promise<RepoUsage> {
  const [runs] = await db
    .select({ all: count(), active: count(sql`case when ${notInArray(run.status, [...terminalStatuses])} then 1 end`) })
    .from(run)
    .where(eq(run.repositoryId, repositoryId));
  const [schedules] = await db.select({ n: count() }).from(schedule).where(eq(schedule.repositoryId, repositoryId));
  const activeRuns = runs?.active ?? 0;
  return { activeRuns, finishedRuns: (runs?.all ?? 0) - activeRuns, schedules: schedules?.n ?? 0 };
}

export type RepoDeletion = { name: string; kept: "none" | "finished-runs"; finishedRuns: number; schedulesRemoved: number };

/**
 * Deletes a repository. Refused (409) while any of its runs is unfinished (queued, running,
 * waiting for a person, awaiting review or pushing): cancel or finish them first. Its schedules,
 * MCP servers, environment and approval rules go with it. Finished runs stay readable: when it
 * has any, the repository row is kept, marked deleted (hidden from every list and lookup, its
 * name free for a new one); without runs it is removed outright.
 */
export async function deleteRepo(app: Pick<App, "db">, principal: Principal, name: string): Promise<RepoDeletion> {
  const repo = await repoForAdmin(app, principal, name);
  return app.db.transaction(async (tx) => {
    // The row's lock orders two deletes (and a delete and an edit) of the same repository.
    const [locked] = await tx.select().from(repository).where(eq(repository.id, repo.id)).for("update");
    if (!locked || locked.deletedAt) throw new AppError("not_found", `no repository named "${name}" is registered`);
    const usage = await repoUsage(tx, repo.id);
    if (usage.activeRuns > 0) {
      throw new AppError(
        "conflict",
        `"${name}" has ${usage.activeRuns} unfinished run${usage.activeRuns === 1 ? "" : "s"} (queued, running, waiting or in review); cancel or finish ${usage.activeRuns === 1 ? "it" : "them"} first`,
      );
    }
    await tx.delete(schedule).where(eq(schedule.repositoryId, repo.id));
    await tx.delete(approvalRule).where(and(eq(approvalRule.scope, "repo"), eq(approvalRule.scopeId, repo.id)));
    await tx.delete(mcpServer).where(eq(mcpServer.repositoryId, repo.id));
    await tx.delete(repositoryEnvironment).where(eq(repositoryEnvironment.repositoryId, repo.id));
    if (usage.finishedRuns > 0) {
      await tx.update(repository).set({ deletedAt: new Date() }).where(eq(repository.id, repo.id));
    } else {
      await tx.delete(repository).where(eq(repository.id, repo.id));
    }
    await auditRepo(tx, principal, locked, "repo.delete", { kept: usage.finishedRuns > 0 });
    return {
      name,
      kept: usage.finishedRuns > 0 ? "finished-runs" : "none",
      finishedRuns: usage.finishedRuns,
      schedulesRemoved: usage.schedules,
    };
  });
}

/** How long the web waits for a job process's answer to "Test connection". */
const CHECK_WAIT_MS = 30_000;

export type RepoCheckView = Omit<RepoCheckResult, "branchNames"> & { repo: string; url: string; defaultBranch: string; credentialEnv: string | null };

/**
 * "Test connection": a job process lists the remote's branches (`git ls-remote`) with the
 * repository's credential, under the same git rules as a run's fetch (jobs/repoCheck.ts); the
 * web holds no credential. 503 when no job process is running or none answers in time.
 */
export async function testRepoConnection(
  app: Pick<App, "db" | "redis" | "config">,
  principal: Principal,
  name: string,
  waitMs = CHECK_WAIT_MS,
): Promise<RepoCheckView> {
  const repo = await repoForAdmin(app, principal, name);
  const { branchNames: _names, ...result } = await requestRepoCheck(
    app,
    { url: repo.url, credentialEnv: repo.credentialEnv, defaultBranch: repo.defaultBranch },
    "test the connection",
    waitMs,
  );
  return { ...result, repo: repo.name, url: repo.url, defaultBranch: repo.defaultBranch, credentialEnv: repo.credentialEnv };
}
