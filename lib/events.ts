import { z } from "zod";
import { inputKinds } from "./contracts/inputRequests";
import { checkFinishedFields, checkStartedFields } from "./contracts/runChecks";

/**
 * The run event contract (DESIGN.md "Event"). Both processes import this one schema: the job
 * process to build events, the web process to validate what it reads back from Redis before
 * it reaches the database or a browser.
 */

const diffFile = z.object({
  path: z.string(),
  oldPath: z.string().optional(),
  status: z.enum(["added", "modified", "deleted", "renamed", "copied", "type_changed"]),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  binary: z.boolean(),
});
export type DiffFile = z.infer<typeof diffFile>;

/**
 * Push protection: a known secret's value (or a trivial encoding of it) found in a run's
 * changes. `secret` is the variable's name, never the value; `line` is the line in the new
 * file, 0 when the file's name holds it.
 */
export const secretFinding = z.object({
  file: z.string(),
  line: z.number().int().nonnegative(),
  secret: z.string(),
});
export type SecretFinding = z.infer<typeof secretFinding>;

/**
 * What a file tool changed in one file, for the feed (the job process alone knows the file's
 * previous content): the hunks of a unified diff in jsdiff's `structuredPatch` shape (Claude
 * Code reports its writes in the same shape), capped. `additions`/`deletions` count the whole
 * change; `omittedLines` the diff lines left out past the cap (0: all shown).
 */
