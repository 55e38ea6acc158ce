import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { inputDecisions, inputKinds, inputRequestStatuses } from "../contracts/inputRequests";
import { runStatuses } from "../contracts/runLifecycle";
import { runOriginKinds } from "../contracts/runOrigin";
import { checkPhases, checkSources, checkStatuses } from "../contracts/runChecks";
import { auditActions, auditSubjectTypes } from "../auditActions";
import { teamRoles, tokenScopes } from "../teamRoles";

// The run statuses are declared in the lifecycle contract; the type is re-exported for callers.
export type { RunStatus } from "../contracts/runLifecycle";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

// ---- better-auth's tables (model names are better-auth's; columns snake_case) ----

export const user = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  role: text("role", { enum: ["admin", "user"] }).notNull().default("user"),
  // Set by an admin (lib/services/users.ts): the account cannot sign in, its sessions were
  // ended and its API tokens stop working (checked on every request). Null: active.
  disabledAt: timestamp("disabled_at", { withTimezone: true }),
  // The team the person works in (the team switcher, POST /api/me/team); checked against their
  // memberships on every request (lib/services/teams.ts), so a stale value falls back.
  currentTeamId: text("current_team_id"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const session = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    token: text("token").notNull().unique(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
  },
  (t) => [index("session_user_idx").on(t.userId)],
);

export const account = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    password: text("password"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("account_user_idx").on(t.userId)],
);

export const verification = pgTable("verification", {
  id: text("id").primaryKey(),
  identifier: text("identifier").notNull(),
  value: text("value").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const rateLimit = pgTable("rate_limit", {
  id: text("id").primaryKey(),
  key: text("key").notNull().unique(),
  count: integer("count").notNull(),
  lastRequest: bigint("last_request", { mode: "number" }).notNull(),
});

// ---- AgentDesk ----

/**
 * A team (lib/services/teams.ts): repositories, runs, schedules and what hangs off a repository
 * (rules, MCP servers, environments) belong to one, and its members reach them by their role
 * (lib/teamRoles.ts). Our own tables rather than better-auth's organization plugin: four roles
 * including viewer, our invitations, and one writer for membership changes.
 */
export const team = pgTable("team", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  createdAt: createdAt(),
});

export const teamMember = pgTable(
  "team_member",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => team.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: text("role", { enum: teamRoles }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_member_user_idx").on(t.userId, t.createdAt)],
);

export const apiToken = pgTable(
  "api_token",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // sha256 of the token; the token itself is shown once and never stored.
    tokenHash: text("token_hash").notNull().unique(),
    // First characters, so a user can tell tokens apart in the list.
    prefix: text("prefix").notNull(),
    // A token acts in one team, as its user's role there capped by its scope (lib/teamRoles.ts);
    // it stops working when its user leaves that team.
    teamId: text("team_id")
      .notNull()
      .references(() => team.id, { onDelete: "cascade" }),
    scope: text("scope", { enum: tokenScopes }).notNull().default("admin"),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [index("api_token_user_idx").on(t.userId)],
);

export const repository = pgTable(
  "repository",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => team.id, { onDelete: "restrict" }),
    // Unique among the team's repositories not deleted (a deleted one keeps its name for its
    // runs' pages).
    name: text("name").notNull(),
    url: text("url").notNull(),
    defaultBranch: text("default_branch").notNull().default("main"),
    // The NAME of the job process's environment variable holding the credential, never its value.
    credentialEnv: text("credential_env"),
    // "owner/name" when the repository is on GitHub (or GITHUB_API_URL's server): pull requests.
    githubRepo: text("github_repo"),
    // Host names (optionally host:port) a run's sandbox may reach through the filtering proxy;
    // empty: no network at all. Set by admins only.
    networkHosts: jsonb("network_hosts").$type<string[]>().notNull().default([]),
    createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    // Deleted by an admin while finished runs still refer to it (lib/services/repos.ts): hidden
    // from every list and lookup by name, kept so those runs stay readable. A repository without
    // runs is removed outright.
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("repository_team_live_name_idx").on(t.teamId, t.name).where(sql`${t.deletedAt} is null`)],
);

