import { route } from "@/lib/http/route";
import { getRunLogText } from "@/lib/services/runArtifacts";

export const dynamic = "force-dynamic";

// The run's log as plain text, one line per event; `?download=1` saves it as a file.
export const GET = route({ access: "user" }, async ({ app, principal, params, req }) => {
  const text = await getRunLogText(app, principal, params.id!);
  const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" };
  if (new URL(req.url).searchParams.has("download")) {
    headers["content-disposition"] = `attachment; filename="run-${params.id}.log"`;
  }
  return new Response(text, { headers });
});
