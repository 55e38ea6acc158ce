import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { approvalRules } from "./approval/rules";
import { runSpending } from "./contracts/budgets";
import { environmentSpec } from "./contracts/environment";
import { acpAgentSpec, mcpServerSpec } from "./contracts/executorSpecs";
import { MAX_STACK_DEPTH, stackLink } from "./contracts/runStack";
import { MAX_INPUT_TIMEOUT_SEC, MIN_INPUT_TIMEOUT_SEC } from "./inputTimeout";

/** The queue of run jobs (a run, or a reviewer's follow-up of it). */
export const RUNS_QUEUE = "runs";
/**
 * The queue of jobs that carry out a review decision (push, discard): its own worker and
 * concurrency in the job process, so a push never waits behind runs.
 */
export const REVIEWS_QUEUE = "reviews";

/**
 * `cli` a shell command, `agent` our own loop, `claude-code` the Claude Agent SDK, `acp` any
 * registered ACP agent (Goose, Gemini CLI, claude-agent-acp, codex-acp, …: see acpAgent).
 */
export const executors = ["cli", "agent", "claude-code", "acp"] as const;
export type ExecutorName = (typeof executors)[number];
export const approvalModes = ["auto", "risky", "all"] as const;
export const priorities = ["high", "normal", "low"] as const;
export type Priority = (typeof priorities)[number];

// BullMQ: lower number = served first.
export const bullPriority: Record<Priority, number> = { high: 1, normal: 5, low: 10 };

/** The repository as every job names it. */
const jobRepo = z.object({
  name: z.string().min(1),
  url: z.string().min(1),
  // Name of the job process's environment variable holding the credential, if any.
  credentialEnv: z.string().nullable(),
});

/** A run job: everything the job process needs, so it never reads the database. */
export const runJobPayload = z.object({
  kind: z.literal("run"),
  runId: z.string().min(1),
  userId: z.string().min(1),
  // The team and month whose spending limits the run is held to (lib/contracts/budgets.ts);
  // absent on jobs queued before limits existed: none are checked.
  spending: runSpending.optional(),
  repo: jobRepo.extend({
    // Hosts the run's sandbox may reach through the job process's filtering proxy
    // (lib/networkHosts.ts); none by default, also for jobs queued before this field existed.
    networkHosts: z.array(z.string()).default([]),
  }),
  baseBranch: z.string().min(1),
  branch: z.string().regex(/^agentdesk\/[a-z0-9][a-z0-9-]*$/),
  executor: z.enum(executors),
  // For executor "acp": the registered agent to start (lib/contracts/executorSpecs.ts).
  acpAgent: acpAgentSpec.optional(),
  // The repository's MCP servers, given to every executor that takes tools (none by default,
  // also for jobs queued before this field existed).
  mcpServers: z.array(mcpServerSpec).default([]),
  // The repository's environment as its admin set it (lib/contracts/environment.ts); null:
  // none set (the repository's own .agentdesk/environment.json may still give a setup).
  environment: environmentSpec.nullable().default(null),
  command: z.string().nullable(),
  prompt: z.string(),
  approvalMode: z.enum(approvalModes),
  model: z.string().nullable(),
  maxTurns: z.number().int().positive(),
  // The cost at which an agent run stops to ask whether to go on; absent or null: the job
  // process's AGENT_BUDGET_USD (also for jobs queued before this field existed).
  budgetUsd: z.number().positive().nullable().optional(),
  timeoutSec: z.number().int().positive(),
  // How long a request for human input waits before it counts as denied (DEFAULT_INPUT_TIMEOUT_SEC
  // when absent, so jobs queued before this field existed still validate).
  inputTimeoutSec: z.number().int().min(MIN_INPUT_TIMEOUT_SEC).max(MAX_INPUT_TIMEOUT_SEC).optional(),
  // The run's approval rules (its repository's and its user's, lib/approval), fixed when the
  // run is created; absent means none.
  approvalRules: approvalRules.optional(),
  // A stacked run (lib/contracts/runStack.ts): the branches it builds on, the root's first and
  // its parent's last, each at the commit the run starts from. A branch not on the remote is
  // restored from that run's bundle in Redis; the run's branch starts at its parent's head.
  stackedOn: z.array(stackLink).min(1).max(MAX_STACK_DEPTH).optional(),
  // Set on the follow-up job of a "request changes" review: the agent continues on the same
  // branch with this feedback as its next user message.
  feedback: z.object({ decisionId: z.string().min(1), text: z.string().min(1) }).optional(),
});
export type RunJobPayload = z.infer<typeof runJobPayload>;

