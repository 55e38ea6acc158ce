import { route } from "@/lib/http/route";
import { createResetLink, createResetLinkInput } from "@/lib/services/passwordReset";

export const dynamic = "force-dynamic";

// A one-time link for the user to set a new password (shown once): `{ expiresInHours? }` → 201 `{ url, token, email, expiresAt }`.
export const POST = route({ access: "admin", body: createResetLinkInput }, async ({ app, principal, params, body }) =>
  Response.json(await createResetLink(app, principal, params.id!, body), { status: 201 }),
);
