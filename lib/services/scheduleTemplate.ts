import { z } from "zod";
import { fieldError } from "../errors";
import { checkCron, isTimeZone } from "../schedules/cron";
import type { App } from "../server/app";
import { createRunInput, type CreateRunInput } from "./runs";

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
export const createScheduleInputFor = (opts: { allowSubMinute?: boolean } = {}) => scheduleFields(opts).and(createRunInput);
export const createScheduleInput = createScheduleInputFor();
export type CreateScheduleInput = z.infer<typeof createScheduleInput>;

export function templateOf(input: CreateScheduleInput): RunTemplate {
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
