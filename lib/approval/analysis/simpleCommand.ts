import { commandText } from "../commands/argv";
import { flagVerdicts } from "../commands/flags";
import { handlerFor } from "../commands/catalog";
import type { CommandContext, Verdict } from "../commands/types";
import { baseName, unwrap } from "../commands/wrappers";
import { lookalikeOf } from "../hiddenChars";
import { isCredentialPath, isProcessSecretPath } from "../paths";
import type { Arg } from "../shell/words";
import { maxLevel, type Level } from "../types";
import { label, type Analysis } from "./state";
import { judgeWrite } from "./writes";

export type RunScript = (code: string, forms: string[]) => void;

// Where a command given by path is still the system's own (`/usr/bin/rm` is `rm`).
const SYSTEM_BIN = /^(\/usr(\/local)?|\/opt\/homebrew|)\/s?bin\/[^/]+$|(^|\/)node_modules\/\.bin\/[^/]+$/;
// Printing a path does not read it; every other command naming a credential store does.
const PRINTS_ONLY = new Set(["echo", "printf"]);

type Named = { name: string; verdicts: Verdict[] };

/** The name the catalog knows the command by, with the risks of how it is named. */
function resolveName(head: Arg, analysis: Analysis, ctx: CommandContext): Named {
  if (head.dynamic) {
    ctx.cannotRead("has a command name only known at run time", false);
    return { name: "", verdicts: [{ level: "risky", why: "has a command name only known at run time" }] };
  }
  const lookalike = lookalikeOf(head.value);
  if (lookalike) {
    return { name: lookalike, verdicts: [{ level: "risky", why: `uses lookalike characters: \`${head.value}\` reads as \`${lookalike}\`` }] };
  }
  if (!/^[\x21-\x7E]+$/.test(head.value)) {
    return { name: "", verdicts: [{ level: "risky", why: "has a command name with unusual characters" }] };
  }
  if (head.value.includes("/") && !SYSTEM_BIN.test(head.value)) {
    ctx.runsFile(head);
    return { name: "", verdicts: [{ level: "risky", why: `runs the program \`${head.value}\`, whose contents are not checked` }] };
  }
  const name = baseName(head.value);
  if (analysis.functions.has(name)) return { name: "", verdicts: [] };
  return { name, verdicts: [] };
}

function trackDirectory(inner: Arg[], analysis: Analysis): void {
  const target = inner[1];
  if (!target || target.dynamic || /^[/~]/.test(target.value)) analysis.outsideWorkspace = true;
  else if (target.value.startsWith("..")) analysis.outsideWorkspace = true;
}

/** Verdicts as the run's sandbox setting makes them: with the sandbox on, what it contains is not asked about. */
const inEffect = (analysis: Analysis, verdicts: Verdict[]) => (analysis.sandbox === "on" ? verdicts.filter((v) => !v.contained) : verdicts);

/**
 * Classifies one simple command given as words, wrappers looked through. `prefixForms` are the
 * normalized forms of whatever runs it (`bash -c '…'`), so rules can match those too.
 */
export function classifyArgv(argv: Arg[], prefixForms: string[], analysis: Analysis, runScript: RunScript): void {
  const { wrappers, inner } = unwrap(argv);
  const forms = [...prefixForms];
  let transparent = false;
  const context = (where: string): CommandContext => ({
    nested: (nestedArgv) => classifyArgv(nestedArgv, forms, analysis, runScript),
    script: (code) => {
      transparent = true;
      runScript(code.value, forms);
    },
    writes: (target) => judgeWrite(analysis, target, where),
    cannotRead: (why, asFinding) => analysis.addUnreadable(`${where} ${why}`, asFinding),
    runsFile: (target) => {
      if (!target.dynamic && analysis.wasWritten(target.value)) {
        analysis.addUnreadable(`${where} runs \`${target.value}\`, which this same command wrote`);
      }
    },
    get outsideWorkspace() {
      return analysis.outsideWorkspace;
    },
  });

  for (const w of wrappers) {
    const text = commandText(w.argv);
    forms.push(text);
    const values = w.flags.parsed.flags.flatMap((f) => (f.value ? [f.value] : []));
    const verdicts = [...w.verdicts, ...flagVerdicts(w.flags.spec, w.flags.parsed, context(label(text))), ...pathVerdicts("", values)];
    for (const v of inEffect(analysis, verdicts)) analysis.addFinding(v.level, `${label(text)} ${v.why}`);
  }
  transparent = false;
  const command = inner.length ? inner : (wrappers.at(-1)?.argv ?? []);
  if (!command.length) return;
  const text = commandText(command);
  forms.push(text);
  // `/bin/rm -rf x` is `rm -rf x` to a rule.
  const head = command[0]!;
  if (!head.dynamic && head.value.includes("/") && SYSTEM_BIN.test(head.value)) {
    forms.push(commandText([{ value: baseName(head.value), dynamic: false }, ...command.slice(1)]));
  }
  const where = label(text);
  const ctx = context(where);

  const named = resolveName(command[0]!, analysis, ctx);
  const verdicts = [...named.verdicts];
  if (named.name) {
    if (named.name === "cd") trackDirectory(command, analysis);
    const handler = handlerFor(named.name);
    verdicts.push(...(handler ? handler({ name: named.name, args: command.slice(1) }, ctx) : [{ level: "risky", why: `runs \`${named.name}\`, a command the policy does not know` } as const]));
    verdicts.push(...pathVerdicts(named.name, command.slice(1)));
  }
  const effective = inEffect(analysis, verdicts);
  // `bash -c '…'` with nothing else to say is only a carrier: its inner commands are the parts.
  if (transparent && effective.length === 0) return;
  const level = effective.reduce<Level>((acc, v) => maxLevel(acc, v.level), "safe");
  analysis.addPart({ command: text, forms, level, reasons: effective.map((v) => `${where} ${v.why}`) });
}

/** What the paths a command names say about it: credential stores, other processes' secrets. */
function pathVerdicts(name: string, args: Arg[]): Verdict[] {
  if (PRINTS_ONLY.has(name)) return [];
  const verdicts: Verdict[] = [];
  if (args.some((a) => !a.dynamic && isCredentialPath(a.value))) verdicts.push({ level: "denied", why: "reads a credential store" });
  const proc = args.find((a) => isProcessSecretPath(a.value));
  if (proc) verdicts.push({ level: "risky", why: `reads \`${proc.value}\`: another process's environment, memory or details` });
  return verdicts;
}
