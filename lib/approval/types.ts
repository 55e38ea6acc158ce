/** How dangerous an action is, by the classifier alone (before any rule). */
export const levels = ["safe", "risky", "denied"] as const;
export type Level = (typeof levels)[number];

const rank: Record<Level, number> = { safe: 0, risky: 1, denied: 2 };

export const maxLevel = (a: Level, b: Level): Level => (rank[a] >= rank[b] ? a : b);
export const atLeast = (level: Level, floor: Level) => rank[level] >= rank[floor];

/** One thing the classifier noticed; `reason` already names the part it is about. */
export type Finding = { level: Level; reason: string };

/**
 * One simple command of a command line, with wrappers looked through. Rules match it:
 * `command` is the innermost command normalized (quotes resolved, whitespace collapsed),
 * `forms` every layer from the outermost (`sudo timeout 5 rm x`) to `command` (`rm x`).
 */
export type CommandPart = {
  command: string;
  forms: string[];
  level: Level;
  reasons: string[];
};

export type CommandClassification = {
  /** The most severe of every part and finding. */
  level: Level;
  /** Every reason, parts' and findings', in source order. */
  reasons: string[];
  parts: CommandPart[];
  /**
   * What belongs to no single command and so no rule can allow: redirections, hidden
   * characters, pipes into a shell, a script written then run, parse failures, `sudo`.
   */
  findings: Finding[];
  /**
   * Code the line runs that cannot be read before it runs (`bash -c "$X"`, `python -c …`, a
   * pipe into `sh`, `sed 's/x/y/e'`): no rule can be checked against it.
   */
  unreadable: string[];
};

export type WriteClassification = { level: Level; reasons: string[] };