export const run = pgTable(
  "run",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repository.id, { onDelete: "restrict" }),
    // The repository's team when the run was created: who may see and act on it.
    teamId: text("team_id")
      .notNull()
      .references(() => team.id, { onDelete: "restrict" }),
    title: text("title").notNull(),
    prompt: text("prompt").notNull(),
    command: text("command"),
    executor: text("executor").notNull(),
    // For executor "acp": the registered ACP agent's name (acp_agent.name) the run uses.
    acpAgent: text("acp_agent"),
    approvalMode: text("approval_mode").notNull(),
    model: text("model"),
    maxTurns: integer("max_turns").notNull(),
    timeoutSec: integer("timeout_sec").notNull(),
    // How long an approval or question waits for a person before it counts as denied.
    inputTimeoutSec: integer("input_timeout_sec").notNull().default(1800),
    priority: text("priority").notNull(),
    baseBranch: text("base_branch").notNull(),
    branch: text("branch").notNull(),
    baseSha: text("base_sha"),
    headSha: text("head_sha"),
    status: text("status", { enum: runStatuses }).notNull().default("queued"),
    error: text("error"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cacheReadTokens: integer("cache_read_tokens").notNull().default(0),
    costUsd: doublePrecision("cost_usd").notNull().default(0),
    attempt: integer("attempt").notNull().default(0),
    // Stream id of the last event projected onto this row; events carry their own order.
    lastEventId: text("last_event_id"),
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true }),
    // Idempotency-Key of the submit that created the run (unique per user) and the sha256 of
    // that request's body: the same key with the same body returns this run, another body is a 422.
    idempotencyKey: text("idempotency_key"),
    idempotencyHash: text("idempotency_hash"),
    // The cost at which an agent run stops to ask whether to go on; null: the job process's
    // AGENT_BUDGET_USD.
    budgetUsd: doublePrecision("budget_usd"),
    // The run this one was made from (a retry, a re-run or a follow-up of it) and how; no
    // foreign key, so a run outlives the record of where it came from.
    originRunId: text("origin_run_id"),
    originKind: text("origin_kind", { enum: runOriginKinds }),
    // The schedule whose tick made this run; kept after the schedule is deleted (the page then
    // says "a deleted schedule").
    scheduleId: text("schedule_id"),
    // The run template it was started from; no foreign key, so a run outlives its template.
    templateId: text("template_id"),
    createdAt: createdAt(),
    // The run's clock over its rounds of work (lib/runTimes.ts, written by the projection only):
    // the first start, the current round's start, the latest end, the earlier rounds' work time.
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    roundStartedAt: timestamp("round_started_at", { withTimezone: true }),
    earlierRoundsMs: bigint("earlier_rounds_ms", { mode: "number" }).notNull().default(0),
    round: integer("round").notNull().default(1),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("run_user_created_idx").on(t.userId, t.createdAt),
    // The runs list, newest first: everyone's (an admin), and filtered by repository.
    index("run_created_idx").on(t.createdAt, t.id),
    // The runs list of a team, newest first.
    index("run_team_created_idx").on(t.teamId, t.createdAt, t.id),
    index("run_repository_created_idx").on(t.repositoryId, t.createdAt),
    index("run_status_idx").on(t.status),
    uniqueIndex("run_user_idempotency_idx").on(t.userId, t.idempotencyKey),
    index("run_origin_idx").on(t.originRunId),
  ],
);

export const runEvent = pgTable(
  "run_event",
  {
    runId: text("run_id")
      .notNull()
      .references(() => run.id, { onDelete: "cascade" }),
    // Redis stream id "<ms>-<n>" split in two so the database orders them numerically.
    streamMs: bigint("stream_ms", { mode: "number" }).notNull(),
    streamSeq: integer("stream_seq").notNull(),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    data: jsonb("data").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.streamMs, t.streamSeq] }),
    index("run_event_type_idx").on(t.runId, t.type),
  ],
);

