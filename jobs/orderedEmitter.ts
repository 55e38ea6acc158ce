import type { EventBodyInput } from "../lib/events";
import type { RunEmit } from "./executors/types";

/**
 * Sends events one after another, in order, without making the producer (a stream handler, a
 * timer) wait for Redis. After a failed write nothing more is sent; `settled()` waits for
 * everything queued and rejects with that first failure, once.
 */
export class OrderedEmitter {
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly emit: RunEmit) {}

  send(body: EventBodyInput): void {
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.emit(body);
      } catch (e) {
        this.failure = e;
      }
    });
  }

  async settled(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
  }
}
