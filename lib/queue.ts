import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";

/** The one BullMQ queue both processes use. */
export const RUNS_QUEUE = "runs";

export const executors = ["cli", "agent", "claude-code", "goose"] as const;
export type ExecutorName = (typeof executors)[number];
export const approvalModes = ["auto", "risky", "all"] as const;
export const priorities = ["high", "normal", "low"] as const;
export type Priority = (typeof priorities)[number];

// BullMQ: lower number = served first.
export const bullPriority: Record<Priority, number> = { high: 1, normal: 5, low: 10 };

/** A run job: everything the job process needs, so it never reads the database. */
export const runJobPayload = z.object({
  kind: z.literal("run"),
  runId: z.string().min(1),
  userId: z.string().min(1),
  repo: z.object({
    name: z.string().min(1),
    url: z.string().min(1),
    // Name of the job process's environment variable holding the credential, if any.
    credentialEnv: z.string().nullable(),
  }),
  baseBranch: z.string().min(1),
  branch: z.string().regex(/^agentdesk\/[a-z0-9][a-z0-9-]*$/),
  executor: z.enum(executors),
  command: z.string().nullable(),
  prompt: z.string(),
  approvalMode: z.enum(approvalModes),
  model: z.string().nullable(),
  maxTurns: z.number().int().positive(),
  timeoutSec: z.number().int().positive(),
});
export type RunJobPayload = z.infer<typeof runJobPayload>;

export const jobPayload = z.discriminatedUnion("kind", [runJobPayload]);
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

/** BullMQ's key prefix for a namespace: "bull" (BullMQ's default) when there is none. */
export function queuePrefix(namespace = ""): string {
  return `${namespace}bull`;
}

export function createRunsQueue(connection: Redis, namespace = ""): Queue<JobPayload> {
  return new Queue<JobPayload>(RUNS_QUEUE, { connection, prefix: queuePrefix(namespace) });
}
