import { route } from "@/lib/http/route";
import { deleteWorkspace } from "@/lib/services/workspaces";

export const dynamic = "force-dynamic";

/** Deleted by the job process that owns it: 200 with its answer; 409 when it refuses (the run is running or suspended there). */
export const DELETE = route({ access: "admin" }, async ({ app, principal, params }) =>
  deleteWorkspace(app, principal, { worker: params.worker!, id: params.id! }),
);
