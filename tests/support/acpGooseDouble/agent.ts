import path from "node:path";
import { Readable, Writable } from "node:stream";
import {
  agent,
  methods,
  ndJsonStream,
  RequestError,
  type AgentContext,
  type ClientCapabilities,
  type PlanEntry,
  type PromptResponse,
  type StopReason,
  type ToolKind,
} from "@agentclientprotocol/sdk/unstable";

/**
 * An ACP agent for tests, launched as Goose is (`goose acp --with-builtin developer`, see the
 * `goose` script next to this file), built on the ACP SDK's agent side. GOOSE_DOUBLE_SCRIPT
 * (JSON, a `Script`) says what each prompt turn does: the n-th `session/prompt` this process
 * receives plays `turns[n]`; a turn beyond the script just says what it received. Everything
 * it learns (what the client answered, a terminal's output, a refusal) it says back as agent
 * message text, so a test reads it in the run's feed.
 */
export type Step =
  | { say: string }
  /** Says the prompt text it received (and the client's capabilities, on the first turn). */
  | { echo: true }
  /** Says the model its session is set to (Script.models). */
  | { sayModel: true }
  | { plan: PlanEntry[] }
  /** A tool call it reports as done, without asking. */
  | { tool: { id: string; title: string; kind: ToolKind; rawInput?: unknown; output: string } }
  /** A shell command: asks permission when `ask`, then runs it through the client's terminal. */
  | { shell: { id: string; command: string; ask: boolean } }
  /** A command it says it ran itself, without asking or a terminal (what a deny rule must catch). */
  | { ranUnasked: { id: string; command: string } }
  | { write: { path: string; content: string } }
  | { read: { path: string } }
  | { usage: { inputTokens: number; outputTokens: number; costUsd: number } }
  /** Waits for `session/cancel` and ends the turn as cancelled. */
  | { waitForCancel: true }
  /** Never ends the turn, cancel or not (the client must stop the process). */
  | { hang: true }
  | { stop: StopReason };

export type Script = {
  turns: Step[][];
  /**
   * Advertise `loadSession` and accept any session id (as if it remembered it), replaying a
   * line of "history" as agents do on load: the client must not show it again.
   */
  loadSession?: boolean;
  /** Offer a model setting (a session config option of category "model") with these values, the first current. */
  models?: string[];
};

const script: Script = JSON.parse(process.env.GOOSE_DOUBLE_SCRIPT ?? '{"turns":[]}') as Script;
let promptCount = 0;
let currentModel = script.models?.[0];

const modelOptions = () =>
  script.models
    ? [{ id: "model", name: "Model", category: "model", type: "select" as const, currentValue: currentModel!, options: script.models.map((m) => ({ value: m, name: m })) }]
    : undefined;
let capabilities: ClientCapabilities | undefined;
const sessions = new Map<string, { cwd: string; cancelled: Promise<void>; cancel: () => void }>();

function newSession(cwd: string, id = `goose-session-${sessions.size + 1}`): string {
  let cancel = () => {};
  const cancelled = new Promise<void>((resolve) => {
    cancel = resolve;
  });
  sessions.set(id, { cwd, cancelled, cancel });
  return id;
}

const say = (client: AgentContext, sessionId: string, text: string) =>
  client.notify(methods.client.session.update, {
    sessionId,
    update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text: `${text}\n` }, messageId: `m${promptCount}` },
  });

const errorText = (e: unknown) => (e instanceof Error ? e.message : JSON.stringify(e));

async function shell(client: AgentContext, sessionId: string, cwd: string, step: { id: string; command: string; ask: boolean }): Promise<void> {
  const update = (fields: Record<string, unknown>) =>
    client.notify(methods.client.session.update, { sessionId, update: { sessionUpdate: "tool_call_update", toolCallId: step.id, ...fields } });
  await client.notify(methods.client.session.update, {
    sessionId,
    update: { sessionUpdate: "tool_call", toolCallId: step.id, title: step.command, kind: "execute", status: "pending", rawInput: { command: step.command } },
  });
  if (step.ask) {
    const answer = await client.request(methods.client.session.requestPermission, {
      sessionId,
      toolCall: { toolCallId: step.id, title: step.command, kind: "execute", rawInput: { command: step.command } },
      options: [
        { optionId: "allow", name: "Allow", kind: "allow_once" },
        { optionId: "always", name: "Always allow", kind: "allow_always" },
        { optionId: "deny", name: "Deny", kind: "reject_once" },
      ],
    });
    const chosen = answer.outcome.outcome === "selected" ? answer.outcome.optionId : "cancelled";
    await say(client, sessionId, `permission for ${step.id}: ${chosen}`);
    if (chosen !== "allow" && chosen !== "always") {
      await update({ status: "failed", content: [{ type: "content", content: { type: "text", text: `not run: ${chosen}` } }] });
      return;
    }
  }
  await update({ status: "in_progress" });
  try {
    const terminal = await client.createTerminal({ sessionId, command: "bash", args: ["-c", step.command], cwd });
    const exit = await terminal.waitForExit();
    const output = await terminal.currentOutput();
    await terminal.release();
    await update({ status: exit.exitCode === 0 ? "completed" : "failed", content: [{ type: "terminal", terminalId: terminal.id }] });
    await say(client, sessionId, `ran ${step.id}: exit ${exit.exitCode}\n${output.output}`);
  } catch (e) {
    await update({ status: "failed", content: [{ type: "content", content: { type: "text", text: errorText(e) } }] });
    await say(client, sessionId, `terminal refused for ${step.id}: ${errorText(e)}`);
  }
}

