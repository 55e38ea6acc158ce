import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { credentialEnvName } from "../config";
import { repository } from "../db/schema";
import { AppError, fieldError } from "../errors";
import { branchName } from "../gitNames";
import { githubRepoFromUrl, githubRepoName } from "../githubRepo";
import { networkHosts } from "../networkHosts";
import type { App } from "../server/app";
import { isAdmin, type Principal } from "./principal";

// A form's empty field means "not given".
const blankAsUndefined = (schema: z.ZodType<string, string>) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(schema.optional());

export const createRepoInput = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "use letters, digits, '.', '_' or '-' (max 64)"),
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

/** An admin's change of what runs on a repository may reach over the network. */
export const updateRepoNetworkInput = z.object({ networkHosts });

const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/;

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
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an admin can register repositories");
  const url = normalizeRepoUrl(input.url, app.config.allowLocalRepos);
  const existing = await app.db.select({ id: repository.id }).from(repository).where(eq(repository.name, input.name));
  if (existing.length) throw fieldError("name", `a repository named "${input.name}" already exists`, "conflict");
  const [row] = await app.db
    .insert(repository)
    .values({
      id: crypto.randomUUID(),
      name: input.name,
      url,
      defaultBranch: input.defaultBranch ?? "main",
      credentialEnv: input.credentialEnv ?? null,
      githubRepo: input.githubRepo ?? githubRepoFromUrl(url, app.config.githubApiUrl),
      networkHosts: input.networkHosts ?? [],
      createdBy: principal.userId,
    })
    .onConflictDoNothing({ target: repository.name })
    .returning();
  if (!row) throw fieldError("name", `a repository named "${input.name}" already exists`, "conflict");
  return toView(row);
}

/** Every signed-in user may pick any registered repository for a run. */
export async function listRepos(app: Pick<App, "db">): Promise<RepoView[]> {
  const rows = await app.db.select().from(repository).orderBy(asc(repository.name));
  return rows.map(toView);
}

export async function repoByName(app: Pick<App, "db">, name: string) {
  const rows = await app.db.select().from(repository).where(eq(repository.name, name)).limit(1);
  return rows[0] ?? null;
}

/**
 * Replaces the hosts a repository's runs may reach (admins only: it opens the sandbox's
 * network). Runs already queued keep the list they were created with.
 */
export async function setRepoNetworkHosts(
  app: Pick<App, "db">,
  principal: Principal,
  name: string,
  hosts: string[],
): Promise<RepoView> {
  const repo = await repoByName(app, name);
  if (!repo) throw new AppError("not_found", `no repository named "${name}" is registered`);
  if (!isAdmin(principal)) throw new AppError("forbidden", "Only an admin can change which hosts a repository's runs may reach");
  const [row] = await app.db.update(repository).set({ networkHosts: hosts }).where(eq(repository.id, repo.id)).returning();
  return toView(row!);
}
