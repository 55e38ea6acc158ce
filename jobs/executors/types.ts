import type { EventBodyInput } from "../../lib/events";
import type { CheckpointSaver } from "../agent/checkpoint";
import type { ExecutorName, RunJobPayload } from "../../lib/queue";
import type { AskOptions, HumanAnswer, HumanInputRequest } from "../humanInput";
import type { Logger } from "../logger";
import type { SandboxSpec } from "../sandbox/spec";
import type { SpendingReader } from "../run/budgetWaitpoint";

/**
 * Asks the run's owner (an approval or a question) and waits for the answer, durably: see
 * jobs/humanInput.ts. Throws InputWaitStopped when the run is stopped meanwhile, and
 * RunSuspended (let it through) when a resumable request suspends the run instead of waiting.
 */
export type RequestInput = (request: HumanInputRequest, options?: AskOptions) => Promise<HumanAnswer>;

/**
 * Appends one event to the run's log; strings are masked for known secrets on the way. With
 * `onceKey`, the event is appended only if no event was appended under that key before.
 */
export type RunEmit = (body: EventBodyInput, options?: { onceKey?: string }) => Promise<void>;

export type ExecutorContext = {
  runId: string;
  payload: RunJobPayload;
  /** Absolute path of the run's worktree; the executor works only in here. */
  workspace: string;
  /** What everything the executor starts may see and reach (jobs/sandbox): run it all in there. */
  sandbox: SandboxSpec;
  emit: RunEmit;
  /** Fires on cancel, timeout or shutdown; its `reason` says which (the pipeline handles each). */
  signal: AbortSignal;
  /** Known secret values: never put them in an event or a child's environment. */
  secrets: readonly string[];
  logger: Logger;
  /**
   * The run's team and user spending against their monthly limits, read at each turn boundary
   * (jobs/run/budgetWaitpoint.ts); absent where the pipeline does not hold runs to them.
   */
  spending?: SpendingReader;
  /** Asks a person; the run's input timeout applies (payload.inputTimeoutSec or the default). */
  requestInput: RequestInput;
  /**
   * Saves the executor's state after a completed step together with the worktree, so a run
   * whose job process dies continues from there on any other one (see jobs/agent/checkpoint.ts).
   */
  checkpoint?: CheckpointSaver;
  /** Set when this delivery resumes a run: the state of its last checkpoint. */
  resumeFrom?: { turn: number; state: unknown };
  /**
   * Set when a reviewer requested changes: the executor's state when the run reached review,
   * and what to change. The worktree already holds the reviewed work.
   */
  followUp?: { feedback: string; state: unknown };
};

/**
 * How the executor's own work ended. Changes in the workspace are committed either way; a
 * failure makes the run fail with `error` as its message.
 */
export type ExecutorResult = ({ ok: true } | { ok: false; error: string }) & {
  /** The executor's final state, kept so a reviewer's "request changes" can continue from it. */
  state?: unknown;
};

/**
 * One way of doing a run's work (a shell command, our agent loop, Claude Code, Goose). The
 * pipeline around it (workspace, commit, diff, events of the run's lifecycle) is the same for all.
 */
export interface Executor {
  name: ExecutorName;
  /** Null when it can run here, else why not (e.g. "the goose CLI is not installed"). */
  unavailableReason(): string | null;
  run(ctx: ExecutorContext): Promise<ExecutorResult>;
}
