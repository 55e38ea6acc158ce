import { route } from "@/lib/http/route";
import { removeUser, updateUser, updateUserInput } from "@/lib/services/users";

export const dynamic = "force-dynamic";

// `{ role?, disabled? }`: never leaves no admin who can sign in (409); disabling ends the sessions.
export const PATCH = route({ access: "admin", body: updateUserInput }, async ({ app, principal, params, body }) =>
  updateUser(app, principal, params.id!, body),
);

export const DELETE = route({ access: "admin" }, async ({ app, principal, params }) => removeUser(app, principal, params.id!));
