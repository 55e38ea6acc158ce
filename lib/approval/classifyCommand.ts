import { analyzeScript } from "./analysis/walkScript";
import { Analysis } from "./analysis/state";
import { hiddenCharacterFindings } from "./hiddenChars";
import type { CommandClassification } from "./types";

export type ClassifyOptions = { sandbox?: "on" | "off" };

/**
 * Classifies a shell command line, deterministically, from its syntax tree (mvdan/sh's bash
 * parser): `safe` (read-only inspection, the project's tests and builds), `risky` (changes or
 * reaches outside the workspace, or cannot be checked) or `denied` (destroys disks, reads
 * credential stores, fork bombs). The result is the most severe part, with every reason.
 *
 * `sandbox`: whether the command will run inside the run's sandbox (config `SANDBOX`). Running
 * the repository's own checks (`npm test`, `pytest`, `make test`) and listing processes are
 * risky only without it. Unset means off: nothing is assumed contained unless the caller says so.
 */
export function classifyCommand(command: string, options: ClassifyOptions = {}): CommandClassification {
  const analysis = new Analysis(options.sandbox ?? "off");
  for (const f of hiddenCharacterFindings(command)) analysis.addFinding(f.level, f.reason);
  analyzeScript(analysis, command, [], 0);
  return { level: analysis.level, reasons: analysis.reasons, parts: analysis.parts, findings: analysis.findings, unreadable: analysis.unreadable };
}