/**
 * A run that waits for other runs (lib/contracts/runDependencies.ts): one row per run it
 * waits for, written with the run, never changed. Whether it still waits is its status
 * (`waiting_dependencies`, written by the projection); the dependency's own run may be
 * deleted later, so no foreign key on it.
 */
export const runDependency = pgTable(
  "run_dependency",
  {
    runId: text("run_id")
      .notNull()
      .references(() => run.id, { onDelete: "cascade" }),
    dependsOnRunId: text("depends_on_run_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.dependsOnRunId] }), index("run_dependency_on_idx").on(t.dependsOnRunId)],
);

export const runDiff = pgTable("run_diff", {
  runId: text("run_id")
    .primaryKey()
    .references(() => run.id, { onDelete: "cascade" }),
  baseSha: text("base_sha").notNull(),
  headSha: text("head_sha").notNull(),
  patch: text("patch").notNull(),
  files: jsonb("files").notNull(),
  additions: integer("additions").notNull(),
  deletions: integer("deletions").notNull(),
  truncated: boolean("truncated").notNull().default(false),
  // Known secret values found in the added lines (push protection): where, never the value.
  secretFindings: jsonb("secret_findings").$type<{ file: string; line: number; secret: string }[]>().notNull().default([]),
  createdAt: createdAt(),
});

/**
 * A run's repository hooks (lib/contracts/runChecks.ts), one row per check run: written only by
 * the projection, from `check.started` (inserted running) and `check.finished` (its result).
 */
export const runCheck = pgTable(
  "run_check",
  {
    runId: text("run_id")
      .notNull()
      .references(() => run.id, { onDelete: "cascade" }),
    checkId: text("check_id").notNull(),
    phase: text("phase", { enum: checkPhases }).notNull(),
    name: text("name").notNull(),
    // Empty until its `check.started` is recorded (recorders may project out of order).
    command: text("command").notNull().default(""),
    source: text("source", { enum: checkSources }).notNull().default("admin"),
    status: text("status", { enum: checkStatuses }).notNull(),
    exitCode: integer("exit_code"),
    timedOut: boolean("timed_out").notNull().default(false),
    durationMs: integer("duration_ms"),
    output: text("output").notNull().default(""),
    truncated: boolean("truncated").notNull().default(false),
    headSha: text("head_sha"),
    error: text("error"),
    // The run's event seq of its `check.started` (or `check.finished`): the order checks ran in.
    seq: integer("seq").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.checkId] })],
);

export const reviewActions = ["push", "request_changes", "discard"] as const;
export type ReviewAction = (typeof reviewActions)[number];

/** Every review decision: who decided what, when, on which commit (the audit trail). */
export const reviewDecision = pgTable(
  "review_decision",
  {
    id: text("id").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => run.id, { onDelete: "cascade" }),
    // The run's n-th decision. Unique per run, so two requests racing past the status check
    // (which holds the run row's lock) could still never record two decisions for one review.
    number: integer("number").notNull(),
    userId: text("user_id").references(() => user.id, { onDelete: "set null" }),
    // Kept as it was when deciding, so the record reads the same after the account is gone.
    byEmail: text("by_email").notNull(),
    action: text("action", { enum: reviewActions }).notNull(),
    feedback: text("feedback"),
    pullRequest: boolean("pull_request").notNull().default(false),
    headSha: text("head_sha").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("review_decision_run_number_idx").on(t.runId, t.number)],
);

/**
 * Every approval request and question of every run, open or closed (lib/contracts/
 * inputRequests.ts): what was asked, until when, and how it ended: who answered what and when
 * (the audit trail), or that it timed out or was cancelled. Written only by the projection of
 * `input.requested` / `input.resolved` events (lib/inputRequestProjection.ts).
 */
