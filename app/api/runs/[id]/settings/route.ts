import { route } from "@/lib/http/route";
import { duplicateRunSettings } from "@/lib/services/duplicateRun";

export const dynamic = "force-dynamic";

// The run's settings as a POST /api/runs body: what the New run form's "Duplicate" prefills.
export const GET = route({ access: "user" }, async ({ app, principal, params }) => duplicateRunSettings(app, principal, params.id!));
