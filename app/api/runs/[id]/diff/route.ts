import { route } from "@/lib/http/route";
import { getRunDiff } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

// JSON by default; the plain unified diff with `?format=patch` or `Accept: text/x-diff`.
export const GET = route({ access: "user" }, async ({ app, principal, params, req }) => {
  const diff = await getRunDiff(app, principal, params.id!);
  const wantsPatch =
    new URL(req.url).searchParams.get("format") === "patch" || req.headers.get("accept")?.includes("text/x-diff");
  if (wantsPatch) {
    return new Response(diff.patch, { headers: { "content-type": "text/x-diff; charset=utf-8" } });
  }
  return diff;
});
