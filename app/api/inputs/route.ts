import { route } from "@/lib/http/route";
import { listPendingInputs } from "@/lib/services/inputs";

export const dynamic = "force-dynamic";

/** Every open approval request and question of the caller's runs: the inbox and its count. */
export const GET = route({ access: "user" }, async ({ app, principal }) => ({ inputs: await listPendingInputs(app, principal) }));