async function play(client: AgentContext, sessionId: string, promptText: string, steps: Step[], usage: { tokens?: PromptResponse["usage"] }): Promise<StopReason> {
  const session = sessions.get(sessionId)!;
  for (const step of steps) {
    if ("say" in step) await say(client, sessionId, step.say);
    else if ("sayModel" in step) await say(client, sessionId, `model: ${currentModel ?? "none"}`);
    else if ("echo" in step) await say(client, sessionId, `received: ${promptText}${promptCount === 1 ? `\ncapabilities: ${JSON.stringify(capabilities)}` : ""}`);
    else if ("plan" in step) await client.notify(methods.client.session.update, { sessionId, update: { sessionUpdate: "plan", entries: step.plan } });
    else if ("tool" in step) {
      const { id, title, kind, rawInput, output } = step.tool;
      await client.notify(methods.client.session.update, { sessionId, update: { sessionUpdate: "tool_call", toolCallId: id, title, kind, status: "in_progress", rawInput } });
      await client.notify(methods.client.session.update, {
        sessionId,
        update: { sessionUpdate: "tool_call_update", toolCallId: id, status: "completed", content: [{ type: "content", content: { type: "text", text: output } }] },
      });
    } else if ("shell" in step) await shell(client, sessionId, session.cwd, step.shell);
    else if ("ranUnasked" in step) {
      const { id, command } = step.ranUnasked;
      await client.notify(methods.client.session.update, { sessionId, update: { sessionUpdate: "tool_call", toolCallId: id, title: command, kind: "execute", status: "in_progress", rawInput: { command } } });
      await client.notify(methods.client.session.update, { sessionId, update: { sessionUpdate: "tool_call_update", toolCallId: id, status: "completed", rawOutput: "done" } });
      // A real agent goes on after a command; the client should have cancelled the turn by now.
      await new Promise((r) => setTimeout(r, 200));
      await say(client, sessionId, "went on after the unasked command");
    } else if ("write" in step) {
      try {
        await client.request(methods.client.fs.writeTextFile, { sessionId, path: path.resolve(session.cwd, step.write.path), content: step.write.content });
        await say(client, sessionId, `wrote ${step.write.path}`);
      } catch (e) {
        await say(client, sessionId, `write refused for ${step.write.path}: ${errorText(e)}`);
      }
    } else if ("read" in step) {
      try {
        const read = await client.request(methods.client.fs.readTextFile, { sessionId, path: path.resolve(session.cwd, step.read.path) });
        await say(client, sessionId, `read ${step.read.path}: ${read.content}`);
      } catch (e) {
        await say(client, sessionId, `read refused for ${step.read.path}: ${errorText(e)}`);
      }
    } else if ("usage" in step) {
      usage.tokens = { inputTokens: step.usage.inputTokens, outputTokens: step.usage.outputTokens, totalTokens: step.usage.inputTokens + step.usage.outputTokens };
      await client.notify(methods.client.session.update, {
        sessionId,
        update: { sessionUpdate: "usage_update", used: step.usage.inputTokens, size: 200_000, cost: { amount: step.usage.costUsd, currency: "USD" } },
      });
    } else if ("waitForCancel" in step) {
      await say(client, sessionId, "waiting to be cancelled");
      await session.cancelled;
      return "cancelled";
    } else if ("hang" in step) {
      await say(client, sessionId, "hanging");
      await new Promise(() => {});
    } else if ("stop" in step) return step.stop;
  }
  return "end_turn";
}

const app = agent({ name: "goose-double" })
  .onRequest(methods.agent.initialize, ({ params }) => {
    capabilities = params.clientCapabilities;
    return {
      protocolVersion: 1,
      agentCapabilities: { loadSession: script.loadSession === true },
      agentInfo: { name: "goose", title: "Goose (test double)", version: "0.0.0-test" },
    };
  })
  .onRequest(methods.agent.session.new, ({ params }) => ({ sessionId: newSession(params.cwd), configOptions: modelOptions() }))
  .onRequest(methods.agent.session.setConfigOption, ({ params }) => {
    if (params.configId !== "model" || !script.models || typeof params.value !== "string" || !script.models.includes(params.value)) {
      throw RequestError.invalidParams(undefined, `Invalid value for config option ${params.configId}: ${String(params.value)}`);
    }
    currentModel = params.value;
    return { configOptions: modelOptions()! };
  })
  .onRequest(methods.agent.session.load, async ({ params, client }) => {
    newSession(params.cwd, params.sessionId);
    await client.notify(methods.client.session.update, {
      sessionId: params.sessionId,
      update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text: "REPLAYED HISTORY\n" } },
    });
    return { configOptions: modelOptions() };
  })
  .onRequest(methods.agent.session.prompt, async ({ params, client }) => {
    const text = params.prompt.map((block) => (block.type === "text" ? block.text : `[${block.type}]`)).join("\n");
    const steps = script.turns[promptCount] ?? [{ echo: true }];
    promptCount += 1;
    const usage: { tokens?: PromptResponse["usage"] } = {};
    const stopReason = await play(client, params.sessionId, text, steps, usage);
    return { stopReason, ...(usage.tokens ? { usage: usage.tokens } : {}) };
  })
  .onNotification(methods.agent.session.cancel, ({ params }) => {
    sessions.get(params.sessionId)?.cancel();
  });

app.connect(ndJsonStream(Writable.toWeb(process.stdout) as WritableStream<Uint8Array>, Readable.toWeb(process.stdin) as unknown as ReadableStream<Uint8Array>));
