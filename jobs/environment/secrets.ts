import { knownSecrets, type NamedSecret } from "../../lib/config";
import type { EnvironmentSpec } from "../../lib/contracts/environment";

/**
 * The secrets a repository's environment brings into a run: the values of the job-process
 * variables the setup and the checks get (setupEnvNames, checkEnvNames) and of those its files
 * are written from. They join
 * the run's other secrets (jobs/review/branchSecrets.ts `secretsOfRun`), so every event masks
 * them and push protection looks for them in what the run would push: a secret file is never
 * committed (jobs/environment/secretFiles.ts), but an agent may copy its content elsewhere.
 */

/** Names of the job-process variables the environment reads. */
export function environmentVariableNames(spec: EnvironmentSpec | null | undefined): string[] {
  if (!spec) return [];
  return [...new Set([...spec.setupEnvNames, ...spec.checkEnvNames, ...spec.files.map((f) => f.env)])];
}

/**
 * What to look for besides each variable's whole value. A file's value usually spans several
 * lines: push protection joins consecutive added lines without their breaks, so a whole copy
 * (`cp .env leak.txt`) is found by the value with its line breaks removed. A file in dotenv
 * form (`NAME=value` lines) is read as variables under the platform's own rule
 * (lib/config.ts `knownSecrets`: names that say secret, passwords inside URLs), so copying one
 * of its secret lines is found too. Other lines of the file are not secrets on their own.
 */
export function environmentSecrets(spec: EnvironmentSpec | null | undefined, env: Record<string, string | undefined> = process.env): NamedSecret[] {
  const names = environmentVariableNames(spec);
  if (names.length === 0) return [];
  // Only the named variables: every other secret of the job process is secretsOfRun's business.
  const named = Object.fromEntries(names.map((name) => [name, env[name]]));
  const found = new Map<string, string>(knownSecrets(names, named).map((s) => [s.value, s.name]));
  for (const file of spec?.files ?? []) {
    const value = env[file.env];
    if (!value || !/[\r\n]/.test(value)) continue;
    const joined = value.replace(/\r?\n/g, "");
    if (joined.length >= 6 && !found.has(joined)) found.set(joined, file.env);
    for (const inner of knownSecrets([], parseDotenv(value))) {
      if (!found.has(inner.value)) found.set(inner.value, `${file.env} (${inner.name})`);
    }
  }
  return [...found].map(([value, name]) => ({ name, value })).sort((a, b) => b.value.length - a.value.length);
}

const DOTENV_LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/;

/** `NAME=value` lines (optionally `export`ed, quoted), the rest ignored; enough to find the values. */
export function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = DOTENV_LINE.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const quoted = /^(["'`])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    else value = value.replace(/\s+#.*$/, "");
    vars[m[1]!] = value;
  }
  return vars;
}
