import { z } from "zod";

/**
 * The agent's conversation with the model, in the Messages API's shape, narrowed to the
 * blocks this loop produces (text, tool_use, tool_result). It is what a checkpoint stores,
 * so it has a zod schema: a checkpoint read back from Redis is validated before it is used.
 */
const textBlock = z.object({ type: z.literal("text"), text: z.string() });
const toolUseBlock = z.object({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() });
export const toolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.string(),
  is_error: z.boolean().optional(),
});
const block = z.discriminatedUnion("type", [textBlock, toolUseBlock, toolResultBlock]);

export const conversationMessage = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(block)]),
});
export const conversation = z.array(conversationMessage);

export type TextBlock = z.infer<typeof textBlock>;
export type ToolUseBlock = z.infer<typeof toolUseBlock>;
export type ToolResultBlock = z.infer<typeof toolResultBlock>;
export type ContentBlock = z.infer<typeof block>;
export type ConversationMessage = z.infer<typeof conversationMessage>;

const EPHEMERAL = { type: "ephemeral" } as const;

/**
 * The messages as sent: the last block of the last message carries a cache breakpoint, so
 * the whole conversation so far becomes the cached prefix of the next request. The stored
 * conversation has no markers; each request moves the breakpoint to its new end.
 */
export function withCacheBreakpoint(messages: readonly ConversationMessage[]) {
  return messages.map((message, i) => {
    if (i !== messages.length - 1) return message;
    const blocks: ContentBlock[] =
      typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    return {
      role: message.role,
      content: blocks.map((b, j) => (j === blocks.length - 1 ? { ...b, cache_control: EPHEMERAL } : b)),
    };
  });
}

/** System prompt and tool definitions with their cache breakpoints (the stable prefix). */
export function cachedSystem(text: string) {
  return [{ type: "text" as const, text, cache_control: EPHEMERAL }];
}

export function cachedTools<T extends object>(tools: readonly T[]): (T & { cache_control?: typeof EPHEMERAL })[] {
  return tools.map((t, i) => (i === tools.length - 1 ? { ...t, cache_control: EPHEMERAL } : t));
}
