import { route } from "@/lib/http/route";
import { getRun } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal, params }) => getRun(app, principal, params.id!));
