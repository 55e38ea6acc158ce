import {
  client,
  methods,
  PROTOCOL_VERSION,
  RequestError,
  type ClientConnection,
  type InitializeRequest,
  type InitializeResponse,
  type PromptResponse,
  type RequestPermissionResponse,
  type SessionConfigOption,
  type SessionModeState,
} from "@agentclientprotocol/sdk/unstable";
import { deniedByRule, noRules, type ApprovalAction } from "../../../lib/approval";
import { DEFAULT_LOOP_REPEATS } from "../../agent/limits";
import { gateAction, type GateSettings } from "../../approval/gate";
import { acpAction } from "../../approval/toolActions";
import { errorMessage } from "../../errors";
import type { ModelAccess } from "../../sandbox/modelGateway";
import { workspaceViewProblem } from "../../sandbox/bwrapArgs";
import type { SandboxSettings, SandboxSpec } from "../../sandbox/spec";
import { WORKSPACE_VIEW } from "../claudeCode/run";
import type { ExecutorContext, ExecutorResult } from "../types";
import { AgentStartError, startAgentProcess, type AgentProcess } from "./agentProcess";
import { AcpFeed } from "./feed";
import { CLAUDE_AGENT_ACP, restoreClaudeSession, saveClaudeSession } from "./claudeSessions";
import { AcpFiles } from "./files";
import { AcpLimits, modelOption, modelsOffered } from "./limits";
import { acpMcpServers, prepareMcpServers, type PreparedMcpServers } from "./mcpServers";
import { answerPermission, Grants, ReviewerNotes } from "./permissions";
import { answerElicitation } from "./questions";
import { budgetContinuationPrompt, continuationPrompt, feedbackPrompt, initialAcpState, readAcpState, type AcpState } from "./state";
import { AcpTerminals } from "./terminals";
import { ToolCallBook, type KnownToolCall } from "./toolCalls";

export type AcpRunOptions = {
  /** The job process's environment: where the agent's and MCP servers' variables are read. */
  env: Record<string, string | undefined>;
  /** The Anthropic API for agents that list ANTHROPIC_API_KEY (through the sandbox's model gateway). */
  modelAccess?: ModelAccess;
  settings?: SandboxSettings;
  textFlushMs: number;
  /** After `session/cancel`, how long the agent has to end its turn before its processes are stopped. */
  cancelGraceMs: number;
  /** The budget of a run that names none (AGENT_BUDGET_USD). */
  defaultBudgetUsd: number;
};

/** The agent process died or stopped answering: the run fails with what it said last. */
class AgentGone extends Error {}

/** The run cannot go on as it was asked to (a limit a person did not lift, a model the agent does not offer). */
class RunRefused extends Error {}

/** Prompts carrying notes about refused calls, at most, after the run's own prompt. */
const MAX_NOTE_TURNS = 5;

/** The session mode in which an agent asks before acting (claude-agent-acp's name for it). */
const ASKING_MODE = "default";

// After a failed request, how long to wait for the agent's exit that would explain it.
const AGENT_EXIT_WAIT_MS = 1_000;

const CLIENT_INFO = { name: "agentdesk", title: "AgentDesk", version: "0.1.0" };

const stopMessages: Record<string, string> = {
  max_tokens: "the agent stopped: it reached its output token limit",
  max_turn_requests: "the agent stopped: it reached its limit of model requests in one turn",
  refusal: "the agent refused to go on (its model declined the request)",
  cancelled: "the agent cancelled its turn",
};

// Request ids (approval cards, questions) allow only these characters; an agent's ids may hold others.
const idPart = (id: string) => id.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 120);

/**
 * One run of an ACP agent (Goose, Gemini CLI, claude-agent-acp, …): started in the run's
 * sandbox, `initialize`, a session in the workspace (loaded for a follow-up when the agent
 * can, else new), the run's prompt; its updates become the feed, its permission requests,
 * terminals and file writes pass the run's one policy. Then notes the reviewer left (ACP
 * cannot carry them in a rejection) as a further prompt, until a turn ends with none left.
 */
