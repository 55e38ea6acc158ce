import type { RunView } from "@/lib/services/runs";

/** A run as the browser holds it: the API's JSON view. */
export type RunRecord = RunView;

export type RunsPage = { runs: RunRecord[]; nextCursor: string | null };
