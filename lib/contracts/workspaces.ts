import { z } from "zod";

/**
 * What is on each job process's disk besides the environment caches (those have their own
 * report, lib/contracts/environment.ts): run workspaces, prepared checkouts of the workspace
 * pool, and mirrors. Each job process measures its own (jobs/workspaces/), reports them in
 * Redis beside its advert, sweeps left-over run workspaces by age and size, and takes delete
 * requests from admins on its own list. The web only reads reports and queues requests; it
 * never names a path: a request carries an id, which the job process resolves inside its own
 * DATA_DIR.
 */

/**
 * A run workspace is the run's folder `<DATA_DIR>/runs/<runId>` (its repository and attempts);
 * a pool entry is one prepared checkout `<DATA_DIR>/workspace-pool/<pool>/<entry>`.
 * Ids: `run~<runId>`, `pool~<pool>~<entry>`: one path segment, no `/`, no `..`.
 */
export const workspaceKinds = ["run", "pool"] as const;
export type WorkspaceKind = (typeof workspaceKinds)[number];

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const POOL_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,79}$/;
const POOL_ENTRY = /^\d{13}-(?:[0-9a-f]{40}|[0-9a-f]{64})-[0-9a-f]{8}$/;

export type ParsedWorkspaceId = { kind: "run"; runId: string } | { kind: "pool"; pool: string; entry: string };

/** The id's parts, or null when it is not an id of ours (a path, `..`, anything else). */
export function parseWorkspaceId(id: string): ParsedWorkspaceId | null {
  const parts = id.split("~");
  if (parts[0] === "run" && parts.length === 2 && RUN_ID.test(parts[1]!)) return { kind: "run", runId: parts[1]! };
  if (parts[0] === "pool" && parts.length === 3 && POOL_NAME.test(parts[1]!) && !parts[1]!.includes("..") && POOL_ENTRY.test(parts[2]!)) {
    return { kind: "pool", pool: parts[1]!, entry: parts[2]! };
  }
  return null;
}

export const runWorkspaceId = (runId: string) => `run~${runId}`;
export const poolWorkspaceId = (pool: string, entry: string) => `pool~${pool}~${entry}`;

export const workspaceId = z
  .string()
  .max(300)
  .refine((id) => parseWorkspaceId(id) !== null, "must be a workspace id (run~<run id> or pool~<pool>~<entry>)");

/** What a job process measured of a folder: a walk of bounded time (`partial`: it stopped early). */
const measured = {
  bytes: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  partial: z.boolean(),
  /** The newest modification inside (what "age" and the sweep go by). */
  lastUsedAt: z.iso.datetime(),
  /** When the folder was made. */
  createdAt: z.iso.datetime(),
};

/**
 * A run's state as its job process sees it: `active` (running here now), `suspended` (waiting
 * for a person; it resumes from this folder, so it is kept), `left-over` (neither: review,
 * a finished or crashed run; the sweep and admins may delete it; the run's branch stays in its
 * Redis bundle until the run ends, so push and resume still work).
 */
export const runWorkspaceStates = ["active", "suspended", "left-over"] as const;
export type RunWorkspaceState = (typeof runWorkspaceStates)[number];

export const runWorkspaceEntry = z.object({
  id: z.string(),
  runId: z.string(),
  /** The run's branch in its repository (null: no repository, only attempt folders). */
  branch: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  state: z.enum(runWorkspaceStates),
  ...measured,
});
export type RunWorkspaceEntry = z.infer<typeof runWorkspaceEntry>;

export const poolWorkspaceEntry = z.object({
  id: z.string(),
  /** The pool's name: its mirror's folder name (repository name and URL hash). */
  pool: z.string(),
  sha: z.string(),
  ...measured,
});
export type PoolWorkspaceEntry = z.infer<typeof poolWorkspaceEntry>;

export const mirrorEntry = z.object({
  name: z.string(),
  /** Run repositories on this job process that borrow its objects. */
  usedByRuns: z.number().int().nonnegative(),
  ...measured,
});
export type MirrorEntry = z.infer<typeof mirrorEntry>;

export const workspaceReport = z.object({
  worker: z.string(),
  host: z.string(),
  reportedAt: z.iso.datetime(),
  maxAgeHours: z.number().positive(),
  maxBytes: z.number().int().nonnegative(),
  runs: z.array(runWorkspaceEntry),
  pool: z.array(poolWorkspaceEntry),
  mirrors: z.array(mirrorEntry),
});
export type WorkspaceReport = z.infer<typeof workspaceReport>;

/** Each job process's report (JSON workspaceReport), expiring with its advert. */
export const workspaceReportKey = (prefix: string, worker: string) => `${prefix}workspaces:${worker}`;

/** An admin's delete, on the owning job process's list. */
export const workspaceDeleteRequest = z.object({
  requestId: z.uuid(),
  id: workspaceId,
  at: z.iso.datetime(),
});
export type WorkspaceDeleteRequest = z.infer<typeof workspaceDeleteRequest>;
/** The job process's Redis list of delete requests (JSON workspaceDeleteRequest), read oldest first. */
export const workspaceDeleteRequestsKey = (prefix: string, worker: string) => `${prefix}workspace-deletes:${worker}`;
/** How long an unread request list lives: a job process gone meanwhile never deletes later by surprise. */
export const WORKSPACE_DELETE_REQUEST_TTL_SEC = 60;

export const workspaceDeleteOutcomes = ["deleted", "refused", "not_found"] as const;
export const workspaceDeleteResult = z.object({
  requestId: z.uuid(),
  id: z.string(),
  outcome: z.enum(workspaceDeleteOutcomes),
  /** Why it was refused (the run is active here, the id is not ours, …). */
  reason: z.string().nullable(),
  /** What the deleted folder measured last. */
  bytes: z.number().int().nonnegative(),
  worker: z.string(),
  at: z.iso.datetime(),
});
export type WorkspaceDeleteResult = z.infer<typeof workspaceDeleteResult>;
/** The job process's answer to one request (JSON workspaceDeleteResult), kept briefly for the web to read. */
export const workspaceDeleteResultKey = (prefix: string, requestId: string) => `${prefix}workspace-delete-result:${requestId}`;
export const WORKSPACE_DELETE_RESULT_TTL_SEC = 300;
