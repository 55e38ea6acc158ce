import type { SDKMessage, SDKResultMessage } from "@anthropic-ai/claude-agent-sdk";
import type { ModelPrice } from "../../../lib/config";
import { capText, EVENT_OUTPUT_CHARS } from "../../agent/toolStep";
import { addTurnUsage, usageEvent, type ApiUsage } from "../../agent/usage";
import type { TextCoalescer } from "../../agent/textCoalescer";
import type { RunEmit } from "../types";
import type { SessionCounters } from "./state";

/** How long a hook waits for the stream to show the tool call it is asked about. */
const SEEN_WAIT_MS = 5_000;

/** Waits until a waker registered under `key` in `waiters` is called, or the timeout passes. */
function wakeOrTimeout(waiters: Map<string, (() => void)[]>, key: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const list = waiters.get(key) ?? [];
    list.push(() => {
      clearTimeout(timer);
      resolve();
    });
    waiters.set(key, list);
  });
}

type ToolUse = { name: string; input: unknown; messageId: string; subagent: boolean };
type Call = { startedAt: number; finished: boolean };
type Request = { usage: ApiUsage; counted: boolean };

/**
 * Turns what the Claude Agent SDK streams into the run's events, the same feed our own loop
 * makes: the main agent's text as it streams (`assistant.text`), usage and cost after each model
 * request (`usage`, running totals), and each tool call's end (`tool.finished` with its output
 * and duration). A tool call's start comes from the approval hook (toolHooks.ts), which calls
 * `started` or `blocked` here once the gate has decided.
 */
export class ClaudeCodeFeed {
  sessionId: string | undefined;
  result: SDKResultMessage | undefined;
  private readonly toolUses = new Map<string, ToolUse>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly calls = new Map<string, Call>();
  private readonly requests = new Map<string, Request>();
  // Hooks waiting until a model request's usage is counted (its message_stop).
  private readonly countWaiters = new Map<string, (() => void)[]>();

  constructor(
    private readonly emit: RunEmit,
    private readonly text: TextCoalescer,
    private readonly price: ModelPrice,
    readonly counters: SessionCounters,
  ) {}

  async handle(message: SDKMessage): Promise<void> {
    switch (message.type) {
      case "system":
        if (message.subtype === "init") this.sessionId = message.session_id;
        if (message.subtype === "api_retry") {
          await this.text.flush();
          const status = message.error_status ? ` (HTTP ${message.error_status})` : "";
          await this.emit({
            type: "log",
            level: "warn",
            message: `the model API failed${status}: ${message.error}; Claude Code retries in ${Math.round(message.retry_delay_ms / 1000)} s (attempt ${message.attempt} of ${message.max_retries})`,
          });
        }
        return;
      case "stream_event":
        return this.streamEvent(message.event, message.parent_tool_use_id);
      case "assistant":
        return this.assistant(message.message.id, message.message.content, message.message.usage, message.parent_tool_use_id !== null);
      case "user":
        return this.toolResults(message.message.content);
      case "result":
        this.result = message;
        await this.text.flush();
        return;
      default:
        return;
    }
  }

  /** Resolves once the stream has shown the tool call (its text before it is then in the feed); false on timeout. */
  async seen(callId: string, timeoutMs = SEEN_WAIT_MS): Promise<ToolUse | undefined> {
    const known = this.toolUses.get(callId);
    if (known) return known;
    await wakeOrTimeout(this.waiters, callId, timeoutMs);
    return this.toolUses.get(callId);
  }

  /**
   * Resolves once the model request's usage is counted (at its message_stop), or after the
   * timeout: the CLI may call a tool's hook before the request's last stream events arrive.
   */
  async counted(messageId: string, timeoutMs = SEEN_WAIT_MS): Promise<void> {
    if (this.requests.get(messageId)?.counted) return;
    await wakeOrTimeout(this.countWaiters, messageId, timeoutMs);
  }

  /** The gate let the call run with `input`. */
  async started(callId: string, tool: string, input: unknown): Promise<void> {
    await this.text.flush();
    this.calls.set(callId, { startedAt: Date.now(), finished: false });
    await this.emit({ type: "tool.started", callId, tool, input });
  }

