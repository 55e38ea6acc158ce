import { route } from "@/lib/http/route";
import { listRepoBranches } from "@/lib/services/repoBranches";

export const dynamic = "force-dynamic";

// The repository's branches for the New run form's picker, listed by a job process with the
// repository's credential; `source: null` with an `error` when the remote could not be listed,
// 503 when no job process answers (the form then takes a typed name either way).
export const GET = route({ access: "user" }, async ({ app, principal, params }) => listRepoBranches(app, principal, params.name!));
