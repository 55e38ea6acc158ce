import { route } from "@/lib/http/route";
import { listWorkspaces } from "@/lib/services/workspaces";

export const dynamic = "force-dynamic";

/** Every job process's run workspaces, pool entries, mirrors and environment caches, as they last reported them (admins only). */
export const GET = route({ access: "admin" }, async ({ app, principal }) => listWorkspaces(app, principal));
