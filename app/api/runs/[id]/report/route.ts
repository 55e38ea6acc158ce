import { fieldError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { renderRunReport, runReportFileName } from "@/lib/runReport";
import { getRunReportInput } from "@/lib/services/runArtifacts";

export const dynamic = "force-dynamic";

// The run's report: Markdown to save (a file name given), or `?format=json` for what it is made of.
export const GET = route({ access: "user" }, async ({ app, principal, params, req }) => {
  const format = new URL(req.url).searchParams.get("format") ?? "markdown";
  if (format !== "markdown" && format !== "json") throw fieldError("format", 'must be "markdown" or "json"');
  const input = await getRunReportInput(app, principal, params.id!);
  if (format === "json") return Response.json(input);
  return new Response(renderRunReport(input), {
    headers: {
      "content-type": "text/markdown; charset=utf-8",
      "content-disposition": `attachment; filename="${runReportFileName(input.run.id)}"`,
    },
  });
});
