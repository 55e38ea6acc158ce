"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { createSchedule, createScheduleInput, deleteSchedule, setScheduleEnabled } from "@/lib/services/schedules";

export const createScheduleAction = authedAction(createScheduleInput, async (principal, input, app) => {
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
