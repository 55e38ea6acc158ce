import { errorMessage } from "../../errors";

/** How long a checkpoint waits for the CLI to record a call's result in its transcript. */
const RECORDED_WAIT_MS = 5_000;
const POLL_MS = 50;

export type CheckpointDeps = {
  /** Whether the transcript records the result of `callId` yet. */
  recorded(callId: string): Promise<boolean>;
  /** Saves the session with the worktree as it is now (the pipeline's checkpoint). */
  save(): Promise<void>;
  /** A checkpoint could not be saved (the run goes on; a crash then resumes from an earlier one). */
  onSkipped(reason: string): Promise<void>;
};

/**
 * Crash resume for a live CLI. After a tool call that may have changed files, the session is
 * saved with the worktree, as our loop saves after each call. The CLI writes a call's result to
 * its transcript a moment after the call ends, so the save waits for that; and the next tool
 * call waits for the save (`settled`), so the files saved are exactly those the transcript's calls
 * left. A crash in between resumes from the previous save: consistent, a call or so behind.
 */
export class SessionCheckpoints {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: CheckpointDeps) {}

  /** Schedules a save once the transcript records `callId`'s result. */
  after(callId: string): void {
    this.chain = this.chain.then(async () => {
      const deadline = Date.now() + RECORDED_WAIT_MS;
      while (!(await this.deps.recorded(callId))) {
        if (Date.now() > deadline) {
          await this.deps.onSkipped(`Claude Code did not record the result of ${callId} in time`);
          return;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      await this.deps.save();
    });
    // A failed save fails the run at the next call (settled); the chain itself goes on.
    this.chain.catch(() => {});
  }

  /** Resolves when every scheduled save is done; rejects with a save's failure. */
  async settled(): Promise<void> {
    try {
      await this.chain;
    } catch (e) {
      this.chain = Promise.resolve();
      throw new Error(`could not save the run's checkpoint: ${errorMessage(e)}`, { cause: e });
    }
  }
}
