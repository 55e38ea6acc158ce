import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RunStatus } from "../lib/contracts/runLifecycle";

/**
 * How a job ended, as counted in metrics: the run status it left (lifecycle contract), or why
 * it left none (put back, suspended while a person decides, to be retried, nothing to do).
 */
export type JobOutcome =
  | Extract<RunStatus, "awaiting_review" | "completed" | "failed" | "cancelled">
  | "requeued"
  | "suspended"
  | "retrying"
  | "skipped";

/**
 * The job process's Prometheus metrics. A registry per worker (not prom-client's global one),
 * so tests can run several workers in one process.
 */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "agentdesk_worker_" });
  return {
    registry,
    runsStarted: new Counter({
      name: "agentdesk_runs_started_total",
      help: "Run jobs started by this job process (re-deliveries included).",
      registers: [registry],
    }),
    runsFinished: new Counter({
      name: "agentdesk_runs_finished_total",
      help: "Run jobs finished by this job process, by outcome.",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    activeRuns: new Gauge({
      name: "agentdesk_active_runs",
      help: "Runs being worked on by this job process now.",
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "agentdesk_job_duration_seconds",
      help: "Wall time of a run job, by outcome.",
      labelNames: ["outcome"] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600],
      registers: [registry],
    }),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