  /** The gate did not let the call run: the feed shows it with the reason, as our loop does. */
  async blocked(callId: string, tool: string, input: unknown, output: string): Promise<void> {
    await this.text.flush();
    this.calls.set(callId, { startedAt: Date.now(), finished: true });
    await this.emit({ type: "tool.started", callId, tool, input });
    await this.emit({ type: "tool.finished", callId, ok: false, output, durationMs: 0 });
  }

  /** The model request each agent (the main one, or a subagent by its Task call) is streaming. */
  private readonly streaming = new Map<string, string>();

  private async streamEvent(raw: unknown, parent: string | null): Promise<void> {
    const event = raw as StreamEvent;
    const agent = parent ?? "main";
    const current = this.streaming.get(agent);
    if (event.type === "message_start" && event.message) {
      this.requests.set(event.message.id, { usage: { ...event.message.usage }, counted: false });
      this.streaming.set(agent, event.message.id);
      if (parent === null) {
        this.counters.turns += 1;
        this.counters.requests += 1;
      }
    } else if (event.type === "content_block_delta" && event.delta?.type === "text_delta" && parent === null && current) {
      this.text.push(event.delta.text ?? "", current);
    } else if (event.type === "message_delta" && current) {
      const request = this.requests.get(current);
      if (request && event.usage) request.usage.output_tokens = event.usage.output_tokens;
    } else if (event.type === "message_stop" && current) {
      await this.countUsage(current);
    }
  }

  private async assistant(messageId: string, content: unknown, usage: ApiUsage | undefined, subagent: boolean): Promise<void> {
    if (Array.isArray(content)) {
      for (const block of content as { type: string; id?: string; name?: string; input?: unknown }[]) {
        if (block.type !== "tool_use" || !block.id) continue;
        this.toolUses.set(block.id, { name: block.name ?? "tool", input: block.input, messageId, subagent });
        for (const wake of this.waiters.get(block.id) ?? []) wake();
        this.waiters.delete(block.id);
      }
    }
    // A request whose stream was not forwarded (a subagent's) is counted from its message.
    if (!this.requests.has(messageId) && usage) {
      this.requests.set(messageId, { usage: { ...usage }, counted: false });
      await this.countUsage(messageId);
    }
  }

  private async countUsage(messageId: string): Promise<void> {
    const request = this.requests.get(messageId);
    if (!request || request.counted) return;
    request.counted = true;
    const { turn, totals } = addTurnUsage(this.counters.usage, request.usage, this.price);
    this.counters.usage = totals;
    this.counters.lastTurnCostUsd = turn.costUsd;
    for (const wake of this.countWaiters.get(messageId) ?? []) wake();
    this.countWaiters.delete(messageId);
    await this.text.flush();
    await this.emit(usageEvent(totals, this.counters.turns));
  }

  private async toolResults(content: unknown): Promise<void> {
    if (!Array.isArray(content)) return;
    for (const block of content as { type: string; tool_use_id?: string; content?: unknown; is_error?: boolean }[]) {
      if (block.type !== "tool_result" || !block.tool_use_id) continue;
      const callId = block.tool_use_id;
      let call = this.calls.get(callId);
      if (call?.finished) continue;
      if (!call) {
        // Refused by Claude Code before any hook saw it (e.g. an input its schema rejects).
        const use = this.toolUses.get(callId);
        await this.started(callId, use?.name ?? "tool", use?.input ?? {});
        call = this.calls.get(callId)!;
      }
      call.finished = true;
      const shown = capText(resultText(block.content), EVENT_OUTPUT_CHARS, "shown here; the model received more");
      await this.emit({
        type: "tool.finished",
        callId,
        ok: block.is_error !== true,
        output: shown.text,
        durationMs: Date.now() - call.startedAt,
        ...(shown.cut ? { truncated: true } : {}),
      });
    }
  }
}

/** The fields of a Messages API stream event this feed reads. */
type StreamEvent = {
  type: string;
  message?: { id: string; usage: ApiUsage };
  delta?: { type: string; text?: string };
  usage?: { output_tokens: number };
};

/** A tool_result's content as text: a string, or its text blocks (others named). */
function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as { type: string; text?: string }[])
    .map((block) => (block.type === "text" ? (block.text ?? "") : `[${block.type}]`))
    .join("\n");
}
