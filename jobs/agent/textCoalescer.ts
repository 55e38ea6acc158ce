import type { RunEmit } from "../executors/types";
import { OrderedEmitter } from "../orderedEmitter";

/**
 * Turns the model's text deltas (a few characters each) into `assistant.text` events about
 * every `intervalMs`: live enough to read along, without an event per token. Events go out
 * in order; `flush()` sends what is pending and waits for every event to be written, so the
 * loop calls it before emitting anything else (a tool call must not overtake its preamble).
 */
export class TextCoalescer {
  private pending = "";
  private messageId: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly out: OrderedEmitter;

  constructor(
    emit: RunEmit,
    private readonly intervalMs = 50,
  ) {
    this.out = new OrderedEmitter(emit);
  }

  push(text: string, messageId?: string): void {
    if (text.length === 0) return;
    if (messageId !== this.messageId) this.send();
    this.messageId = messageId;
    this.pending += text;
    this.timer ??= setTimeout(() => this.send(), this.intervalMs);
  }

  /** Sends what is pending; rejects with the first failed write. */
  async flush(): Promise<void> {
    this.send();
    await this.out.settled();
  }

  private send(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const body = { type: "assistant.text" as const, text: this.pending, ...(this.messageId ? { messageId: this.messageId } : {}) };
    this.pending = "";
    this.out.send(body);
  }
}
