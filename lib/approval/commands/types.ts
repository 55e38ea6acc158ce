import type { Arg } from "../shell/words";
import type { Level } from "../types";

/** A simple command with its wrappers already looked through: `name` is argv[0]'s base name. */
export type SimpleCommand = { name: string; args: Arg[] };

/** What a handler says about a command; the classifier prefixes the command's text. */
export type Verdict = { level: Level; why: string };

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
  /** True after `cd /` or `cd ~` earlier in the same command line. */
  readonly outsideWorkspace: boolean;
}

export type Handler = (cmd: SimpleCommand, ctx: CommandContext) => Verdict[];

export const risky = (why: string): Verdict => ({ level: "risky", why });
export const denied = (why: string): Verdict => ({ level: "denied", why });
