import { z } from "zod";
import { fieldError } from "../errors";
import { checkCron, isTimeZone } from "../schedules/cron";
import type { App } from "../server/app";
import { variableValues } from "../templateVariables";
import { createRunInput, savedRunInput, type CreateRunInput } from "./runs";

/** What a schedule runs: the run-creation input minus the repository, which the schedule names. */
export type RunTemplate = Omit<CreateRunInput, "repo">;

// Field-level checks, so every field at fault is named at once (an object-level refinement is
// skipped while another field is invalid). Validity does not depend on the zone, so UTC here.
const scheduleFields = (opts: { allowSubMinute?: boolean }) =>
  z.object({
    name: z.string().trim().min(1, "is required").max(120),
    cron: z
      .string()
      .trim()
      .min(1, "is required")
      .max(200)
      .superRefine((cron, ctx) => {
        const check = checkCron(cron, "UTC");
        if (!check.ok) ctx.addIssue({ code: "custom", message: check.message });
        else if (check.subMinute && !opts.allowSubMinute) ctx.addIssue({ code: "custom", message: SUB_MINUTE });
      }),
    timezone: z
      .string()
      .trim()
      .max(100)
      .default("UTC")
      .refine(isTimeZone, { message: "is not an IANA time zone, e.g. Europe/Paris" }),
  });

export const SUB_MINUTE = "fires more than once a minute; a schedule may run at most every minute";

/**
 * A new schedule: its own fields plus exactly the fields of POST /api/runs, validated by the
 * same schema, so a schedule can never hold a run the API would refuse. `allowSubMinute` is
 * for tests only (with createSchedule's option of the same name).
 */
const ownRunScheduleInput = (opts: { allowSubMinute?: boolean }) => scheduleFields(opts).and(savedRunInput);

/**
 * A schedule made from a run template (lib/services/templates.ts): its own fields, the template
 * and the variable values every tick renders it with (fixed now; checked against the template
 * when saved and again at each tick).
 */
const fromTemplateScheduleInput = (opts: { allowSubMinute?: boolean }) =>
  scheduleFields(opts).extend({ templateId: z.string().trim().min(1, "choose a template").max(100), variables: variableValues });

/**
 * The request chooses its shape: with `templateId`, a schedule from a template; without, the
 * run's own fields. (A zod union would report the other shape's fields as missing.)
 */
export const createScheduleInputFor = (opts: { allowSubMinute?: boolean } = {}) => {
  const own = ownRunScheduleInput(opts);
  const fromTemplate = fromTemplateScheduleInput(opts);
  return z.unknown().transform((value, ctx): z.infer<typeof own> | z.infer<typeof fromTemplate> => {
    const usesTemplate = typeof value === "object" && value !== null && "templateId" in value && (value as { templateId: unknown }).templateId !== "";
    const parsed = usesTemplate ? fromTemplate.safeParse(value) : own.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  });
};
export const createScheduleInput = createScheduleInputFor();
export type CreateScheduleInput = z.infer<typeof createScheduleInput>;
export type OwnRunScheduleInput = Exclude<CreateScheduleInput, { templateId: string }>;
export type FromTemplateScheduleInput = Extract<CreateScheduleInput, { templateId: string }>;

export function templateOf(input: OwnRunScheduleInput): RunTemplate {
  const { name: _name, cron: _cron, timezone: _tz, repo: _repo, ...template } = input;
  return template;
}

/** The checks of createRun that do not depend on the moment (executor availability does). */
export function assertTemplateAllowed(app: Pick<App, "config">, template: RunTemplate): void {
  if (template.timeoutSec > app.config.runTimeoutMaxSec) {
    throw fieldError("timeoutSec", `must be at most ${app.config.runTimeoutMaxSec} seconds`);
  }
}

/** A stored template read back: validated again, as the run-creation input for `repoName`. */
export function runInputFromTemplate(template: unknown, repoName: string) {
  return createRunInput.safeParse({ ...(template as object), repo: repoName });
}
