import { route } from "@/lib/http/route";
import { listEnvironmentCaches } from "@/lib/services/environmentCaches";

export const dynamic = "force-dynamic";

/** Every live job process's environment caches, as they last reported them (admins only). */
export const GET = route({ access: "admin" }, async ({ app, principal }) => listEnvironmentCaches(app, principal));
