import { route } from "@/lib/http/route";
import { listUsers } from "@/lib/services/users";

export const dynamic = "force-dynamic";

export const GET = route({ access: "admin" }, async ({ app, principal }) => ({ users: await listUsers(app, principal) }));
