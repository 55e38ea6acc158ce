import { and, asc, desc, eq, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { runStatuses } from "../contracts/runLifecycle";
import { repository, run, user } from "../db/schema";
import { fieldError } from "../errors";
import { executors } from "../queue";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { needsPrincipalCondition, runVisibility, visibleRunsCondition } from "./runVisibility";
import { runView, type RunView } from "./runs";

/**
 * The runs list: the one query behind GET /api/runs and the runs page. Search and filters are
 * applied here, on top of the visibility rule (lib/services/runVisibility.ts), so no filter
 * can reach a run its caller may not see: `owner=<someone in another team>` finds nothing.
 */

// An empty field of a filter form (`?repo=`) means "no filter", not a bad value.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
// Links and forms send "1"/"on"/"true"; scripts may send booleans as words too.
const flag = z.preprocess(
  (v) => (v === "1" || v === "on" || v === "true" ? true : v === "0" || v === "false" || v === "" ? false : v),
  z.boolean({ message: 'must be "1" or "0"' }),
);

export const listRunsQuery = z.object({
  /** Text in the title, task or notes, shell command, branch, or the start of the run id. */
  q: optional(z.string().trim().max(200)),
  /** A repository's name. */
  repo: optional(z.string().trim().min(1).max(100)),
  /** The owner's email address. */
  owner: optional(z.email().trim().toLowerCase().max(320)),
  /** Only the caller's own runs. */
  mine: flag.default(false),
  /** Only runs waiting for the caller: an open approval or question, or their review. */
  needsMe: flag.default(false),
  status: optional(z.enum(runStatuses)),
  executor: optional(z.enum(executors)),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: optional(z.string().max(500)),
});
export type ListRunsQuery = z.infer<typeof listRunsQuery>;

/** The filter fields, in the order a URL carries them (the page and the list build links with it). */
export const runFilterFields = ["q", "repo", "owner", "mine", "needsMe", "status", "executor"] as const;
export type RunFilters = Pick<ListRunsQuery, (typeof runFilterFields)[number]>;

/** A run in the list: its view and whose it is (shown to those who see others' runs). */
export type RunListItem = RunView & { owner: { name: string; email: string } };
export type RunListPage = { runs: RunListItem[]; nextCursor: string | null };

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== "string") throw new Error("bad cursor");
    return { createdAt, id };
  } catch {
    throw fieldError("cursor", "is not a cursor returned by this API");
  }
}

const encodeCursor = (r: { createdAt: Date; id: string }) =>
  Buffer.from(JSON.stringify([r.createdAt.toISOString(), r.id])).toString("base64url");

// LIKE's own characters in a search are literal text.
const likePattern = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function searchCondition(q: string): SQL {
  const anywhere = `%${likePattern(q)}%`;
  return or(
    ilike(run.title, anywhere),
    ilike(run.prompt, anywhere),
    ilike(run.command, anywhere),
    ilike(run.branch, anywhere),
    ilike(run.id, `${likePattern(q)}%`),
  )!;
}

/** The conditions of a query, the caller's visibility first. */
function conditions(principal: Principal, query: ListRunsQuery): SQL[] {
  const where: SQL[] = [];
  where.push(visibleRunsCondition(runVisibility(principal)));
  if (query.q) where.push(searchCondition(query.q));
  if (query.repo) where.push(eq(repository.name, query.repo));
  if (query.owner) where.push(eq(sql`lower(${user.email})`, query.owner));
  if (query.mine) where.push(eq(run.userId, principal.userId));
  if (query.needsMe) where.push(needsPrincipalCondition(principal));
  if (query.status) where.push(eq(run.status, query.status));
  if (query.executor) where.push(eq(run.executor, query.executor));
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    where.push(or(lt(run.createdAt, c.createdAt), and(eq(run.createdAt, c.createdAt), lt(run.id, c.id)))!);
  }
  return where;
}

/** Newest first; the runs of the caller's team, narrowed by the query's search and filters. */
export async function listRuns(app: Pick<App, "db">, principal: Principal, query: ListRunsQuery): Promise<RunListPage> {
  const where = conditions(principal, query);
  const rows = await app.db
    .select({ run, repoName: repository.name, ownerName: user.name, ownerEmail: user.email })
    .from(run)
    .innerJoin(repository, eq(repository.id, run.repositoryId))
    .innerJoin(user, eq(user.id, run.userId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(run.createdAt), desc(run.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    runs: page.map((r) => ({ ...runView(r.run, r.repoName), owner: { name: r.ownerName, email: r.ownerEmail } })),
    nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.run) : null,
  };
}

/** Whose runs the owner filter can offer: everyone who has a run in the caller's team. */
export async function runOwners(app: Pick<App, "db">, principal: Principal): Promise<{ name: string; email: string }[]> {
  return app.db
    .selectDistinct({ name: user.name, email: user.email })
    .from(user)
    .innerJoin(run, eq(run.userId, user.id))
    .where(visibleRunsCondition(runVisibility(principal)))
    .orderBy(asc(user.email));
}
