import { route } from "@/lib/http/route";
import { deleteSchedule, setScheduleEnabled, updateScheduleInput } from "@/lib/services/schedules";

export const dynamic = "force-dynamic";

export const PATCH = route({ access: "user", body: updateScheduleInput }, async ({ app, principal, params, body }) =>
  setScheduleEnabled(app, principal, params.id!, body.enabled),
);

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await deleteSchedule(app, principal, params.id!);
  return new Response(null, { status: 204 });
});
