import { toErrorResponse } from "@/lib/http/route";
import { getApp } from "@/lib/server/app";
import { withClientAddress } from "@/lib/server/clientAddress";

export const dynamic = "force-dynamic";

// better-auth's own routes (sign-up, sign-in, sign-out, session), mounted at /api/auth. The
// client address better-auth rate-limits and records is the one clientAddress() decides.
async function handle(req: Request): Promise<Response> {
  try {
    const app = await getApp();
    return await app.auth.handler(withClientAddress(req, app.config.trustProxyHops));
  } catch (err) {
    return toErrorResponse(err, `${req.method} /api/auth`);
  }
}

export { handle as GET, handle as POST };