export const fileChange = z.object({
  path: z.string(),
  created: z.boolean(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  hunks: z.array(
    z.object({
      oldStart: z.number().int().nonnegative(),
      oldLines: z.number().int().nonnegative(),
      newStart: z.number().int().nonnegative(),
      newLines: z.number().int().nonnegative(),
      lines: z.array(z.string()),
    }),
  ),
  omittedLines: z.number().int().nonnegative(),
});
export type FileChange = z.infer<typeof fileChange>;

const usageTotals = {
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
};

/** Where a run's environment came from: the admin's settings, the repository's own file, or both. */
export const environmentSources = ["admin", "repository", "admin and repository"] as const;
export type EnvironmentSource = (typeof environmentSources)[number];
/** `hit`: restored as cached; `maintenance`: an older cache restored and brought up to date; `miss`: set up from scratch. */
export const environmentCacheOutcomes = ["hit", "maintenance", "miss"] as const;
export type EnvironmentCacheOutcome = (typeof environmentCacheOutcomes)[number];

/** What a producer appends: the type and its own fields. `runId`, `seq`, `at` are added on append. */
export const eventBody = z.discriminatedUnion("type", [
  z.object({ type: z.literal("run.queued"), executor: z.string(), repo: z.string() }),
  // The run waits for these runs to finish well before its job is added (lib/contracts/runDependencies.ts).
  z.object({ type: z.literal("run.waiting"), on: z.array(z.string()).min(1) }),
  // They did: the run's job is added now.
  z.object({ type: z.literal("run.released"), after: z.array(z.string()).min(1) }),
  z.object({
    type: z.literal("run.started"),
    attempt: z.number().int().positive(),
    worker: z.string(),
    resumed: z.boolean().default(false),
  }),
  z.object({
    type: z.literal("workspace.ready"),
    branch: z.string(),
    baseBranch: z.string(),
    baseSha: z.string(),
    durationMs: z.number().nonnegative(),
  }),
  // The repository's environment (jobs/environment/): set up, restored from this job process's
  // cache, or restored and maintained; its script's output is `log` events with `callId: stepId`.
  z.object({
    type: z.literal("environment.started"),
    stepId: z.string(),
    source: z.enum(environmentSources),
    // What the cache offered: the exact environment, an older one to maintain, or nothing.
    cache: z.enum(environmentCacheOutcomes),
  }),
  z.object({
    type: z.literal("environment.finished"),
    stepId: z.string(),
    ok: z.boolean(),
    // What actually happened (a restore that failed became a setup: "miss").
    cache: z.enum(environmentCacheOutcomes),
    durationMs: z.number().nonnegative(),
    // The script's exit code when one ran and failed (null: killed by a signal).
    exitCode: z.number().int().nullable().optional(),
    // The environment's size in the workspace (what the cache holds).
    bytes: z.number().int().nonnegative().optional(),
    files: z.number().int().nonnegative().optional(),
    error: z.string().optional(),
  }),
  // A repository hook (lib/contracts/runChecks.ts); its output is `log` events with `callId: checkId`.
  z.object({ type: z.literal("check.started"), ...checkStartedFields }),
  z.object({ type: z.literal("check.finished"), ...checkFinishedFields }),
  z.object({ type: z.literal("assistant.text"), text: z.string(), messageId: z.string().optional() }),
  // An agent's plan (ACP agents send one and replace it as they go): the whole list each time.
  z.object({
    type: z.literal("agent.plan"),
    entries: z.array(
      z.object({
        content: z.string(),
        status: z.enum(["pending", "in_progress", "completed"]),
        priority: z.enum(["high", "medium", "low"]),
      }),
    ),
  }),
  z.object({
    type: z.literal("tool.started"),
    callId: z.string(),
    tool: z.string(),
    input: z.unknown(),
  }),
  z.object({
    type: z.literal("tool.finished"),
    callId: z.string(),
    ok: z.boolean(),
    output: z.string(),
    durationMs: z.number().nonnegative(),
    exitCode: z.number().int().nullable().optional(),
    truncated: z.boolean().optional(),
    // A file tool's change (write_file): the diff against the file's previous content.
    fileChange: fileChange.optional(),
  }),
  z.object({
    type: z.literal("input.requested"),
    requestId: z.string(),
    kind: z.enum(inputKinds),
    tool: z.string().optional(),
    input: z.unknown().optional(),
    question: z.string().optional(),
    reasons: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal("input.resolved"),
    requestId: z.string(),
    decision: z.enum(["approve", "deny"]).optional(),
    answer: z.string().optional(),
    by: z.string(),
    // What the person added to an approval: a note for the agent, the input they approved
    // instead (an edited command), and whether to approve the same again without asking.
    note: z.string().optional(),
    editedInput: z.unknown().optional(),
    remember: z.boolean().optional(),
  }),
  z.object({
    type: z.literal("usage"),
    ...usageTotals,
    // Tokens written to the prompt cache (billed above the input price), and the model turn
    // the totals are after.
    cacheWriteTokens: z.number().int().nonnegative().optional(),
    turn: z.number().int().positive().optional(),
  }),
  z.object({
    type: z.literal("log"),
    level: z.enum(["debug", "info", "warn", "error"]),
    message: z.string(),
    // Command output: which stream of which tool call it came from.
    stream: z.enum(["stdout", "stderr"]).optional(),
    callId: z.string().optional(),
  }),
  z.object({
    type: z.literal("diff.ready"),
    baseSha: z.string(),
    headSha: z.string(),
    files: z.array(diffFile),
    additions: z.number().int().nonnegative(),
    deletions: z.number().int().nonnegative(),
    // The unified diff itself, capped; the recorder moves it into its own table.
    patch: z.string().optional(),
    truncated: z.boolean(),
    // Known secrets in the whole diff (not only the capped patch): the review blocks Push.
    secretFindings: z.array(secretFinding).optional(),
  }),
  z.object({ type: z.literal("run.awaiting_review"), branch: z.string(), headSha: z.string() }),
  z.object({ type: z.literal("push.started"), remote: z.string(), branch: z.string() }),
  z.object({
    type: z.literal("push.finished"),
    ok: z.boolean(),
    remote: z.string(),
    branch: z.string(),
    commit: z.string().optional(),
    pullRequestUrl: z.string().optional(),
    error: z.string().optional(),
  }),
  // A person's review decision (web process); the status change it implies is in runChanges.
  z.object({
    type: z.literal("review.decided"),
    decisionId: z.string(),
    action: z.enum(["push", "request_changes", "discard"]),
    by: z.string(),
    feedback: z.string().optional(),
    pullRequest: z.boolean().optional(),
  }),
  z.object({ type: z.literal("run.completed"), reason: z.string() }),
  z.object({ type: z.literal("run.failed"), error: z.string() }),
  z.object({ type: z.literal("run.cancelled"), by: z.string().optional(), reason: z.string() }),
]);

export type EventBody = z.infer<typeof eventBody>;
export type EventBodyInput = z.input<typeof eventBody>;
export type EventType = EventBody["type"];
export const eventTypes = eventBody.options.map((o) => o.shape.type.value) as EventType[];

const envelope = z.object({
  runId: z.string(),
  seq: z.number().int().positive(),
  at: z.string(),
});

export const runEvent = z.intersection(envelope, eventBody);
export type RunEvent = z.infer<typeof runEvent>;
export type RunEventOf<T extends EventType> = Extract<RunEvent, { type: T }>;

/** A run event together with its Redis stream id (the SSE `id:`). */
export type StoredEvent = { id: string; event: RunEvent };

/**
 * Events after which the run's current job has nothing more to do. An SSE stream ends after
 * one; a review decision later starts new activity, and clients reconnect for that.
 */
export const jobEndingEventTypes: ReadonlySet<EventType> = new Set<EventType>([
  "run.awaiting_review",
  "run.completed",
  "run.failed",
  "run.cancelled",
  "push.finished",
]);

export function endsStream(event: { type: EventType }): boolean {
  return jobEndingEventTypes.has(event.type);
}
