import type { ToolCall, ToolCallContent, ToolCallUpdate } from "@agentclientprotocol/sdk/unstable";

/**
 * What the agent has said so far about one of its tool calls: ACP sends a `tool_call` and
 * then `tool_call_update`s that replace only the fields they carry (a permission request
 * repeats some of them too), so each is merged into one picture.
 */
export type KnownToolCall = Omit<ToolCall, "toolCallId"> & { toolCallId: string };

export class ToolCallBook {
  private readonly calls = new Map<string, KnownToolCall>();

  /** Merges a `tool_call`, `tool_call_update` or a permission request's `toolCall`; returns the whole call. */
  merge(update: ToolCall | ToolCallUpdate): KnownToolCall {
    const known = this.calls.get(update.toolCallId) ?? { toolCallId: update.toolCallId, title: "" };
    const merged: KnownToolCall = { ...known };
    // `null` and absence both mean "unchanged" for the optional fields of an update.
    for (const [key, value] of Object.entries(update) as [keyof KnownToolCall, unknown][]) {
      if (value === undefined || value === null || key === "toolCallId") continue;
      (merged as Record<string, unknown>)[key] = value;
    }
    this.calls.set(update.toolCallId, merged);
    return merged;
  }

  get(toolCallId: string): KnownToolCall | undefined {
    return this.calls.get(toolCallId);
  }
}

/**
 * The tool's name as the feed and the approval card show it: the programmatic name when the
 * agent gives one (claude-agent-acp puts Claude Code's in `_meta.claudeCode.toolName`), else
 * the title, else the kind.
 */
export function toolNameOf(call: Pick<KnownToolCall, "name" | "title" | "kind" | "_meta">): string {
  return programmaticName(call) || call.title?.trim() || call.kind || "tool";
}

/** The tool's programmatic name (`name`, else claude-agent-acp's `_meta.claudeCode.toolName`), if the agent gives one. */
export function programmaticName(call: Pick<KnownToolCall, "name" | "_meta">): string | undefined {
  const meta = call._meta?.claudeCode;
  const metaName = meta && typeof meta === "object" && "toolName" in meta && typeof meta.toolName === "string" ? meta.toolName : undefined;
  return call.name?.trim() || metaName?.trim() || undefined;
}

/** A tool call's output as text: its text content, a line per diff, a terminal's output; else its raw output. */
export function toolOutputText(call: KnownToolCall, terminalOutput: (terminalId: string) => string | undefined): string {
  const parts = (call.content ?? []).map((c) => contentText(c, terminalOutput)).filter((t) => t.length > 0);
  if (parts.length > 0) return parts.join("\n");
  const raw = call.rawOutput;
  if (raw === undefined || raw === null) return "";
  return typeof raw === "string" ? raw : JSON.stringify(raw, null, 2);
}

function contentText(content: ToolCallContent, terminalOutput: (terminalId: string) => string | undefined): string {
  switch (content.type) {
    case "content": {
      const block = content.content;
      if (block.type === "text") return block.text;
      if (block.type === "resource_link") return `[${block.name}](${block.uri})`;
      if (block.type === "resource" && "text" in block.resource) return block.resource.text;
      return `[${block.type}]`;
    }
    case "diff": {
      const before = content.oldText ?? null;
      return before === null ? `created ${content.path}` : `edited ${content.path}`;
    }
    case "terminal":
      return terminalOutput(content.terminalId) ?? "";
  }
}
