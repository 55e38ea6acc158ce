import type { RunListItem, RunListPage } from "@/lib/services/runList";
import type { RunView } from "@/lib/services/runs";

/** A run as the browser holds it: the API's JSON view. */
export type RunRecord = RunView;

/** A run in the runs list (GET /api/runs): its view and its owner. */
export type RunListRecord = RunListItem;

export type RunsPage = RunListPage;
