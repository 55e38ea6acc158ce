import type { SessionConfigOption } from "@agentclientprotocol/sdk/unstable";
import { mayGoOnPast } from "../../agent/limitQuestion";
import { checkLimits, raiseLimit, type RunLimits } from "../../agent/limits";
import type { RunSpending } from "../../../lib/contracts/budgets";
import { budgetStop, type SpendingReader } from "../../run/budgetWaitpoint";
import type { RequestInput } from "../types";
import type { AcpState } from "./state";

/**
 * The run's turn limit and budget for an ACP agent. What ACP lets a client see is its own
 * prompt turns (each `session/prompt`: the task, notes about refused calls, a continuation, a
 * review's feedback) and, from agents that report it (`usage_update`), the session's cost; the
 * agent's own model requests stay inside the agent. So the turn limit counts prompt turns and
 * the budget the reported cost. Before each prompt turn both are checked as our loop checks
 * them before each model turn: at a limit the run's owner is asked whether to go on (the same
 * approval card), and a denial ends the run. While a turn runs, a reported cost at the budget
 * cancels the turn, so the check before the continuation asks.
 */
export class AcpLimits {
  private costReported = false;
  /** The session's cost when the last prompt turn was sent: its cost is what the next is expected to cost. */
  private costAtLastPrompt: number;

  constructor(
    private readonly state: AcpState,
    private readonly limits: RunLimits,
    private readonly ask: RequestInput,
    /** The delivery's prefix of request ids (acp<n>), as the other requests of this session. */
    private readonly prefix: string,
    /** The team's and user's monthly spending limits (jobs/run/budgetWaitpoint.ts), checked with the run's own. */
    private readonly team: { spending?: SpendingReader; run: { userId: string; spending?: RunSpending } } = { run: { userId: "" } },
  ) {
    this.costAtLastPrompt = state.usage.costUsd;
  }

  /** The budget in force (a person may have raised it). */
  private get budgetUsd(): number {
    return this.state.raisedLimits.budgetUsd ?? this.limits.budgetUsd;
  }

  /** A cost the agent reported: true when it reaches the budget (the turn should be cancelled). */
  reachedBudget(costUsd: number): boolean {
    this.costReported = true;
    return costUsd >= this.budgetUsd;
  }

  /** Before a prompt turn is sent: null to send it (counted), else why the run stops. */
  async beforePrompt(): Promise<string | null> {
    const now = { turns: this.state.promptTurns, costUsd: this.state.usage.costUsd };
    // Both may be reached at once: each is asked about in turn (the budget first).
    for (let stop = checkLimits(now, this.limits, this.state.raisedLimits); stop; stop = checkLimits(now, this.limits, this.state.raisedLimits)) {
      if (!(await mayGoOnPast(stop, `${this.prefix}-${stop.kind}-p${this.state.promptTurns}`, this.ask))) return stop.reason;
      this.state.raisedLimits = raiseLimit(stop, now, this.limits, this.state.raisedLimits);
    }
    // ACP runs wait for this answer in the job, holding the slot, as for their other requests.
    const budget = { costUsd: now.costUsd, lastTurnCostUsd: Math.max(0, now.costUsd - this.costAtLastPrompt), budgetAsks: 0 };
    const stopped = await budgetStop(this.team.spending, budget, `${this.prefix}-p${this.state.promptTurns}`, this.ask, this.team.run);
    if (stopped) return stopped.error;
    this.costAtLastPrompt = now.costUsd;
    this.state.promptTurns += 1;
    return null;
  }

  /** Said once a turn has ended without the agent ever reporting a cost: its budget cannot be held. */
  unheldBudget(agentName: string): string | null {
    if (this.costReported) return null;
    this.costReported = true;
    return `the ACP agent ${agentName} reports no cost (ACP usage_update), so the run's budget of $${this.budgetUsd.toFixed(2)} cannot be held; its prompt turns are still limited`;
  }
}

/** The agent's model setting (a session config option of category "model"), if it has one. */
export function modelOption(options: SessionConfigOption[] | null | undefined): (SessionConfigOption & { type: "select" }) | null {
  const option = options?.find((o) => o.category === "model" && o.type === "select");
  return option && option.type === "select" ? option : null;
}

/** The values of the agent's model setting, as a person would name them in a run. */
export function modelsOffered(option: SessionConfigOption & { type: "select" }): string {
  return option.options.flatMap((o) => ("options" in o ? o.options : [o])).map((o) => o.value).join(", ") || "none";
}
