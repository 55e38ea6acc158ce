import { route } from "@/lib/http/route";
import { deleteWorkspace } from "@/lib/services/workspaces";

export const dynamic = "force-dynamic";

// A worker's name holds a colon (host:pid), sent as %3A; some Next.js versions hand dynamic
// segments over still encoded. Valid names and ids never hold a literal %, so decoding once
// when one is there is safe; a malformed sequence is left as it is (and refused as an id).
const decoded = (segment: string) => {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** Deleted by the job process that owns it: 200 with its answer; 409 when it refuses (the run is running or suspended there). */
export const DELETE = route({ access: "admin" }, async ({ app, principal, params }) =>
  deleteWorkspace(app, principal, { worker: decoded(params.worker!), id: decoded(params.id!) }),
);