const commitSha = z.string().regex(/^[0-9a-f]{40}$/, "must be a full commit sha");

/** A review's push: the branch at the decided commit, to the repository's remote, once. */
export const pushJobPayload = z.object({
  kind: z.literal("push"),
  runId: z.string().min(1),
  decisionId: z.string().min(1),
  repo: jobRepo.extend({
    // "owner/name" on GitHub (or GITHUB_API_URL's server), for pull requests; null elsewhere.
    githubRepo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/).nullable(),
  }),
  baseBranch: z.string().min(1),
  branch: runJobPayload.shape.branch,
  headSha: commitSha,
  // Where the remote branch should be before this push: the commit of the run's last
  // successful push, or null when it was never pushed (the branch must not exist there).
  expectedRemoteSha: commitSha.nullable(),
  pullRequest: z.object({ title: z.string().min(1), body: z.string() }).nullable(),
  // The repository's environment: its variables are secrets the push job's own scan looks for
  // too (jobs/environment/secrets.ts). Null: none (also for jobs queued before this field existed).
  environment: environmentSpec.nullable().default(null),
});
export type PushJobPayload = z.infer<typeof pushJobPayload>;

/** A discarded run: its branch leaves the mirror and Redis; the remote is not touched. */
export const discardJobPayload = z.object({
  kind: z.literal("discard"),
  runId: z.string().min(1),
  decisionId: z.string().min(1),
  repo: jobRepo,
  branch: runJobPayload.shape.branch,
});
export type DiscardJobPayload = z.infer<typeof discardJobPayload>;

/** What the `reviews` queue carries. */
export const reviewJobPayload = z.discriminatedUnion("kind", [pushJobPayload, discardJobPayload]);
export type ReviewJobPayload = z.infer<typeof reviewJobPayload>;

/**
 * What the `runs` queue carries: runs, and push and discard jobs queued there by deploys from
 * before the `reviews` queue, which are still carried out.
 */
export const jobPayload = z.discriminatedUnion("kind", [runJobPayload, pushJobPayload, discardJobPayload]);
export type JobPayload = z.infer<typeof jobPayload>;

export const runJobOptions = (runId: string, priority: Priority): JobsOptions => ({
  jobId: runId,
  priority: bullPriority[priority],
  // Transient failures (Redis blip, git fetch timeout) are retried; permanent ones throw
  // UnrecoverableError in the job process.
  attempts: 3,
  backoff: { type: "exponential", delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 20_000 },
});

/**
 * Jobs that follow a review decision. Their ids derive from the decision, so a double request
 * or a retried add is one job; a follow-up run goes ahead of new runs (a person is waiting).
 */
export const reviewJobIds = {
  push: (decisionId: string) => `push-${decisionId}`,
  discard: (decisionId: string) => `discard-${decisionId}`,
  changes: (runId: string, decisionId: string) => `run-${runId}-changes-${decisionId}`,
};

export const reviewJobOptions = (jobId: string): JobsOptions => ({
  ...runJobOptions(jobId, "high"),
  backoff: { type: "exponential", delay: 2_000 },
});

/** BullMQ's key prefix for a namespace: "bull" (BullMQ's default) when there is none. */
export function queuePrefix(namespace = ""): string {
  return `${namespace}bull`;
}

export function createRunsQueue(connection: Redis, namespace = ""): Queue<JobPayload> {
  return new Queue<JobPayload>(RUNS_QUEUE, { connection, prefix: queuePrefix(namespace) });
}

export function createReviewsQueue(connection: Redis, namespace = ""): Queue<ReviewJobPayload> {
  return new Queue<ReviewJobPayload>(REVIEWS_QUEUE, { connection, prefix: queuePrefix(namespace) });
}

/**
 * The web processes' own queue: one BullMQ job scheduler per enabled schedule, whose ticks a
 * web process turns into runs (only the web has the database). BullMQ makes each tick one
 * job, however many web processes run.
 */
export const SCHEDULES_QUEUE = "schedules";
export const scheduleTickData = z.object({ scheduleId: z.string().min(1) });
export type ScheduleTickData = z.infer<typeof scheduleTickData>;

export function createSchedulesQueue(connection: Redis, namespace = ""): Queue<ScheduleTickData> {
  return new Queue<ScheduleTickData>(SCHEDULES_QUEUE, { connection, prefix: queuePrefix(namespace) });
}
