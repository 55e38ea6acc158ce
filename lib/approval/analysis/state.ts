import path from "node:path";
import type { CommandPart, Finding, Level } from "../types";
import { maxLevel } from "../types";

const MAX_LABEL = 60;

/** A command's text as a reason shows it: one line, shortened. */
export function label(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return `\`${flat.length > MAX_LABEL ? `${flat.slice(0, MAX_LABEL - 1)}…` : flat}\``;
}

/** What the walk over one command line gathers, across nested scripts (`bash -c`) too. */
export class Analysis {
  /** Whether the command will run in the sandbox: risks it contains are then not asked about. */
  constructor(readonly sandbox: "on" | "off") {}

  readonly parts: CommandPart[] = [];
  readonly findings: Finding[] = [];
  /** Code the line runs that cannot be read here (see CommandClassification.unreadable). */
  readonly unreadable: string[] = [];
  /** Every reason in the order it was found. */
  readonly reasons: string[] = [];
  level: Level = "safe";
  /** Files written so far in this command line, to catch a script written then run. */
  private readonly written = new Set<string>();
  /** Functions defined in this command line: calling one runs its (already classified) body. */
  readonly functions = new Set<string>();
  /** Set after `cd /` or `cd ~`: `rm -rf *` then means the whole system or home. */
  outsideWorkspace = false;

  addPart(part: CommandPart): void {
    this.parts.push(part);
    this.note(part.level, part.reasons);
  }

  addFinding(level: Level, reason: string): void {
    if (level === "safe") return;
    this.findings.push({ level, reason });
    this.note(level, [reason]);
  }

  /**
   * Code that runs but cannot be read. As a finding by default (no allow rule lifts it); with
   * `asFinding: false` only recorded, when the command's own verdict already says so.
   */
  addUnreadable(reason: string, asFinding = true): void {
    this.unreadable.push(reason);
    if (asFinding) this.addFinding("risky", reason);
  }

  recordWrite(file: string): void {
    this.written.add(path.posix.normalize(file));
  }

  wasWritten(file: string): boolean {
    return this.written.has(path.posix.normalize(file));
  }

  private note(level: Level, reasons: string[]): void {
    this.level = maxLevel(this.level, level);
    this.reasons.push(...reasons);
  }
}
