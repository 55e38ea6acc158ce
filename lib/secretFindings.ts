import type { SecretFinding } from "./events";

/**
 * How a push-protection finding reads, the same in the review page, the API's refusal and the
 * push job's failure. It names the file, the line and the secret's variable, never the value.
 */
export function describeFinding(f: SecretFinding): string {
  return f.line === 0
    ? `the name of ${f.file} contains the value of ${f.secret}`
    : `${f.file} line ${f.line} contains the value of ${f.secret}`;
}

/** Several findings as one sentence (the first few, then how many more). */
export function describeFindings(findings: readonly SecretFinding[], limit = 5): string {
  const shown = findings.slice(0, limit).map(describeFinding);
  const more = findings.length > limit ? `; and ${findings.length - limit} more` : "";
  return `${shown.join("; ")}${more}`;
}