export async function runAcpAgent(ctx: ExecutorContext, options: AcpRunOptions): Promise<ExecutorResult> {
  const spec = ctx.payload.acpAgent;
  if (!spec) return { ok: false, error: "the acp executor needs an ACP agent: the run names none (acpAgent)" };
  const fresh = () => initialAcpState(spec.name, ctx.payload.prompt);
  const stored = ctx.resumeFrom?.state ?? ctx.followUp?.state;
  const state: AcpState = stored === undefined ? fresh() : readAcpState(stored, fresh);
  // A session of another agent (the admin changed the run's agent) cannot be loaded.
  if (state.agentName !== spec.name) Object.assign(state, { agentName: spec.name, sessionId: null });
  // A follow-up gets its own turn limit; usage (and a raised budget) carry on, as for claude-code.
  if (ctx.followUp && !ctx.resumeFrom) Object.assign(state, { promptTurns: 0, raisedLimits: { budgetUsd: state.raisedLimits.budgetUsd } });
  state.sessions += 1;
  state.usage.costUsdBefore = state.usage.costUsd;
  const prefix = `acp${state.sessions}`;
  const feedCallId = (toolCallId: string) => `${prefix}-${idPart(toolCallId)}`;

  await ctx.emit({ type: "log", level: "info", message: `Starting the ACP agent ${spec.name}: ${[spec.command, ...spec.args].join(" ")}` });
  // The workspace at the same path in every delivery: agents that key their sessions by folder
  // (Claude Code) find a session again after a crash or a review.
  const run: SandboxSpec = workspaceViewProblem(WORKSPACE_VIEW, ctx.sandbox.readOnlyPaths) ? ctx.sandbox : { ...ctx.sandbox, workspaceView: WORKSPACE_VIEW };
  const mcp = prepareMcpServers(ctx.payload.mcpServers, run, options.env, options.settings);
  for (const message of mcp.warnings) await ctx.emit({ type: "log", level: "warn", message });
  let agent: AgentProcess;
  try {
    agent = await startAgentProcess({
      spec,
      sandbox: { ...run, readOnlyPaths: [...run.readOnlyPaths, ...mcp.readOnlyPaths] },
      env: options.env,
      withheld: ctx.payload.repo.credentialEnv ? [ctx.payload.repo.credentialEnv] : [],
      modelAccess: options.modelAccess,
      settings: options.settings,
      onStderr: (text) => ctx.logger.debug("acp agent stderr", { agent: spec.name, text }),
      prepare: async ({ homeHost, workspace }) => {
        const saved = state.claudeSession;
        // Needed once, here; the checkpoints of this delivery need not carry them again.
        state.claudeSession = null;
        if (!ctx.followUp || !saved) return;
        await restoreClaudeSession(homeHost, saved, workspace).catch((e: unknown) =>
          ctx.emit({ type: "log", level: "warn", message: `the agent's earlier session could not be put back: ${errorMessage(e)}` }),
        );
      },
    });
  } catch (e) {
    if (e instanceof AgentStartError) return { ok: false, error: e.message };
    throw e;
  }

  const session = new AcpSession(ctx, options, state, agent, prefix, feedCallId, mcp, run);
  try {
    return await session.run();
  } finally {
    await session.close();
  }
}

/** Everything one connection to the agent holds; `run` drives it, `close` ends it. */
class AcpSession {
  private readonly book = new ToolCallBook();
  private readonly grants = new Grants();
  private readonly notes = new ReviewerNotes();
  /** Tool calls the agent asked about (request_permission). */
  private readonly asked = new Set<string>();
  /** Command lines our terminals judged (run or refused). */
  private readonly judged = new Set<string>();
  private readonly feed: AcpFeed;
  private readonly limits: AcpLimits;
  /** The current turn was cancelled because the reported cost reached the budget. */
  private budgetCancelled = false;
  private readonly terminals: AcpTerminals;
  private readonly files: AcpFiles;
  private readonly gateSettings: GateSettings;
  private connection: ClientConnection | undefined;
  private sessionId: string | null = null;
  /** What the agent calls itself in `initialize`. */
  private agentName: string | null = null;
  private violation: string | null = null;
  private counters = { writes: 0, questions: 0 };
  private sessionCost = 0;
  private checkpoints: Promise<void> = Promise.resolve();
  /** Aborted when the run's rules were broken: the turn is cancelled and, after the grace, given up. */
  private readonly broken = new AbortController();

