/**
 * Writes saves one at a time, in order, behind the caller's back: a save queued while another
 * is being written waits; a newer one queued before it started is merged into it (only the
 * newest state needs writing, and the merge carries the older one's changes along). A write
 * that fails stops the queue for good: the failure is thrown by the next `enqueue` or `flush`,
 * and nothing queued after it is written.
 */
export class SaveQueue<Save> {
  private pending: Save | null = null;
  private running: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  /** Saves handed in, saves written, and saves merged into a newer one before being written. */
  readonly counts = { queued: 0, written: 0, merged: 0 };

  constructor(
    private readonly write: (save: Save) => Promise<void>,
    private readonly merge: (older: Save, newer: Save) => Save,
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
    while (this.running) await this.running;
    if (this.failure) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    // Started on the next tick, so `running` is set before a write can end the drain.
    await Promise.resolve();
    try {
      while (this.pending) {
        const save = this.pending;
        this.pending = null;
        await this.write(save);
        this.counts.written += 1;
      }
    } catch (e) {
      this.failure = { error: e };
      this.pending = null;
    } finally {
      this.running = null;
    }
  }
}