export const inputRequest = pgTable(
  "input_request",
  {
    runId: text("run_id")
      .notNull()
      .references(() => run.id, { onDelete: "cascade" }),
    requestId: text("request_id").notNull(),
    kind: text("kind", { enum: inputKinds }).notNull(),
    status: text("status", { enum: inputRequestStatuses }).notNull().default("pending"),
    tool: text("tool"),
    input: jsonb("input"),
    question: text("question"),
    reasons: jsonb("reasons").$type<string[]>().notNull().default([]),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull(),
    // When the request counts as denied if nobody answers (the run's input timeout).
    deadline: timestamp("deadline", { withTimezone: true }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    decision: text("decision", { enum: inputDecisions }),
    answer: text("answer"),
    note: text("note"),
    // The input the person approved instead of the agent's (an edited command).
    editedInput: jsonb("edited_input"),
    remember: boolean("remember").notNull().default(false),
    byUserId: text("by_user_id").references(() => user.id, { onDelete: "set null" }),
    // Kept as it was when answering, so the record reads the same after the account is gone.
    byEmail: text("by_email"),
  },
  (t) => [primaryKey({ columns: [t.runId, t.requestId] }), index("input_request_status_idx").on(t.status, t.requestedAt)],
);

// Allow / ask / deny patterns on shell commands (lib/approval): a repository's rules are set by
// admins, a user's by that user; a run goes by its repository's and its user's together.
export const approvalRuleScopes = ["repo", "user"] as const;
export const approvalRuleEffects = ["allow", "ask", "deny"] as const;

export const approvalRule = pgTable(
  "approval_rule",
  {
    id: text("id").primaryKey(),
    scope: text("scope", { enum: approvalRuleScopes }).notNull(),
    // repository.id or user.id, by scope (two tables, so no foreign key).
    scopeId: text("scope_id").notNull(),
    pattern: text("pattern").notNull(),
    effect: text("effect", { enum: approvalRuleEffects }).notNull(),
    createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("approval_rule_scope_pattern_idx").on(t.scope, t.scopeId, t.effect, t.pattern)],
);

// A team's saved run configuration (lib/services/templates.ts): a repository and the run fields
// (the run-creation input minus the repository, validated again when read, as a schedule's), a
// prompt with `{{variable}}` placeholders and the variables it declares (lib/templateVariables.ts).
// The New run form, schedules and incoming webhooks start runs from it.
export const runTemplate = pgTable(
  "run_template",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => team.id, { onDelete: "cascade" }),
    // No foreign key, as a schedule's: a template whose repository was removed says so and starts nothing.
    repositoryId: text("repository_id").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    run: jsonb("run").notNull(),
    variables: jsonb("variables").notNull().default([]),
    createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("run_template_team_name_idx").on(t.teamId, t.name)],
);

// A run template fired on a cron pattern, as its owner (lib/services/schedules.ts). The template
// is the run-creation input minus the repository, kept as jsonb and validated again when read,
// so a template that a later version refuses is reported on its schedule, never run.
export const schedule = pgTable(
  "schedule",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    // No cascade from the repository: run rows already block its deletion, and a tick on a
    // vanished repository is recorded in lastError rather than lost silently.
    repositoryId: text("repository_id").notNull(),
    // The repository's team: its admins manage the schedule, its members see it.
    teamId: text("team_id")
      .notNull()
      .references(() => team.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull().default("UTC"),
    template: jsonb("template").notNull(),
    // A schedule made from a run template: the template's settings at each tick, rendered with
    // these variable values (fixed when the schedule is made). Deleting the template disables
    // its schedules with the reason in last_error (lib/services/templates.ts); the foreign key
    // then clears the id, and `templateVariables` still marks it as one that had a template.
    templateId: text("template_id").references(() => runTemplate.id, { onDelete: "set null" }),
    templateVariables: jsonb("template_variables"),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
    lastRunAt: timestamp("last_run_at", { withTimezone: true }),
    lastRunId: text("last_run_id"),
    lastError: text("last_error"),
  },
  (t) => [index("schedule_user_idx").on(t.userId), index("schedule_team_idx").on(t.teamId), index("schedule_template_idx").on(t.templateId)],
);

/**
 * Invitation links an admin makes once sign-up is closed: single use, expiring. Only the
 * sha256 of the token is kept; the link is shown once.
 */
