import { words } from "./flags";
import { risky, type Handler, type Verdict } from "./types";

// find's expression is its own language: every primary is listed with how many words it
// takes; an unknown primary asks. Actions that run commands are classified as commands.
const NO_VALUE = new Set(words(`
  -print -print0 -ls -prune -quit -empty -readable -writable -executable -nouser -nogroup -true -false -not ! ( ) -o -a
  -and -or , -follow -depth -xdev -mount -noleaf -daystart -ignore_readdir_race -noignore_readdir_race -L -H -P
  -d -s -x -E -X
`));
const ONE_VALUE = new Set(words(`
  -name -iname -path -ipath -wholename -iwholename -regex -iregex -lname -ilname -type -xtype -size -mtime -mmin -atime
  -amin -ctime -cmin -newer -anewer -cnewer -used -maxdepth -mindepth -perm -user -group -uid -gid -links -inum
  -samefile -fstype -regextype -printf -context -files0-from -D -O
`));
const EXEC = new Set(["-exec", "-execdir", "-ok", "-okdir"]);
const WRITES_FILE = new Set(["-fprint", "-fprint0", "-fls"]);

export const find: Handler = ({ args }, ctx) => {
  const verdicts: Verdict[] = [];
  let literalSeen = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = a.value;
    // Leading starting points may be only known at run time (`find "$dir"`); later such a word
    // could expand to `-exec …` or `-delete`.
    if (a.dynamic) {
      if (literalSeen) ctx.cannotRead(`has an argument only known at run time (\`${v}\`), which could be an action like -exec or -delete`);
      continue;
    }
    literalSeen = true;
    // Starting points: anything not a primary (`.`, `src`).
    if (!/^[-!(),]/.test(v) || v === "-") continue;
    if (NO_VALUE.has(v) || /^-O\d$/.test(v)) continue;
    if (ONE_VALUE.has(v) || /^-newer[aBcmt][aBcmt]$/.test(v)) {
      i++;
      continue;
    }
    if (v === "-delete") {
      verdicts.push(risky("deletes the files it finds (-delete)"));
      continue;
    }
    if (WRITES_FILE.has(v) || v === "-fprintf") {
      if (args[i + 1]) ctx.writes(args[i + 1]!);
      i += v === "-fprintf" ? 2 : 1;
      continue;
    }
    if (EXEC.has(v)) {
      const end = args.findIndex((x, j) => j > i && (x.value === ";" || x.value === "+"));
      const inner = args.slice(i + 1, end < 0 ? undefined : end);
      if (inner.length) ctx.nested(inner);
      else verdicts.push(risky(`has an empty ${v}`));
      if (end < 0) break;
      i = end;
      continue;
    }
    verdicts.push(risky(`has the primary \`${v}\`, which the policy does not know for find`));
  }
  return verdicts;
};
