/**
 * The runs list's search and filters as a URL query, the same on the page (server), its filter
 * bar and its live list (browser), so a filtered view is a link: shared, reloaded, and walked
 * back and forth with the browser's history. The API (GET /api/runs) reads the same fields.
 */
export type RunFilterValues = {
  q?: string;
  repo?: string;
  owner?: string;
  mine?: boolean;
  needsMe?: boolean;
  status?: string;
  executor?: string;
};

const order = ["q", "repo", "owner", "mine", "needsMe", "status", "executor"] as const satisfies readonly (keyof RunFilterValues)[];

/** `q=fix&needsMe=1`: only the filters that are set, in a fixed order (one view, one URL). */
export function runFilterSearch(values: RunFilterValues, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const field of order) {
    const v = values[field];
    if (v === true) params.set(field, "1");
    else if (typeof v === "string" && v !== "") params.set(field, v);
  }
  for (const [k, v] of Object.entries(extra)) if (v) params.set(k, v);
  return params.toString();
}

export const hasRunFilters = (values: RunFilterValues): boolean => runFilterSearch(values) !== "";
