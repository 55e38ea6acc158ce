import type { Redis } from "ioredis";
import type { EventLog } from "../lib/eventLog";
import { errorMessage } from "./errors";
import type { Logger } from "./logger";

/** Why a run's work was stopped. The first reason wins. */
export type StopReason =
  | { kind: "cancel"; by: string }
  | { kind: "timeout"; seconds: number }
  | { kind: "shutdown" }
  // This delivery lost its job lock (jobs/run/fence.ts): another one owns the run now.
  | { kind: "lost" };

export function stopReasonOf(signal: AbortSignal): StopReason | null {
  if (!signal.aborted) return null;
  const reason = signal.reason as StopReason | undefined;
  return reason && typeof reason === "object" && "kind" in reason ? reason : { kind: "shutdown" };
}

export type ActiveRun = {
  signal: AbortSignal;
  stop(reason: StopReason): void;
  /** The run is over: forget it. */
  release(): void;
};

/**
 * The runs active in this job process and the one Redis subscription that cancels them. The
 * web calls `requestCancel` (a key plus a PUBLISH of the run id); the key also covers a run
 * whose message was missed while the subscriber reconnected, so active runs' keys are polled
 * too, at a slow pace.
 */
export class RunRegistry {
  private readonly active = new Map<string, AbortController>();
  private pollTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly subscriber: Redis,
    private readonly log: EventLog,
    private readonly logger: Logger,
  ) {}

  static async start(log: EventLog, logger: Logger, pollMs = 5_000): Promise<RunRegistry> {
    const subscriber = log.redis.duplicate();
    const registry = new RunRegistry(subscriber, log, logger);
    subscriber.on("message", (_channel: string, runId: string) => registry.cancel(runId));
    await subscriber.subscribe(log.keys.cancelChannel);
    registry.pollTimer = setInterval(() => void registry.pollCancelKeys(), pollMs);
    registry.pollTimer.unref();
    return registry;
  }

  get size(): number {
    return this.active.size;
  }

  register(runId: string): ActiveRun {
    const controller = new AbortController();
    this.active.set(runId, controller);
    return {
      signal: controller.signal,
      stop: (reason) => {
        if (!controller.signal.aborted) controller.abort(reason);
      },
      release: () => {
        if (this.active.get(runId) === controller) this.active.delete(runId);
      },
    };
  }

  /** Stops every active run (shutdown). */
  stopAll(reason: StopReason): void {
    for (const controller of this.active.values()) {
      if (!controller.signal.aborted) controller.abort(reason);
    }
  }

  async close(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.subscriber.quit();
  }

  private cancel(runId: string): void {
    const controller = this.active.get(runId);
    if (!controller || controller.signal.aborted) return;
    void this.log.redis
      .get(this.log.keys.runCancel(runId))
      .then((by) => {
        if (!controller.signal.aborted) controller.abort({ kind: "cancel", by: by ?? "unknown" } satisfies StopReason);
      })
      .catch((e: unknown) => {
        // Cancel anyway: the request was published; only the name of who asked is missing.
        this.logger.warn("could not read who cancelled a run", { runId, error: errorMessage(e) });
        if (!controller.signal.aborted) controller.abort({ kind: "cancel", by: "unknown" } satisfies StopReason);
      });
  }

  private async pollCancelKeys(): Promise<void> {
    const runIds = [...this.active.keys()];
    if (runIds.length === 0) return;
    try {
      const values = await this.log.redis.mget(...runIds.map((id) => this.log.keys.runCancel(id)));
      runIds.forEach((runId, i) => {
        const by = values[i];
        const controller = this.active.get(runId);
        if (by && controller && !controller.signal.aborted) {
          controller.abort({ kind: "cancel", by } satisfies StopReason);
        }
      });
    } catch (e) {
      this.logger.warn("could not poll cancel requests", { error: errorMessage(e) });
    }
  }
}
