import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { z } from "zod";
import { checkSpec, environmentFile, environmentSpec, workspaceRelativePath, type EnvironmentSpec } from "../contracts/environment";
import { envName, reservedEnvNames } from "../contracts/executorSpecs";
import { repository, repositoryEnvironment, user } from "../db/schema";
import { AppError, notFound, type FieldIssue } from "../errors";
import { networkHosts } from "../networkHosts";
import type { App } from "../server/app";
import type { Tx } from "../db/client";
import { actorOf, recordAudit } from "./audit";
import type { Principal } from "./principal";
import { repoFor } from "./repos";

/**
 * A repository's environment (issue 11): what runs once in the run's sandbox before the
 * executor, so the agent starts with the project's dependencies installed. Admins set it;
 * every signed-in user may read it, since it holds only names (of variables, hosts and files):
 * the values of the variables live in the job process's environment and never reach the web.
 * Every run's job carries it as stored now (lib/services/runPayload.ts).
 */

/**
 * Variables no setup may receive nor write into a file, whatever an admin names: AgentDesk's
 * own (they open the database, the queue, every session) and the model keys. A setup runs the
 * repository's code (an untrusted `npm ci` runs install scripts), and a file it places is
 * readable by the agent.
 */
const PLATFORM_SECRETS: ReadonlySet<string> = new Set([...reservedEnvNames, "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"]);

const setupVariable = envName.refine((name) => !PLATFORM_SECRETS.has(name), {
  error: (issue) => `${String(issue.input)} is AgentDesk's own secret and never reaches a setup or the agent`,
});

// A script as the contract checks it (size, no NUL). As an admin types it: blank means none, and
// line ends are made Unix ones (a browser sends a textarea's lines with CRLF; bash would take the
// CR as part of each command).
const scriptText = environmentSpec.shape.setupScript.unwrap().unwrap();
const scriptInput = z.preprocess((value) => {
  if (typeof value !== "string") return value;
  return value.trim() === "" ? null : value.replace(/\r\n?/g, "\n");
}, scriptText.nullable());

/** Lists as a form sends them (one text) or the API takes them (a JSON array); duplicates collapse. */
const listOf = <T extends z.ZodType<string>>(entry: T, separator: RegExp, max: number, what: string) =>
  z.preprocess(
    (value) => (typeof value === "string" ? value.split(separator).map((s) => s.trim()).filter(Boolean) : value),
    z
      .array(entry)
      .max(max, `at most ${max} ${what}`)
      .transform((items) => [...new Set(items)]),
  );

/** One phase's checks as an admin gives them: command line ends made Unix ones, names unique. */
const checkPhaseInput = z
  .array(checkSpec.extend({ command: z.preprocess((v) => (typeof v === "string" ? v.replace(/\r\n?/g, "\n") : v), checkSpec.shape.command) }))
  .max(10, "at most 10 checks")
  .superRefine((checks, ctx) => {
    const seen = new Set<string>();
    checks.forEach((check, index) => {
      if (seen.has(check.name)) ctx.addIssue({ code: "custom", path: [index, "name"], message: `${check.name} is listed twice` });
      seen.add(check.name);
    });
  });