  constructor(
    private readonly ctx: ExecutorContext,
    private readonly options: AcpRunOptions,
    private readonly state: AcpState,
    private readonly agent: AgentProcess,
    private readonly prefix: string,
    private readonly feedCallId: (toolCallId: string) => string,
    private readonly mcp: PreparedMcpServers,
    run: SandboxSpec,
  ) {
    this.gateSettings = { mode: ctx.payload.approvalMode, rules: ctx.payload.approvalRules, remembered: state.remembered };
    const budgetUsd = ctx.payload.budgetUsd ?? options.defaultBudgetUsd;
    this.limits = new AcpLimits(state, { maxTurns: ctx.payload.maxTurns, budgetUsd, loopRepeats: DEFAULT_LOOP_REPEATS }, (request) => this.ask(request), prefix, {
      spending: ctx.spending,
      run: ctx.payload,
    });
    this.terminals = new AcpTerminals({
      sandbox: run,
      settings: options.settings,
      emit: ctx.emit,
      secrets: ctx.secrets,
      feedCallId: (n) => `${prefix}-terminal-${n}`,
      gate: async ({ callId, action, command, args, input }) => {
        if (action.kind === "shell") this.judged.add(action.command.trim());
        if (args.length === 2 && (args[0] === "-c" || args[0] === "-lc")) this.judged.add(args[1]!.trim());
        if (this.grants.coversTerminal(command, args, action)) return { run: true, input };
        return gateAction({ callId, tool: "terminal", input, action }, this.gateSettings, this.ask);
      },
    });
    this.files = new AcpFiles({
      workspace: ctx.workspace,
      seenAs: agent.workspace,
      secrets: ctx.secrets,
      gate: async (action, input) => {
        if (this.grants.covers(action)) return { run: true, input };
        const callId = `${prefix}-write-${++this.counters.writes}`;
        return gateAction({ callId, tool: "write_text_file", input, action }, this.gateSettings, this.ask);
      },
    });
    this.feed = new AcpFeed({
      emit: ctx.emit,
      book: this.book,
      feedCallId,
      terminalOutput: (id) => this.terminals.outputOf(id),
      onToolCall: (call) => this.watch(call),
      onToolFinished: () => this.checkpoint(),
      onCost: (cost) => {
        this.sessionCost = cost;
        if (!this.budgetCancelled && this.limits.reachedBudget(state.usage.costUsdBefore + cost)) this.stopForBudget();
      },
      textFlushMs: options.textFlushMs,
    });
  }

  // A person's answer is awaited here, holding the job: the agent process cannot be suspended.
  private readonly ask = (request: Parameters<ExecutorContext["requestInput"]>[0]) => this.ctx.requestInput(request);

  async run(): Promise<ExecutorResult> {
    try {
      const result = await this.converse();
      if (result.ok) await this.keepClaudeSession();
      return result;
    } catch (e) {
      if (this.violation) return { ok: false, error: this.violation, state: this.state };
      if (e instanceof AgentGone || e instanceof RunRefused) return { ok: false, error: e.message, state: this.state };
      // The agent answered a request with an error: nothing a retry of the run would change.
      if (e instanceof RequestError) return { ok: false, error: `the ACP agent ${this.state.agentName} failed: ${e.message}`, state: this.state };
      throw e;
    }
  }

  private async converse(): Promise<ExecutorResult> {
    const { ctx } = this;
    const connection = this.connect();
    const initialize: InitializeRequest = {
      protocolVersion: PROTOCOL_VERSION,
      clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true, elicitation: { form: {} } },
      clientInfo: CLIENT_INFO,
    };
    const init = await this.guard(connection.agent.request(methods.agent.initialize, initialize));
    const info = init.agentInfo;
    this.agentName = info?.name ?? null;
    await ctx.emit({
      type: "log",
      level: "info",
      message: `ACP agent ${this.state.agentName} is ${info ? `${info.title ?? info.name} ${info.version}` : "running"} (protocol v${init.protocolVersion})`,
    });
    const prompt = await this.openSession(connection, init);

