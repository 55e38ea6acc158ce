/**
 * What a GNU sed script does besides editing text: commands it runs (`e cmd`), whether it runs
 * the pattern space as a command (`e` alone, `s///e`), files it writes (`w`, `W`, `s///w`) and
 * reads (`r`, `R`). Read by a small parser of sed's grammar; a script it cannot follow is
 * `unreadable` (and treated as able to do anything).
 */
export type SedEffects = { runs: string[]; runsPatternSpace: boolean; writes: string[]; reads: string[]; unreadable: string | null };

const SIMPLE = new Set(["=", "d", "D", "g", "G", "h", "H", "n", "N", "p", "P", "x", "z", "F", "{", "}"]);

export function sedEffects(script: string): SedEffects {
  const fx: SedEffects = { runs: [], runsPatternSpace: false, writes: [], reads: [], unreadable: null };
  const s = script;
  let i = 0;
  const restOfLine = () => {
    const end = s.indexOf("\n", i);
    const text = s.slice(i, end < 0 ? s.length : end);
    i = end < 0 ? s.length : end + 1;
    return text;
  };
  const skipSpaces = () => {
    while (i < s.length && /[ \t]/.test(s[i]!)) i++;
  };
  /** A delimited part (`/re/`), with backslash escapes; false when unterminated. */
  const delimited = (delim: string): boolean => {
    while (i < s.length) {
      const c = s[i++]!;
      if (c === "\\") i++;
      else if (c === delim) return true;
      else if (c === "\n" && delim !== "\n") return false;
    }
    return false;
  };
  const address = (): boolean => {
    if (/\d/.test(s[i] ?? "")) {
      while (/[\d~]/.test(s[i] ?? "")) i++;
      return true;
    }
    if (s[i] === "$") return ++i > 0;
    if (s[i] === "/") return (i++, delimited("/")) && (skipFlags(), true);
    if (s[i] === "\\") {
      const delim = s[i + 1];
      i += 2;
      return delim !== undefined && delimited(delim) && (skipFlags(), true);
    }
    return false;
  };
  const skipFlags = () => {
    while (/[IM]/.test(s[i] ?? "")) i++;
  };

  while (i < s.length && !fx.unreadable) {
    while (i < s.length && /[\s;]/.test(s[i]!)) i++;
    if (i >= s.length) break;
    if (s[i] === "#") {
      restOfLine();
      continue;
    }
    if (address()) {
      skipSpaces();
      if (s[i] === ",") {
        i++;
        skipSpaces();
        if (s[i] === "+" || s[i] === "~") i++;
        if (!address()) {
          fx.unreadable = "an address range without its end";
          break;
        }
      }
    }
    skipSpaces();
    while (s[i] === "!") {
      i++;
      skipSpaces();
    }
    const cmd = s[i++];
    if (cmd === undefined) break;
    if (SIMPLE.has(cmd)) continue;
    switch (cmd) {
      case "q":
      case "Q":
      case "l":
      case "L":
        skipSpaces();
        while (/\d/.test(s[i] ?? "")) i++;
        continue;
      case ":":
      case "b":
      case "t":
      case "T":
      case "v":
        while (i < s.length && !/[;\n]/.test(s[i]!)) i++;
        continue;
      case "a":
      case "i":
      case "c":
        // Text to the end of the line; a backslash at the end continues it.
        while (i < s.length && s[i] !== "\n") i += s[i] === "\\" ? 2 : 1;
        continue;
      case "r":
      case "R":
        fx.reads.push(restOfLine().trim());
        continue;
      case "w":
      case "W":
        fx.writes.push(restOfLine().trim());
        continue;
      case "e": {
        const command = restOfLine().trim();
        if (command) fx.runs.push(command);
        else fx.runsPatternSpace = true;
        continue;
      }
      case "s":
      case "y": {
        const delim = s[i++];
        if (delim === undefined || delim === "\n" || delim === "\\" || !delimited(delim) || !delimited(delim)) {
          fx.unreadable = `an unterminated \`${cmd}\` command`;
          break;
        }
        if (cmd === "y") continue;
        while (i < s.length && /[gpiImMe0-9w]/.test(s[i]!)) {
          const flag = s[i++]!;
          if (flag === "e") fx.runsPatternSpace = true;
          if (flag === "w") {
            fx.writes.push(restOfLine().trim());
            break;
          }
        }
        continue;
      }
      default:
        fx.unreadable = `the unknown command \`${cmd}\``;
    }
  }
  return fx;
}
