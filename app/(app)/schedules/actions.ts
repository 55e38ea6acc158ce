"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { createSchedule, createScheduleInput, deleteSchedule, setScheduleEnabled } from "@/lib/services/schedules";

// A schedule from a template posts each variable as `var.<name>` (components/schedules/ScheduleForm.tsx).
const scheduleForm = z.preprocess((v) => {
  if (!v || typeof v !== "object" || !("templateId" in v)) return v;
  const entries = Object.entries(v as Record<string, unknown>);
  const variables = Object.fromEntries(entries.filter(([k]) => k.startsWith("var.")).map(([k, value]) => [k.slice(4), value]));
  return { ...Object.fromEntries(entries.filter(([k]) => !k.startsWith("var."))), variables };
}, createScheduleInput);

export const createScheduleAction = authedAction(scheduleForm, async (principal, input, app) => {
  await createSchedule(app, principal, input);
  refresh();
  return null;
});

// A form posts strings: "true" / "false" for the state the schedule should be in.
const toggleInput = z.object({ id: z.string(), enabled: z.enum(["true", "false"]).transform((v) => v === "true") });

export const setScheduleEnabledAction = authedAction(toggleInput, async (principal, { id, enabled }, app) => {
  await setScheduleEnabled(app, principal, id, enabled);
  refresh();
  return null;
});

export const deleteScheduleAction = authedAction(z.object({ id: z.string() }), async (principal, { id }, app) => {
  await deleteSchedule(app, principal, id);
  refresh();
  return null;
});
