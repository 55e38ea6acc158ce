"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { buttonClass, inputClass } from "../ui/styles";
import { hasRunFilters, runFilterSearch, type RunFilterValues } from "./runFilterUrl";

type Option = { value: string; label: string };

/**
 * The runs list's search and filters. Every change is a navigation to the filtered URL (the
 * page reads it on the server), so a view can be shared, reloaded and gone back to. Typing
 * waits for a pause; it adds one history entry when a search starts and then updates it.
 */
export function RunFilters({
  value,
  repos,
  owners,
  statuses,
  executors,
}: {
  value: RunFilterValues;
  repos: string[];
  /** Whose runs the caller may filter by: empty for someone who sees only their own. */
  owners: Option[];
  statuses: Option[];
  executors: string[];
}) {
  const router = useRouter();
  const [q, setQ] = useState(value.q ?? "");
  const [shownQ, setShownQ] = useState(value.q ?? "");
  // The URL's search changed from outside the box (back, forward, clear): show it.
  if ((value.q ?? "") !== shownQ) {
    setShownQ(value.q ?? "");
    if (q.trim() !== (value.q ?? "")) setQ(value.q ?? "");
  }

  const go = (next: Partial<RunFilterValues>, mode: "push" | "replace" = "push") => {
    const search = runFilterSearch({ ...value, ...next });
    router[mode](search ? `/?${search}` : "/", { scroll: false });
  };

  const typed = q.trim();
  const current = value.q ?? "";
  // The other filters as a string: a stable dependency (the search comes first in the URL).
  const others = runFilterSearch({ ...value, q: undefined });
  useEffect(() => {
    if (typed === current) return;
    const timer = setTimeout(() => {
      const search = [runFilterSearch({ q: typed }), others].filter(Boolean).join("&");
      router[current ? "replace" : "push"](search ? `/?${search}` : "/", { scroll: false });
    }, 350);
    return () => clearTimeout(timer);
  }, [typed, current, others, router]);

  const select = (label: string, field: keyof RunFilterValues, options: Option[], all: string) => (
    <label className="flex min-w-0 flex-col gap-1 text-xs font-medium text-zinc-500">
      {label}
      <select
        aria-label={label}
        value={(value[field] as string | undefined) ?? ""}
        onChange={(e) => go({ [field]: e.target.value || undefined })}
        className={`${inputClass()} py-1.5`}
      >
        <option value="">{all}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
  const toggle = (label: string, field: "mine" | "needsMe") => (
    <button
      type="button"
      aria-pressed={Boolean(value[field])}
      onClick={() => go({ [field]: !value[field] })}
      className={`${buttonClass(value[field] ? "primary" : "secondary", "sm")} min-h-9`}
    >
      {label}
    </button>
  );

  return (
    <form
      role="search"
      aria-label="Search and filter runs"
      data-testid="run-filters"
      className="mb-4 space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (typed !== current) go({ q: typed || undefined });
      }}
    >
      <div className="flex flex-wrap items-center gap-2">
        <input
          type="search"
          name="q"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Search title, task, command, branch…"
          aria-label="Search runs"
          className={`${inputClass()} min-w-0 flex-1 basis-64`}
        />
        {toggle("Needs me", "needsMe")}
        {owners.length > 0 && toggle("Mine", "mine")}
        {hasRunFilters(value) && (
          <button type="button" onClick={() => go({ q: undefined, repo: undefined, owner: undefined, mine: false, needsMe: false, status: undefined, executor: undefined })} className={`${buttonClass("ghost", "sm")} min-h-9`}>
            Clear filters
          </button>
        )}
      </div>
      <div className={`grid grid-cols-2 gap-2 ${owners.length > 0 ? "sm:grid-cols-4" : "sm:grid-cols-3"}`}>
        {select("Repository", "repo", repos.map((r) => ({ value: r, label: r })), "All repositories")}
        {owners.length > 0 && select("Owner", "owner", owners, "Everyone")}
        {select("Status", "status", statuses, "Any status")}
        {select("Executor", "executor", executors.map((e) => ({ value: e, label: e })), "Any executor")}
      </div>
    </form>
  );
}
