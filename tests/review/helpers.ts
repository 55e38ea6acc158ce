import crypto from "node:crypto";
import type { Queue } from "bullmq";
import type { RunEvent, RunEventOf } from "../../lib/events";
import type { EventLog } from "../../lib/eventLog";
import { reviewJobIds, reviewJobOptions, runJobOptions, type JobPayload, type PushJobPayload, type RunJobPayload } from "../../lib/queue";
import { hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";

/** Runs a shell command through the worker to awaiting_review; returns its payload and reviewed head. */
export async function runToReview(
  queue: Queue<JobPayload>,
  log: EventLog,
  repoUrl: string,
  overrides: Partial<RunJobPayload> = {},
): Promise<{ payload: RunJobPayload; headSha: string }> {
  const payload = makeRunPayload(repoUrl, { command: "echo reviewed > reviewed.txt", ...overrides });
  await queue.add("run", payload, runJobOptions(payload.runId, "normal"));
  const events = await waitForEvents(log, payload.runId, hasEnded, 60_000);
  const ready = events.find((e): e is RunEventOf<"run.awaiting_review"> => e.type === "run.awaiting_review");
  if (!ready) throw new Error(`run did not reach review: ${events.map((e) => e.type).join(", ")}`);
  return { payload, headSha: ready.headSha };
}

export function pushPayloadFor(run: RunJobPayload, headSha: string, overrides: Partial<PushJobPayload> = {}): PushJobPayload {
  return {
    kind: "push",
    runId: run.runId,
    decisionId: crypto.randomUUID(),
    repo: { ...run.repo, githubRepo: null },
    baseBranch: run.baseBranch,
    branch: run.branch,
    headSha,
    expectedRemoteSha: null,
    pullRequest: null,
    environment: run.environment,
    ...overrides,
  };
}

export async function addPush(queue: Queue<JobPayload>, payload: PushJobPayload) {
  return queue.add("push", payload, reviewJobOptions(reviewJobIds.push(payload.decisionId)));
}

export const pushFinishedCount = (events: RunEvent[]) => events.filter((e) => e.type === "push.finished").length;

export function lastOf<T extends RunEvent["type"]>(events: RunEvent[], type: T): RunEventOf<T> | undefined {
  return events.filter((e): e is RunEventOf<T> => e.type === type).at(-1);
}
