import { route } from "@/lib/http/route";
import { getRunTranscript } from "@/lib/services/runArtifacts";

export const dynamic = "force-dynamic";

// The run's conversation as JSON; `?download=1` makes the browser save it as a file.
export const GET = route({ access: "user" }, async ({ app, principal, params, req }) => {
  const transcript = await getRunTranscript(app, principal, params.id!);
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (new URL(req.url).searchParams.has("download")) {
    headers["content-disposition"] = `attachment; filename="run-${transcript.runId}-transcript.json"`;
  }
  return new Response(JSON.stringify(transcript, null, 2), { headers });
});
