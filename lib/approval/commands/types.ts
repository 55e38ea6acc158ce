import type { Arg } from "../shell/words";
import type { Level } from "../types";

/** A simple command with its wrappers already looked through: `name` is argv[0]'s base name. */
export type SimpleCommand = { name: string; args: Arg[] };

/**
 * What a handler says about a command; the classifier prefixes the command's text.
 * `contained`: a risk the run's sandbox contains (running the repository's code, seeing other
 * processes): it counts only when runs are not sandboxed (SANDBOX=off).
 */
export type Verdict = { level: Level; why: string; contained?: true };

/** What a handler can hand back to the classifier besides its own verdicts. */
export interface CommandContext {
  /** Another command this one runs (`find -exec rm {} ;`), classified as a part of its own. */
  nested(argv: Arg[]): void;
  /** Shell code this one runs (`bash -c '…'`, `eval`), parsed and classified in turn. */
  script(code: Arg): void;
  /** A file this command writes (`tee out.txt`, `sort -o x`): checked like a redirection. */
  writes(target: Arg): void;
  /** A file this command executes (`bash x.sh`, `source env.sh`): flagged if written earlier. */
  runsFile(target: Arg): void;
  /**
   * Code this command runs that cannot be read here (`sed 's/x/y/e'`, `bash -c "$X"`): risky,
   * as a finding about the line rather than the command, so no allow rule lifts it. With
   * `asFinding: false` only recorded (inline `python -c` code: the handler's verdict says it).
   */
  cannotRead(why: string, asFinding?: boolean): void;
  /** True after `cd /` or `cd ~` earlier in the same command line. */
  readonly outsideWorkspace: boolean;
}

export type Handler = (cmd: SimpleCommand, ctx: CommandContext) => Verdict[];

export const risky = (why: string): Verdict => ({ level: "risky", why });
export const denied = (why: string): Verdict => ({ level: "denied", why });

/**
 * The rule for the repository's own checks (`npm test`, `pytest`, `make test`, `cargo test`):
 * they run code from the repository, which only the sandbox contains. With the sandbox on
 * they run without asking; with SANDBOX=off they ask in \`risky\` mode.
 */
export const repositoryCode = (what: string): Verdict => ({
  level: "risky",
  why: `runs the repository's own code (${what}) and runs are not sandboxed (SANDBOX=off); with the sandbox on it would run without asking`,
  contained: true,
});

/** `ps`, `top`, `lsof`: without the sandbox's own PID namespace they show the platform's processes. */
export const otherProcesses = (): Verdict => ({
  level: "risky",
  why: "shows other processes (their command lines and, with some flags, environments) and runs are not sandboxed (SANDBOX=off)",
  contained: true,
});
