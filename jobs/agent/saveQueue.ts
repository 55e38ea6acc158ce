/**
 * Writes saves one at a time, in order, behind the caller's back: a save queued while another
 * is being written waits; a newer one queued before it started is merged into it (only the
 * newest state needs writing, and the merge carries the older one's changes along). After a
 * write, the next one starts `pauseMs` later at the earliest, so a burst of saves costs a few
 * writes, not one each; `flush` cuts the pause short. A write that fails stops the queue for
 * good: the failure is thrown by the next `enqueue` or `flush`, and nothing queued after it is
 * written.
 */
export class SaveQueue<Save> {
  private pending: Save | null = null;
  private running: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  private endPause: (() => void) | null = null;
  private lastWriteEnded = 0;
  private flushing = 0;
  /** Saves handed in, saves written, and saves merged into a newer one before being written. */
  readonly counts = { queued: 0, written: 0, merged: 0 };

  constructor(
    private readonly write: (save: Save) => Promise<void>,
    private readonly merge: (older: Save, newer: Save) => Save,
    private readonly pauseMs = 0,
  ) {}

  /** Queues a save; throws the failure of an earlier write instead. */
  enqueue(save: Save): void {
    if (this.failure) throw this.failure.error;
    this.counts.queued += 1;
    if (this.pending) {
      this.pending = this.merge(this.pending, save);
      this.counts.merged += 1;
    } else {
      this.pending = save;
    }
    this.running ??= this.drain();
  }

  /** Resolves once every save queued so far is written; throws the failure of a write. */
  async flush(): Promise<void> {
    this.flushing += 1;
    try {
      this.endPause?.();
      while (this.running) await this.running;
    } finally {
      this.flushing -= 1;
    }
    if (this.failure) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    // Started on the next tick, so `running` is set before a write can end the drain.
    await Promise.resolve();
    try {
      while (this.pending) {
        await this.pause();
        const save = this.pending;
        this.pending = null;
        await this.write(save);
        this.lastWriteEnded = Date.now();
        this.counts.written += 1;
      }
    } catch (e) {
      this.failure = { error: e };
      this.pending = null;
    } finally {
      this.running = null;
    }
  }

  /** Waits until `pauseMs` after the last write, unless someone waits for the saves (flush). */
  private async pause(): Promise<void> {
    const wait = this.lastWriteEnded + this.pauseMs - Date.now();
    if (wait <= 0 || this.flushing > 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.endPause?.(), wait);
      this.endPause = () => {
        clearTimeout(timer);
        this.endPause = null;
        resolve();
      };
    });
  }
}
