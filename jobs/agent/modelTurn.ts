import { APIConnectionError, type default as Anthropic } from "@anthropic-ai/sdk";
import type { ConversationMessage } from "./conversation";
import { cachedSystem, cachedTools, withCacheBreakpoint } from "./conversation";
import type { ApiUsage } from "./usage";

export type TurnRequest = {
  model: string;
  maxTokens: number;
  system: string;
  tools: readonly { name: string; description: string; input_schema: object }[];
  messages: readonly ConversationMessage[];
};

/** What the loop needs of the model's answer (the SDK's Message, narrowed). */
export type TurnResponse = {
  id: string;
  content: ({ type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown } | { type: string })[];
  stopReason: string | null;
  usage: ApiUsage;
};

/**
 * One model request, streamed: text deltas reach `onText` as they arrive; resolves with the
 * whole answer. Prompt caching: breakpoints on the system prompt, the last tool definition
 * and the end of the conversation, so each turn re-reads the previous turns from the cache.
 */
export async function streamTurn(
  client: Anthropic,
  request: TurnRequest,
  options: { signal: AbortSignal; onText(text: string, messageId: string | undefined): void },
): Promise<TurnResponse> {
  const stream = client.messages.stream(
    {
      model: request.model,
      max_tokens: request.maxTokens,
      system: cachedSystem(request.system),
      tools: cachedTools(request.tools) as Anthropic.Messages.Tool[],
      messages: withCacheBreakpoint(request.messages) as Anthropic.Messages.MessageParam[],
    },
    { signal: options.signal },
  );
  let answering = false;
  stream.on("streamEvent", () => (answering = true));
  stream.on("text", (delta) => options.onText(delta, stream.currentMessage?.id));
  let message: Anthropic.Messages.Message;
  try {
    message = await stream.finalMessage();
  } catch (e) {
    // Once the answer has started, a connection failure is a broken stream, not an unreachable API.
    if (answering && e instanceof APIConnectionError) throw new StreamInterruptedError(e);
    throw e;
  }
  return { id: message.id, content: message.content, stopReason: message.stop_reason, usage: message.usage };
}

/** The connection broke after the model had started answering. */
export class StreamInterruptedError extends Error {
  constructor(cause: Error) {
    super(causeMessage(cause), { cause });
    this.name = "StreamInterruptedError";
  }
}

function causeMessage(e: Error): string {
  const inner = e.cause instanceof Error ? e.cause : undefined;
  return inner ? `${e.message}: ${inner.message}` : e.message;
}
