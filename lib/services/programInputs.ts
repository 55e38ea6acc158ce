import { z } from "zod";
import { envName, reservedEnvNames } from "../contracts/executorSpecs";

/**
 * The fields an admin gives for a program AgentDesk starts in a run's sandbox (an ACP agent, a
 * stdio MCP server): the command, its arguments and the names of the job process's variables
 * it receives. The API takes lists as JSON arrays; a form sends one text per list, which is
 * split here (arguments one per line, so an argument may hold spaces; names by spaces, commas
 * or lines).
 */

// Control characters: a terminal escape or a line break in a program name is never meant.
const CONTROL = /[\u0000-\u001f\u007f]/;

export const programCommand = z
  .string()
  .trim()
  .min(1, "is required")
  .max(1000)
  .refine((v) => !CONTROL.test(v), "must not contain control characters")
  .refine((v) => !/\s/.test(v), "is one program (a name on the PATH or an absolute path); put its arguments under args");

export const programArgs = z.preprocess(
  (value) => (typeof value === "string" ? value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean) : value),
  z
    .array(z.string().max(2000).refine((v) => !/[\u0000\r\n]/.test(v), "must be one line"))
    .max(100, "at most 100 arguments"),
);

const reserved: ReadonlySet<string> = new Set(reservedEnvNames);

export const programEnvNames = z.preprocess(
  (value) => (typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : value),
  z
    .array(
      envName.refine((name) => !reserved.has(name), {
        error: (issue) => `${String(issue.input)} belongs to AgentDesk itself and is never given to a program a run starts`,
      }),
    )
    .max(50, "at most 50 names")
    .transform((names) => [...new Set(names)]),
);