export const invitation = pgTable("invitation", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  // Optional: the invitation is only good for this address.
  email: text("email"),
  // The team the new account joins and its role there. Null only on the first account's row.
  teamId: text("team_id").references(() => team.id, { onDelete: "cascade" }),
  teamRole: text("team_role", { enum: teamRoles }).notNull().default("member"),
  createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
  usedBy: text("used_by").references(() => user.id, { onDelete: "set null" }),
});

/**
 * Entries of `events:all` the recorder could not store after several tries: kept here with
 * the error (admins see them) so the consumer moves on instead of retrying forever.
 */
export const parkedEvent = pgTable(
  "parked_event",
  {
    streamId: text("stream_id").primaryKey(),
    runId: text("run_id"),
    type: text("type"),
    // The entry's raw fields as read from Redis, JSON-encoded (never interpreted).
    raw: text("raw").notNull(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    parkedAt: timestamp("parked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("parked_event_run_idx").on(t.runId)],
);

/**
 * An ACP agent (Agent Client Protocol: Goose, Gemini CLI, claude-agent-acp, codex-acp, …)
 * registered by an admin: what to start in a run's sandbox and which of the job process's
 * environment variables it may receive (names only, never values). Published to the job
 * processes through Redis (they never read the database); each says whether it can start it.
 */
export const acpAgent = pgTable("acp_agent", {
  id: text("id").primaryKey(),
  // What a run names (`acpAgent`): lowercase letters, digits and dashes.
  name: text("name").notNull().unique(),
  description: text("description").notNull().default(""),
  command: text("command").notNull(),
  args: jsonb("args").$type<string[]>().notNull().default([]),
  envNames: jsonb("env_names").$type<string[]>().notNull().default([]),
  createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
  createdAt: createdAt(),
});

export const mcpTransports = ["stdio", "http"] as const;

/**
 * An MCP server of a repository, set by an admin: a stdio command started in the run's sandbox,
 * or an HTTP URL reached through the sandbox's filtering proxy; with the names of the job
 * process's environment variables it gets. Every executor's run receives its repository's.
 */
export const mcpServer = pgTable(
  "mcp_server",
  {
    id: text("id").primaryKey(),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repository.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    transport: text("transport", { enum: mcpTransports }).notNull(),
    command: text("command"),
    args: jsonb("args").$type<string[]>().notNull().default([]),
    url: text("url"),
    envNames: jsonb("env_names").$type<string[]>().notNull().default([]),
    createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("mcp_server_repo_name_idx").on(t.repositoryId, t.name)],
);

/**
 * A repository's environment, set by an admin (lib/contracts/environment.ts): the setup that
 * runs in the sandbox before each run's executor, its hosts and variables, the cache key, and
 * the files placed from secrets. One row per repository; none: no setup unless the
 * repository's own `.agentdesk/environment.json` gives one.
 */
export const repositoryEnvironment = pgTable("repository_environment", {
  repositoryId: text("repository_id")
    .primaryKey()
    .references(() => repository.id, { onDelete: "cascade" }),
  // The whole environmentSpec as jsonb, validated when read back.
  spec: jsonb("spec").notNull(),
  updatedBy: text("updated_by").references(() => user.id, { onDelete: "set null" }),
  updatedAt: updatedAt(),
});

/**
 * A user's notification settings: the webhook (Slack-style incoming webhook URL) and which run
 * states it is told about. One row per user who saved any; none: no webhook.
 */
export const notificationSetting = pgTable("notification_setting", {
  userId: text("user_id")
    .primaryKey()
    .references(() => user.id, { onDelete: "cascade" }),
  webhookUrl: text("webhook_url"),
  // The states the webhook is told about (lib/contracts/notifications.ts notificationStates).
  states: jsonb("states").$type<string[]>().notNull().default([]),
  updatedAt: updatedAt(),
});

/**
 * One attempt to deliver a webhook message, for the user's delivery log on the settings page.
 * Only the latest few per user are kept (lib/services/notificationLog.ts).
 */
export const notificationDelivery = pgTable(
  "notification_delivery",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    // The BullMQ job the attempt belongs to: its attempts read together in the log.
    jobId: text("job_id").notNull(),
    // "test", or the run state the message is about.
    subject: text("subject").notNull(),
    runId: text("run_id").references(() => run.id, { onDelete: "set null" }),
    runTitle: text("run_title"),
    attempt: integer("attempt").notNull(),
    ok: boolean("ok").notNull(),
    // Whether another attempt follows a failed one.
    willRetry: boolean("will_retry").notNull().default(false),
    httpStatus: integer("http_status"),
    error: text("error"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("notification_delivery_user_at_idx").on(t.userId, t.at)],
);

/**
 * An outgoing webhook endpoint (lib/services/webhookEndpoints.ts): signed JSON deliveries of
 * run events (lib/contracts/webhooks.ts) to a URL, owned by one user (their own runs) or one
 * team (every run of the team, managed by its admins). The secret signs every delivery
 * (lib/contracts/webhookSignature.ts); it is shown when made or rotated, kept to sign with.
 */
export const webhookEndpoint = pgTable(
  "webhook_endpoint",
  {
    id: text("id").primaryKey(),
    // Exactly one owner: a user or a team.
    userId: text("user_id").references(() => user.id, { onDelete: "cascade" }),
    teamId: text("team_id").references(() => team.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    secret: text("secret").notNull(),
    // The run states it is told about (lib/contracts/notifications.ts notificationStates).
    states: jsonb("states").$type<string[]>().notNull().default([]),
    enabled: boolean("enabled").notNull().default(true),
    createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("webhook_endpoint_user_idx").on(t.userId),
    index("webhook_endpoint_team_idx").on(t.teamId),
    check("webhook_endpoint_one_owner", sql`(${t.userId} is null) <> (${t.teamId} is null)`),
  ],
);

/**
 * One delivery of one event to one endpoint, with its attempts (the endpoint's delivery log).
 * The payload is kept as sent, so a resend is a new delivery (new id) of the same event (same
 * event id, same body). The partial unique index makes the fan-out idempotent: an event noted
 * twice is delivered once per endpoint; resends are outside it.
 */
export const webhookDelivery = pgTable(
  "webhook_delivery",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoint.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    runId: text("run_id").references(() => run.id, { onDelete: "set null" }),
    payload: jsonb("payload").notNull(),
    // pending (queued or between attempts), delivered, failed (no more attempts).
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    // Each attempt: { at, httpStatus, error } (lib/services/webhookDeliveries.ts), oldest first.
    attemptLog: jsonb("attempt_log").$type<unknown[]>().notNull().default([]),
    httpStatus: integer("http_status"),
    error: text("error"),
    nextRetryAt: timestamp("next_retry_at", { withTimezone: true }),
    // The delivery this one sends again (a person's Resend).
    resendOf: text("resend_of"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("webhook_delivery_endpoint_created_idx").on(t.endpointId, t.createdAt),
    uniqueIndex("webhook_delivery_endpoint_event_idx").on(t.endpointId, t.eventId).where(sql`${t.resendOf} is null`),
  ],
);

/**
 * An incoming webhook of a repository (lib/services/inboundWebhooks.ts): a URL with a secret
 * that starts a run from a template when a signed delivery matches its rules (a GitHub issue
 * labelled with `label`, a comment mentioning `mention`, or our own signed call). Runs belong to
 * `createdBy`, in the repository's team.
 */
export const inboundWebhook = pgTable(
  "inbound_webhook",
  {
    id: text("id").primaryKey(),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repository.id, { onDelete: "cascade" }),
    teamId: text("team_id")
      .notNull()
      .references(() => team.id, { onDelete: "cascade" }),
    secret: text("secret").notNull(),
    // The run template the runs start from. A template cannot be deleted while a webhook uses
    // it (lib/services/templates.ts deleteTemplate says which; the key makes it hold in a race).
    templateId: text("template_id")
      .notNull()
      .references(() => runTemplate.id, { onDelete: "restrict" }),
    // Which deliveries start a run (lib/contracts/inboundWebhooks.ts inboundRules), validated when read.
    rules: jsonb("rules").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    createdBy: text("created_by")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("inbound_webhook_repository_idx").on(t.repositoryId)],
);

/**
 * A delivery an incoming webhook received, once per delivery id: the unique index is the
 * idempotency (a delivery sent twice, even at once, starts one run).
 */
export const inboundDelivery = pgTable(
  "inbound_delivery",
  {
    id: text("id").primaryKey(),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => inboundWebhook.id, { onDelete: "cascade" }),
    deliveryId: text("delivery_id").notNull(),
    event: text("event").notNull(),
    // received (being handled), started (a run), ignored (no rule matched), failed.
    outcome: text("outcome").notNull().default("received"),
    detail: text("detail"),
    runId: text("run_id").references(() => run.id, { onDelete: "set null" }),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("inbound_delivery_webhook_delivery_idx").on(t.webhookId, t.deliveryId),
    index("inbound_delivery_webhook_received_idx").on(t.webhookId, t.receivedAt),
  ],
);

/**
 * Monthly spending limits (lib/services/budgets.ts, lib/contracts/budgets.ts): the team's, and
 * each member's within the team, in USD per UTC calendar month; no row (or null) is no limit.
 * Set by the team's admins and owners; the web mirrors them into Redis for the job processes.
 */
export const teamBudget = pgTable("team_budget", {
  teamId: text("team_id")
    .primaryKey()
    .references(() => team.id, { onDelete: "cascade" }),
  monthlyLimitUsd: doublePrecision("monthly_limit_usd"),
  updatedBy: text("updated_by").references(() => user.id, { onDelete: "set null" }),
  updatedAt: updatedAt(),
});

export const memberBudget = pgTable(
  "member_budget",
  {
    teamId: text("team_id").notNull(),
    userId: text("user_id").notNull(),
    monthlyLimitUsd: doublePrecision("monthly_limit_usd"),
    updatedBy: text("updated_by").references(() => user.id, { onDelete: "set null" }),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId] }),
    // A member who leaves the team takes their limit with them.
    foreignKey({ columns: [t.teamId, t.userId], foreignColumns: [teamMember.teamId, teamMember.userId] }).onDelete("cascade"),
  ],
);

