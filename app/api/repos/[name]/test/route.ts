import { route } from "@/lib/http/route";
import { testRepoConnection } from "@/lib/services/repos";

export const dynamic = "force-dynamic";

// A job process runs `git ls-remote` with the repository's credential; the answer says whether
// it worked and, if not, git's own words. Admin-only is checked in the service.
export const POST = route({ access: "user" }, async ({ app, principal, params }) => testRepoConnection(app, principal, params.name!));
