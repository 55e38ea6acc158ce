import { classifyWrite } from "../classifyWrite";
import { pathKind } from "../paths";
import type { Arg } from "../shell/words";
import type { Level } from "../types";
import type { Analysis } from "./state";

const PATH_KIND_VERDICT: Record<string, { level: Level; why: string } | null> = {
  "harmless-device": null,
  scratch: null,
  "block-device": { level: "denied", why: "writes straight to a disk device" },
  "other-device": { level: "risky", why: "writes to a device" },
  "home-dotfile": { level: "risky", why: "writes a dotfile in the home directory (run at login or shell start)" },
  outside: { level: "risky", why: "writes outside the workspace" },
};

/** Judges a file a command writes (a redirection, `tee`, `curl -o`) and remembers it. */
export function judgeWrite(analysis: Analysis, target: Arg, where: string): void {
  if (target.dynamic) {
    analysis.addFinding("risky", `${where} writes to a path only known at run time`);
    return;
  }
  analysis.recordWrite(target.value);
  const kind = pathKind(target.value);
  if (kind.kind === "workspace") {
    const write = classifyWrite(kind.relative);
    for (const reason of write.reasons) analysis.addFinding(write.level, `${where}: ${reason}`);
    return;
  }
  const verdict = PATH_KIND_VERDICT[kind.kind];
  if (verdict) analysis.addFinding(verdict.level, `${where} ${verdict.why}`);
}
