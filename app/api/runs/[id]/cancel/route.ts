import { route } from "@/lib/http/route";
import { cancelRun } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

export const POST = route({ access: "user" }, async ({ app, principal, params }) => cancelRun(app, principal, params.id!));
