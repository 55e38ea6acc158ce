import path from "node:path";
import { z } from "zod";
import type { ApprovalAction } from "../../lib/approval";

/**
 * What a person approved with "remember for this run": exactly what was approved and ran. A
 * command line (trimmed of surrounding whitespace), the normalized path of a write, or the
 * name of a tool judged by its name (MCP tools, other tools of an external agent). The same
 * action then runs without asking again in this run; anything else, even the same program
 * with other arguments, still asks. A `deny` of the policy is never lifted.
 *
 * Every executor keeps this in its own checkpointed state, so it survives a resume; lists
 * added later default to empty, so older states still parse.
 */
export const rememberedActions = z.object({
  shell: z.array(z.string()).default([]),
  write: z.array(z.string()).default([]),
  tools: z.array(z.string()).default([]),
});
export type RememberedActions = z.infer<typeof rememberedActions>;

export const noRememberedActions = (): RememberedActions => ({ shell: [], write: [], tools: [] });

function rememberKey(action: ApprovalAction): { list: keyof RememberedActions; key: string } | null {
  switch (action.kind) {
    case "shell":
      return { list: "shell", key: action.command.trim() };
    case "write":
      return { list: "write", key: path.posix.normalize(action.path) };
    case "mcp":
    case "other":
      return { list: "tools", key: action.tool };
    case "read":
      return null;
  }
}

export function isRemembered(remembered: RememberedActions, action: ApprovalAction): boolean {
  const r = rememberKey(action);
  return r !== null && remembered[r.list].includes(r.key);
}

/** Adds the action to the run's remembered approvals (in place: the caller's state keeps it). */
export function remember(remembered: RememberedActions, action: ApprovalAction): void {
  const r = rememberKey(action);
  if (r && !remembered[r.list].includes(r.key)) remembered[r.list].push(r.key);
}
