import { decodeAnsiC } from "./ansiC";
import { nodeType, sourceOf, type DblQuoted, type Lit, type Node, type ParamExp, type SglQuoted, type Word } from "./ast";

/**
 * A word as bash would see it after quote removal. `dynamic` means part of it is only known
 * at run time (a parameter, a command substitution, arithmetic): `value` then holds the
 * source text of those parts, so a reason can still show it.
 */
export type Arg = { value: string; dynamic: boolean };

/** Unquoted text: a backslash makes the next character literal; backslash-newline vanishes. */
const unescapeBare = (s: string) => s.replace(/\\\n/g, "").replace(/\\(.)/gs, "$1");
/** Inside double quotes a backslash only escapes $ ` " \ and newline. */
const unescapeDouble = (s: string) => s.replace(/\\\n/g, "").replace(/\\([$`"\\])/g, "$1");

/** `$HOME` and `${HOME}` read as `~`, so `cat $HOME/.ssh/id_rsa` is recognised as a credential read. */
function isPlainHome(p: ParamExp): boolean {
  return (
    p.Param?.Value === "HOME" && !p.Index && !p.Slice && !p.Repl && !p.Exp && !p.Length && !p.Excl
  );
}

function partValue(src: string, part: Node, quoted: boolean): Arg {
  switch (nodeType(part)) {
    case "Lit": {
      const v = (part as Lit).Value;
      return { value: quoted ? unescapeDouble(v) : unescapeBare(v), dynamic: false };
    }
    case "SglQuoted": {
      const q = part as SglQuoted;
      return { value: q.Dollar ? decodeAnsiC(q.Value) : q.Value, dynamic: false };
    }
    case "DblQuoted":
      return joinParts(src, (part as DblQuoted).Parts, true);
    case "ParamExp":
      if (isPlainHome(part as ParamExp)) return { value: "~", dynamic: false };
      return { value: sourceOf(src, part), dynamic: true };
    default:
      // Command and process substitution, arithmetic, extended globs: known only at run time.
      return { value: sourceOf(src, part), dynamic: true };
  }
}

function joinParts(src: string, parts: Node[], quoted: boolean): Arg {
  let value = "";
  let dynamic = false;
  for (const part of parts) {
    const v = partValue(src, part, quoted);
    value += v.value;
    dynamic ||= v.dynamic;
  }
  return { value, dynamic };
}

export function wordArg(src: string, word: Word): Arg {
  return joinParts(src, word.Parts, false);
}