/** The fields an admin sets, each validated as the API and the form both take them. */
export const environmentFields = z.object({
  setupScript: scriptInput.optional(),
  maintenanceScript: scriptInput.optional(),
  setupHosts: networkHosts.optional(),
  setupEnvNames: listOf(setupVariable, /[\s,]+/, 50, "variables").optional(),
  cacheKeyFiles: listOf(workspaceRelativePath, /\r?\n/, 20, "files").optional(),
  files: z
    .array(environmentFile.extend({ env: setupVariable }))
    .max(20, "at most 20 files")
    .superRefine((files, ctx) => {
      const seen = new Set<string>();
      files.forEach((file, index) => {
        const key = file.path.replace(/^\.\//, "");
        if (seen.has(key)) ctx.addIssue({ code: "custom", path: [index, "path"], message: `${file.path} is listed twice` });
        seen.add(key);
      });
    })
    .optional(),
  useRepositoryFile: z.boolean().optional(),
  // Repository hooks (lib/contracts/runChecks.ts): their variables are refused AgentDesk's secrets like the setup's.
  checks: z
    .object({ pre: checkPhaseInput, post: checkPhaseInput, onError: checkPhaseInput })
    .partial()
    .strict()
    .optional(),
  checkEnvNames: listOf(setupVariable, /[\s,]+/, 50, "variables").optional(),
  checkHosts: networkHosts.optional(),
});

/** The settings as PUT /api/repos/:name/environment takes them; unset fields take their defaults. */
export const environmentInput = environmentFields.strict().transform((input): EnvironmentSpec => environmentSpec.parse(input));
export type EnvironmentInput = z.input<typeof environmentInput>;

export type EnvironmentView = {
  repo: string;
  /** null: the admin set nothing (the repository's own `.agentdesk/environment.json` may still give a setup). */
  environment: EnvironmentSpec | null;
  updatedBy: string | null;
  updatedAt: string | null;
};

/**
 * Names the repositories' git credentials are kept under: they go only to their remote, never
 * into a sandbox, so a setup must not be given one (nor write one into a file).
 */
async function credentialNames(app: Pick<App, "db">): Promise<Set<string>> {
  const rows = await app.db
    .select({ name: repository.credentialEnv })
    .from(repository)
    .where(isNotNull(repository.credentialEnv));
  return new Set(rows.map((r) => r.name!));
}

function refuseCredentials(spec: EnvironmentSpec, credentials: ReadonlySet<string>): void {
  const message = (name: string) => `${name} holds a repository's git credential; it goes only to its remote, never into a sandbox`;
  const issues: FieldIssue[] = [
    ...spec.setupEnvNames.flatMap((name, i) => (credentials.has(name) ? [{ path: `setupEnvNames.${i}`, message: message(name) }] : [])),
    ...spec.files.flatMap((file, i) => (credentials.has(file.env) ? [{ path: `files.${i}.env`, message: message(file.env) }] : [])),
  ];
  if (issues.length) {
    throw new AppError("invalid_request", `Invalid request body: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  }
}

/** A stored spec, validated again: a row written by an older version may no longer fit the contract. */
function storedSpec(stored: unknown): EnvironmentSpec {
  const parsed = environmentSpec.safeParse(stored);
  if (parsed.success) return parsed.data;
  const why = parsed.error.issues.map((i) => `${i.path.join(".") || "spec"}: ${i.message}`).join("; ");
  throw new AppError("conflict", `the repository's environment is no longer valid (${why}); an admin must save it again`);
}


/** Members of the repository's team read its environment (names only, nothing secret). */
export async function getEnvironment(app: Pick<App, "db">, principal: Principal, repoName: string): Promise<EnvironmentView> {
  const repo = await repoFor(app, principal, repoName, "read");
  const [row] = await app.db
    .select({ env: repositoryEnvironment, by: user.email })
    .from(repositoryEnvironment)
    .leftJoin(user, eq(user.id, repositoryEnvironment.updatedBy))
    .where(eq(repositoryEnvironment.repositoryId, repo.id))
    .limit(1);
  if (!row) return { repo: repo.name, environment: null, updatedBy: null, updatedAt: null };
  return {
    repo: repo.name,
    environment: storedSpec(row.env.spec),
    updatedBy: row.by,
    updatedAt: row.env.updatedAt.toISOString(),
  };
}

function auditEnvironment(tx: Tx, principal: Principal, repo: { id: string; name: string; teamId: string }, action: "environment.set" | "environment.delete") {
  return recordAudit(tx, { teamId: repo.teamId, actor: actorOf(principal), action, subject: { type: "repository", id: repo.id, label: repo.name }, details: {} });
}

/** Replaces the repository's environment. Runs already queued keep the one their job carries. */
export async function setEnvironment(
  app: Pick<App, "db">,
  principal: Principal,
  repoName: string,
  spec: EnvironmentSpec,
): Promise<EnvironmentView> {
  const repo = await repoFor(app, principal, repoName, "manage");
  refuseCredentials(spec, await credentialNames(app));
  const now = new Date();
  const [row] = await app.db.transaction(async (tx) => {
    const written = await tx
      .insert(repositoryEnvironment)
      .values({ repositoryId: repo.id, spec, updatedBy: principal.userId, updatedAt: now })
      .onConflictDoUpdate({ target: repositoryEnvironment.repositoryId, set: { spec, updatedBy: principal.userId, updatedAt: now } })
      .returning();
    await auditEnvironment(tx, principal, repo, "environment.set");
    return written;
  });
  return { repo: repo.name, environment: storedSpec(row!.spec), updatedBy: principal.email, updatedAt: row!.updatedAt.toISOString() };
}

/** Removes the admin's settings: later runs use the repository's own file, if any, or nothing. */
export async function deleteEnvironment(app: Pick<App, "db">, principal: Principal, repoName: string): Promise<void> {
  const repo = await repoFor(app, principal, repoName, "manage");
  const deleted = await app.db.transaction(async (tx) => {
    const gone = await tx
      .delete(repositoryEnvironment)
      .where(eq(repositoryEnvironment.repositoryId, repo.id))
      .returning({ id: repositoryEnvironment.repositoryId });
    if (gone.length > 0) await auditEnvironment(tx, principal, repo, "environment.delete");
    return gone;
  });
  if (deleted.length === 0) throw notFound("Environment");
}

/** The environment a run's job carries: the repository's as stored now, or null when none is set. */
export async function environmentSpecOf(app: Pick<App, "db">, repositoryId: string): Promise<EnvironmentSpec | null> {
  const [row] = await app.db
    .select({ spec: repositoryEnvironment.spec })
    .from(repositoryEnvironment)
    .where(eq(repositoryEnvironment.repositoryId, repositoryId))
    .limit(1);
  return row ? storedSpec(row.spec) : null;
}

/**
 * Every repository's environment by repository name, for the repositories page: "invalid" for
 * one stored by an older version that no longer fits (its page says why); none set: absent.
 */
export async function environmentsByRepo(app: Pick<App, "db">, principal: Principal): Promise<Record<string, EnvironmentSpec | "invalid">> {
  if (!principal.team) return {};
  const rows = await app.db
    .select({ name: repository.name, spec: repositoryEnvironment.spec })
    .from(repositoryEnvironment)
    .innerJoin(repository, eq(repository.id, repositoryEnvironment.repositoryId))
    .where(and(eq(repository.teamId, principal.team.id), isNull(repository.deletedAt)));
  return Object.fromEntries(
    rows.map((r) => {
      const parsed = environmentSpec.safeParse(r.spec);
      return [r.name, parsed.success ? parsed.data : "invalid"];
    }),
  );
}