/**
 * The audit log: one row per decision a person made (lib/auditActions.ts), written only by
 * lib/services/audit.ts in the transaction of the change. The actor's email and the subject's
 * label are kept as they were, so a row reads the same after the account or object is gone.
 */
export const auditEvent = pgTable(
  "audit_event",
  {
    id: text("id").primaryKey(),
    // Null for an instance-level act (an instance admin disabling an account): instance admins see those.
    teamId: text("team_id").references(() => team.id, { onDelete: "cascade" }),
    actorId: text("actor_id").references(() => user.id, { onDelete: "set null" }),
    actorEmail: text("actor_email").notNull(),
    action: text("action", { enum: auditActions }).notNull(),
    subjectType: text("subject_type", { enum: auditSubjectTypes }).notNull(),
    subjectId: text("subject_id").notNull(),
    subjectLabel: text("subject_label").notNull(),
    details: jsonb("details").notNull().default({}),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_event_team_at_idx").on(t.teamId, t.at), index("audit_event_at_idx").on(t.at)],
);

export const schema = {
  user,
  session,
  account,
  verification,
  rateLimit,
  team,
  teamMember,
  apiToken,
  repository,
  run,
  runEvent,
  runDiff,
  runCheck,
  reviewDecision,
  inputRequest,
  approvalRule,
  runTemplate,
  schedule,
  invitation,
  parkedEvent,
  acpAgent,
  mcpServer,
  repositoryEnvironment,
  notificationSetting,
  notificationDelivery,
  webhookEndpoint,
  webhookDelivery,
  inboundWebhook,
  inboundDelivery,
  teamBudget,
  memberBudget,
  auditEvent,
};

