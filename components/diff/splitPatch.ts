/** A unified diff cut into one section per file, keyed by the file's (new) path. */
export type PatchSection = { path: string; lines: string[] };

export function splitPatch(patch: string): PatchSection[] {
  const sections: PatchSection[] = [];
  let current: PatchSection | null = null;
  for (const line of patch.split("\n")) {
    const header = /^diff --git a\/(.+?) b\/(.+)$/.exec(line);
    if (header) {
      current = { path: header[2]!, lines: [line] };
      sections.push(current);
    } else if (current) {
      current.lines.push(line);
    }
  }
  for (const s of sections) {
    while (s.lines.length && s.lines[s.lines.length - 1] === "") s.lines.pop();
  }
  return sections;
}

export type LineKind = "meta" | "hunk" | "add" | "del" | "context";

export function lineKind(line: string): LineKind {
  if (line.startsWith("@@")) return "hunk";
  if (line.startsWith("+++") || line.startsWith("---") || /^(diff |index |new file|deleted file|similarity|rename |old mode|new mode|Binary files)/.test(line)) {
    return "meta";
  }
  if (line.startsWith("+")) return "add";
  if (line.startsWith("-")) return "del";
  return "context";
}
