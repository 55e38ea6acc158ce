import { route } from "@/lib/http/route";
import { executorChoices } from "@/lib/services/executorChoice";

export const dynamic = "force-dynamic";

/**
 * What a run may use now: each executor and each registered ACP agent, with whether a live job
 * process offers it and, if not, why. POST /api/runs and schedules refuse the unavailable ones
 * with the same reasons.
 */
export const GET = route({ access: "user" }, async ({ app }) => executorChoices(app));
