import { route } from "@/lib/http/route";
import { listRepoBranches } from "@/lib/services/repoBranches";

export const dynamic = "force-dynamic";

// The repository's branches for the New run form's picker; `source: null` with an `error` when
// they could not be listed (the form then takes a typed name).
export const GET = route({ access: "user" }, async ({ app, params }) => listRepoBranches(app, params.name!));
