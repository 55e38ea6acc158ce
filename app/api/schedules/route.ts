import { route } from "@/lib/http/route";
import { createSchedule, createScheduleInput, listSchedules } from "@/lib/services/schedules";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal }) => ({ schedules: await listSchedules(app, principal) }));

export const POST = route({ access: "user", body: createScheduleInput }, async ({ app, principal, body }) =>
  Response.json(await createSchedule(app, principal, body), { status: 201 }),
);