    const onAbort = () => void this.cancelTurn();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      let response = await this.promptTurn(connection, prompt);
      const unheld = this.limits.unheldBudget(this.state.agentName);
      if (unheld) await ctx.emit({ type: "log", level: "warn", message: unheld });
      for (let noteTurns = 0; !this.violation; noteTurns++) {
        if (response.stopReason === "cancelled" && this.budgetCancelled && !ctx.signal.aborted) {
          // Stopped at the budget: the check before this turn asks whether to go on.
          response = await this.promptTurn(connection, budgetContinuationPrompt());
          continue;
        }
        if (response.stopReason !== "end_turn") break;
        const notes = this.notes.take();
        if (!notes) break;
        // An agent that keeps trying what the policy refuses would be told so forever.
        if (noteTurns === MAX_NOTE_TURNS) {
          await ctx.emit({ type: "log", level: "warn", message: `the agent was refused again after ${MAX_NOTE_TURNS} turns of notes; the run ends here` });
          break;
        }
        response = await this.promptTurn(connection, notes);
      }
      if (this.violation) return { ok: false, error: this.violation, state: this.state };
      if (ctx.signal.aborted) return { ok: false, error: "the run was stopped", state: this.state };
      if (response.stopReason === "end_turn") return { ok: true, state: this.state };
      return { ok: false, error: stopMessages[response.stopReason] ?? `the agent stopped: ${response.stopReason}`, state: this.state };
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
  }

  async close(): Promise<void> {
    await this.feed.settled().catch(() => {});
    await this.checkpoints.catch(() => {});
    await this.terminals.closeAll();
    this.connection?.close();
    await this.agent.close();
  }

  private connect(): ClientConnection {
    const app = client({ name: "agentdesk" })
      .onNotification(methods.client.session.update, ({ params }) => {
        // Only the live session's: a loaded session's replay of its history is not news.
        if (params.sessionId === this.sessionId) this.feed.update(params.update);
      })
      .onRequest(methods.client.session.requestPermission, async ({ params }) => this.permission(params))
      .onRequest(methods.client.fs.readTextFile, ({ params }) => this.files.read(params))
      .onRequest(methods.client.fs.writeTextFile, ({ params }) => this.files.write(params))
      .onRequest(methods.client.terminal.create, ({ params }) => this.terminals.create(params))
      .onRequest(methods.client.terminal.output, ({ params }) => this.terminals.output(params.terminalId))
      .onRequest(methods.client.terminal.waitForExit, ({ params }) => this.terminals.waitForExit(params.terminalId))
      .onRequest(methods.client.terminal.kill, async ({ params }) => {
        await this.terminals.kill(params.terminalId);
        return {};
      })
      .onRequest(methods.client.terminal.release, async ({ params }) => {
        await this.terminals.release(params.terminalId);
        return {};
      })
      .onRequest(methods.client.elicitation.create, async ({ params }) => {
        await this.feed.settled();
        return answerElicitation(params, this.ask, `${this.prefix}-question-${++this.counters.questions}`);
      });
    this.connection = app.connect(this.agent.stream);
    return this.connection;
  }

  private async permission(params: Parameters<typeof answerPermission>[0]): Promise<RequestPermissionResponse> {
    try {
      return await answerPermission(params, {
        book: this.book,
        workspace: this.agent.workspace,
        settings: this.gateSettings,
        ask: this.ask,
        grants: this.grants,
        notes: this.notes,
        feedCallId: this.feedCallId,
        beforeAsking: () => this.feed.settled(),
        onAllowed: (id) => this.feed.markStart(id),
        onAsked: (id) => this.asked.add(id),
      });
    } catch (e) {
      // The run is being stopped while a person decides: ACP's answer to an open request then.
      if (this.ctx.signal.aborted) return { outcome: { outcome: "cancelled" } };
      throw e;
    }
  }

  /** Opens the session the prompt goes to; returns the prompt. */
  private async openSession(connection: ClientConnection, init: InitializeResponse): Promise<string> {
    const { ctx, state } = this;
    const mcpServers = acpMcpServers(this.mcp, this.options.env, init.agentCapabilities?.mcpCapabilities, (message) => {
      void ctx.emit({ type: "log", level: "warn", message });
    });
    // claude-agent-acp would read the repository's .claude/settings*.json (its permission rules
    // and hooks): a repository is untrusted input, and the run's policy decides. Nobody types a
    // next message it could suggest. Other agents ignore this key.
    const _meta = { claudeCode: { options: { settingSources: [], promptSuggestions: false } } };
    const followUp = ctx.followUp;
    if (followUp && state.sessionId && init.agentCapabilities?.loadSession) {
      try {
        const loaded = await this.guard(connection.agent.request(methods.agent.session.load, { sessionId: state.sessionId, cwd: this.agent.workspace, mcpServers, _meta }));
        this.sessionId = state.sessionId;
        await this.askingMode(connection, loaded?.modes);
        await this.chooseModel(connection, loaded?.configOptions);
        await ctx.emit({ type: "log", level: "info", message: `continuing the agent's session ${state.sessionId}` });
        return feedbackPrompt(followUp.feedback);
      } catch (e) {
        if (e instanceof AgentGone || e instanceof RunRefused) throw e;
        await ctx.emit({
          type: "log",
          level: "info",
          message: `the agent could not load its earlier session (${errorMessage(e)}); a new session gets the task and the feedback`,
        });
      }
    }
    const created = await this.guard(connection.agent.request(methods.agent.session.new, { cwd: this.agent.workspace, mcpServers, _meta }));
    this.sessionId = created.sessionId;
    state.sessionId = created.sessionId;
    await this.askingMode(connection, created.modes);
    await this.chooseModel(connection, created.configOptions);
    if (followUp) return continuationPrompt(state.task, { feedback: followUp.feedback });
    if (ctx.resumeFrom) return continuationPrompt(state.task, "resume");
    return state.task;
  }

  /** claude-agent-acp's session files go with the state the review keeps (see claudeSessions.ts). */
  private async keepClaudeSession(): Promise<void> {
    const { state } = this;
    state.claudeSession = null;
    if (this.agentName !== CLAUDE_AGENT_ACP || !state.sessionId) return;
    const kept = await saveClaudeSession(this.agent.homeHost, state.sessionId, this.agent.workspace);
    if ("saved" in kept) state.claudeSession = kept.saved;
    else await this.ctx.emit({ type: "log", level: "warn", message: `the agent's session is not kept for a follow-up: ${kept.error}` });
  }

  /**
   * Agents that have a mode named "default" (claude-agent-acp) ask before acting in it; others
   * of theirs act on their own judgment ("auto", "acceptEdits", "bypassPermissions") and would
   * never bring the run's policy a permission request. The session is put in "default".
   */
  private async askingMode(connection: ClientConnection, modes: SessionModeState | null | undefined): Promise<void> {
    if (!modes || modes.currentModeId === ASKING_MODE || !modes.availableModes.some((m) => m.id === ASKING_MODE)) return;
    await this.guard(connection.agent.request(methods.agent.session.setMode, { sessionId: this.sessionId!, modeId: ASKING_MODE }));
    await this.ctx.emit({ type: "log", level: "info", message: `the agent's session was in mode "${modes.currentModeId}"; switched to "${ASKING_MODE}", where it asks before acting` });
  }

  /**
   * The run's model, through the agent's model setting (a session config option of category
   * "model", as claude-agent-acp has). An agent without one, or that refuses the model, cannot
   * run it: the run fails saying so rather than run on another model.
   */
  private async chooseModel(connection: ClientConnection, options: SessionConfigOption[] | null | undefined): Promise<void> {
    const model = this.ctx.payload.model;
    if (!model) return;
    const name = this.state.agentName;
    const option = modelOption(options);
    if (!option) {
      throw new RunRefused(`the ACP agent ${name} offers no model choice (no session setting of category "model"), so it cannot run on ${model}; start the run without a model to use the agent's own`);
    }
    if (option.currentValue !== model) {
      try {
        await this.guard(connection.agent.request(methods.agent.session.setConfigOption, { sessionId: this.sessionId!, configId: option.id, value: model }));
      } catch (e) {
        if (e instanceof RequestError) throw new RunRefused(`the ACP agent ${name} does not take the model ${model} (it offers ${modelsOffered(option)}): ${e.message}`);
        throw e;
      }
    }
    await this.ctx.emit({ type: "log", level: "info", message: `the agent's model is ${model} (its setting "${option.name}")` });
  }

  /** The reported cost reached the budget: the turn is cancelled; the check before the next one asks. */
  private stopForBudget(): void {
    this.budgetCancelled = true;
    void this.ctx.emit({ type: "log", level: "warn", message: "the agent's reported cost reached the run's budget; its turn is stopped" });
    void this.cancelTurn();
  }

  private async promptTurn(connection: ClientConnection, text: string): Promise<PromptResponse> {
    // The turn's text is in the feed before a limit's approval card.
    await this.feed.settled();
    const refused = await this.limits.beforePrompt();
    if (refused) throw new RunRefused(refused);
    // Whether this turn is cancelled for the budget (a turn that ended on its own anyway does not carry it over).
    this.budgetCancelled = false;
    const sessionId = this.sessionId!;
    let response: PromptResponse;
    try {
      response = await this.guard(connection.agent.request(methods.agent.session.prompt, { sessionId, prompt: [{ type: "text", text }] }), {
        graceOnAbort: true,
      });
    } finally {
      await this.feed.closeOpenCalls("the agent's turn ended before this call finished");
    }
    await this.recordUsage(response);
    return response;
  }

  private async recordUsage(response: PromptResponse): Promise<void> {
    const u = this.state.usage;
    const turn = response.usage;
    if (turn) {
      u.inputTokens += turn.inputTokens;
      u.outputTokens += turn.outputTokens;
      u.cacheReadTokens += turn.cachedReadTokens ?? 0;
      u.cacheWriteTokens += turn.cachedWriteTokens ?? 0;
    }
    const cost = u.costUsdBefore + this.sessionCost;
    if (!turn && cost === u.costUsd) return;
    u.costUsd = cost;
    await this.ctx.emit({
      type: "usage",
      inputTokens: u.inputTokens,
      outputTokens: u.outputTokens,
      cacheReadTokens: u.cacheReadTokens,
      cacheWriteTokens: u.cacheWriteTokens,
      costUsd: u.costUsd,
    });
  }

  /**
   * Deny rules hold even when the agent does not ask: a command the agent reports it ran
   * (execute, completed or failed) that a deny rule matches, which it neither asked about
   * nor ran through our terminals (which judge it), already ran in the sandbox. The turn is
   * cancelled and the run fails.
   */
  private watch(call: KnownToolCall): void {
    if (this.violation || call.kind !== "execute" || (call.status !== "completed" && call.status !== "failed")) return;
    if (this.asked.has(call.toolCallId)) return;
    const action: ApprovalAction | null = acpAction(call, this.agent.workspace);
    if (action?.kind !== "shell" || this.judged.has(action.command.trim())) return;
    const refusal = deniedByRule(action.command, this.ctx.payload.approvalRules ?? noRules());
    if (!refusal || !("rule" in refusal)) return;
    this.violation =
      `the agent ran a command the repository's rules deny, without asking: \`${refusal.command}\` (rule \`${refusal.rule}\`). ` +
      "It ran inside the run's sandbox; the run is stopped and its changes are not offered for review.";
    void this.ctx.emit({ type: "log", level: "error", message: this.violation });
    void this.cancelTurn();
    this.broken.abort();
  }

  private async cancelTurn(): Promise<void> {
    if (!this.connection || !this.sessionId) return;
    await this.connection.agent.notify(methods.agent.session.cancel, { sessionId: this.sessionId }).catch(() => {});
  }

  private checkpoint(): Promise<void> {
    this.state.steps += 1;
    const steps = this.state.steps;
    const snapshot = structuredClone(this.state);
    this.checkpoints = this.checkpoints.then(() => this.ctx.checkpoint?.(steps, snapshot));
    return this.checkpoints;
  }

  /**
   * A request to the agent, given up when the agent's process exits, or when the run is
   * stopped (after the cancel grace for a prompt: the agent should end its turn by itself).
   */
  private guard<T>(request: Promise<T>, opts: { graceOnAbort?: boolean } = {}): Promise<T> {
    const { ctx, agent } = this;
    const stopped = AbortSignal.any([ctx.signal, this.broken.signal]);
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        stopped.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        const giveUp = () => reject(new AgentGone("the run was stopped"));
        if (opts.graceOnAbort) timer = setTimeout(giveUp, this.options.cancelGraceMs);
        else giveUp();
      };
      if (stopped.aborted) onAbort();
      else stopped.addEventListener("abort", onAbort, { once: true });
      const died = (exit: { code: number | null; signal: NodeJS.Signals | null }) => {
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        const said = agent.stderrTail();
        return new AgentGone(`the ACP agent ${this.state.agentName} ${how}${said ? `; it said: ${said.slice(-1500)}` : ""}`);
      };
      request.then(
        (value) => {
          done();
          resolve(value);
        },
        async (e: unknown) => {
          // The connection closes when the agent's stdout does: say why the agent went, if it did.
          const exit = await Promise.race([agent.exited, new Promise<null>((r) => setTimeout(() => r(null), AGENT_EXIT_WAIT_MS))]);
          done();
          reject(exit && !ctx.signal.aborted ? died(exit) : e);
        },
      );
      void agent.exited.then((exit) => {
        // Give a response already on its way a moment to arrive.
        setTimeout(() => {
          done();
          reject(died(exit));
        }, 200);
      });
    });
  }
}
