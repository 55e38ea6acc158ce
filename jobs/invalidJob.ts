import { UnrecoverableError, type Job } from "bullmq";
import type { z } from "zod";
import { knownSecretValues } from "../lib/config";
import type { EventLog } from "../lib/eventLog";
import { createRunEmitter } from "./emit";
import type { Logger } from "./logger";

/**
 * A job whose payload does not fit its queue's schema (a hand-made job, a client of another
 * version) fails for good, and its run, when it names one, fails visibly with the reason.
 */
export async function rejectInvalidJob(eventLog: EventLog, logger: Logger, job: Job, error: z.ZodError): Promise<never> {
  const message = `invalid job payload: ${error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
  logger.error("rejected a job", { jobId: job.id, queue: job.queueName, error: message });
  const runId = (job.data as { runId?: unknown } | undefined)?.runId;
  if (typeof runId === "string" && runId.length > 0) {
    await createRunEmitter(eventLog, runId, knownSecretValues())({ type: "run.failed", error: message });
  }
  throw new UnrecoverableError(message);
}
