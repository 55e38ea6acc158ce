import type { SessionUpdate } from "@agentclientprotocol/sdk/unstable";
import type { EventBodyInput } from "../../../lib/events";
import { TextCoalescer } from "../../agent/textCoalescer";
import { capText, EVENT_OUTPUT_CHARS } from "../../agent/toolStep";
import type { RunEmit } from "../types";
import { toolNameOf, toolOutputText, type KnownToolCall, type ToolCallBook } from "./toolCalls";

/** Where a tool call stands in the feed. */
type FeedCall = { startedAt: number; started: boolean; finished: boolean };

export type AcpFeedOptions = {
  emit: RunEmit;
  book: ToolCallBook;
  /** The feed's call id of an agent's tool call id (unique in the run, across sessions). */
  feedCallId(toolCallId: string): string;
  /** Output of one of our terminals, for a tool call that embeds it. */
  terminalOutput(terminalId: string): string | undefined;
  /** Sees every tool call as it is reported (after merging): the deny-rule watch. */
  onToolCall(call: KnownToolCall): void;
  /** A tool call has finished and is in the feed (the run checkpoints here). */
  onToolFinished(): Promise<void>;
  /** The agent's running session cost, when it reports one (usage_update). */
  onCost(costUsd: number): void;
  textFlushMs: number;
};

/**
 * The agent's `session/update` notifications as the run's feed, in the same events the
 * `agent` executor emits: streamed text (coalesced), each tool call started when it starts
 * running (so its input is complete and an approval card comes first) and finished with its
 * output and duration, and plans. Updates are handled one after another in arrival order
 * (the SDK may run notification handlers concurrently).
 */
export class AcpFeed {
  private readonly text: TextCoalescer;
  private readonly calls = new Map<string, FeedCall>();
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly options: AcpFeedOptions) {
    this.text = new TextCoalescer(options.emit, options.textFlushMs);
  }

  /** Queues one update; its events go out in order. */
  update(update: SessionUpdate): void {
    // Merged at once: a permission request right behind this update must see the call.
    const call = update.sessionUpdate === "tool_call" || update.sessionUpdate === "tool_call_update" ? this.options.book.merge(update) : undefined;
    if (call) {
      if (!this.calls.has(call.toolCallId)) this.calls.set(call.toolCallId, { startedAt: Date.now(), started: false, finished: false });
      this.options.onToolCall(call);
    }
    this.enqueue(() => this.handle(update, call));
  }

  /**
   * A tool call may start now (a permission was granted): from here its duration counts,
   * not the time a person took to decide.
   */
  markStart(toolCallId: string): void {
    const call = this.calls.get(toolCallId);
    if (call && !call.started) call.startedAt = Date.now();
  }

  /** Waits until every queued update's events are written; rejects with the first failed write. */
  async settled(): Promise<void> {
    await this.chain;
    await this.text.flush();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Ends every call still open (the prompt turn is over): shown as not finished. */
  async closeOpenCalls(why: string): Promise<void> {
    await this.settled();
    for (const [toolCallId, call] of this.calls) {
      if (call.finished) continue;
      const known = this.options.book.get(toolCallId);
      if (!known) continue;
      await this.start(known, call);
      await this.finish(known, call, false, why);
    }
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await work();
      } catch (e) {
        this.failure = e;
      }
    });
  }

  private async handle(update: SessionUpdate, known: KnownToolCall | undefined): Promise<void> {
    switch (update.sessionUpdate) {
      case "agent_message_chunk":
        if (update.content.type === "text") this.text.push(update.content.text, update.messageId ?? undefined);
        return;
      case "tool_call":
      case "tool_call_update":
        if (known) await this.toolCall(known);
        return;
      case "plan":
        await this.send({
          type: "agent.plan",
          entries: update.entries.map((e) => ({ content: e.content, status: e.status, priority: e.priority })),
        });
        return;
      case "usage_update":
        if (update.cost && update.cost.currency.toUpperCase() === "USD") this.options.onCost(update.cost.amount);
        return;
      default:
        // Thoughts, the echo of our own prompt, commands, modes, titles: nothing the feed shows.
        return;
    }
  }

  private async toolCall(known: KnownToolCall): Promise<void> {
    const call = this.calls.get(known.toolCallId);
    if (!call || call.finished) return;
    const status = known.status ?? "pending";
    if (status === "pending") return;
    await this.start(known, call);
    if (status === "completed" || status === "failed") {
      await this.finish(known, call, status === "completed", toolOutputText(known, this.options.terminalOutput));
    }
  }

  private async start(known: KnownToolCall, call: FeedCall): Promise<void> {
    if (call.started) return;
    call.started = true;
    await this.send({
      type: "tool.started",
      callId: this.options.feedCallId(known.toolCallId),
      tool: toolNameOf(known),
      input: known.rawInput ?? { title: known.title },
    });
  }

  private async finish(known: KnownToolCall, call: FeedCall, ok: boolean, output: string): Promise<void> {
    call.finished = true;
    const shown = capText(output, EVENT_OUTPUT_CHARS, "shown here; the agent received more");
    await this.send({
      type: "tool.finished",
      callId: this.options.feedCallId(known.toolCallId),
      ok,
      output: shown.text,
      durationMs: Date.now() - call.startedAt,
      ...(shown.cut ? { truncated: true } : {}),
    });
    await this.options.onToolFinished();
  }

  // Text first: a tool call must not overtake the words that announced it.
  private async send(body: EventBodyInput): Promise<void> {
    await this.text.flush();
    await this.options.emit(body);
  }
}
