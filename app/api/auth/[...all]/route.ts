import { toErrorResponse } from "@/lib/http/route";
import { getApp } from "@/lib/server/app";

export const dynamic = "force-dynamic";

// better-auth's own routes (sign-up, sign-in, sign-out, session), mounted at /api/auth.
async function handle(req: Request): Promise<Response> {
  try {
    const app = await getApp();
    return await app.auth.handler(req);
  } catch (err) {
    return toErrorResponse(err, `${req.method} /api/auth`);
  }
}

export { handle as GET, handle as POST };
