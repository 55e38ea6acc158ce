"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { countOf } from "@/lib/plural";
import { toolSummary } from "../feed/readableInput";
import { RequestPanel } from "../inputs/RequestPanel";
import type { InputRequest } from "../inputs/types";
import { buttonClass } from "../ui/styles";
import { cx } from "../ui/cx";
import { useStickyTop } from "./useStickyTop";

/** The anchor of the review decisions further down the run page. */
export const REVIEW_ANCHOR = "review";

export type Pending =
  | { kind: "inputs"; requests: InputRequest[] }
  | { kind: "review"; runId: string; error: string | null; files: number | null }
  | null;

const looks = {
  inputs: "border-amber-700/70 bg-zinc-950/95 shadow-amber-950/40",
  review: "border-violet-700/70 bg-zinc-950/95 shadow-violet-950/40",
} as const;

// Scrolled further than this, the page is being read: the bar folds to its headline.
const READING_PX = 240;

/** Whether the page is scrolled past its top part (kept current while scrolling). */
function useScrolledDown(): boolean {
  const [down, setDown] = useState(false);
  useEffect(() => {
    const read = () => setDown(window.scrollY > READING_PX);
    read();
    window.addEventListener("scroll", read, { passive: true });
    return () => window.removeEventListener("scroll", read);
  }, []);
  return down;
}

/** What the first request asks, on one line: the command, the path, the question. */
function gist(request: InputRequest): string {
  return request.input !== undefined ? toolSummary(request.input) : (request.question ?? "").replace(/\s+/g, " ").trim();
}

function Headline({ pending }: { pending: NonNullable<Pending> }) {
  if (pending.kind === "review") {
    return (
      <>
        <span className="font-semibold text-violet-200">{pending.error ? "The push failed: decide again" : "Ready for your review"}</span>
        {pending.files !== null && <span className="text-zinc-400"> · {countOf(pending.files, "file")} changed</span>}
      </>
    );
  }
  const [first] = pending.requests;
  const what = pending.requests.length > 1 ? `${pending.requests.length} requests wait for you` : first!.kind === "approval"
        ? "The agent waits for your approval"
        : first!.kind === "budget"
          ? "Paused at a spending limit: a team admin decides"
          : "The agent asks you a question";
  const line = gist(first!);
  return (
    <>
      <span className="font-semibold text-amber-200">{what}</span>
      {line && (
        <span data-bar-summary className="ml-2 font-mono text-xs text-zinc-300">
          {line}
        </span>
      )}
    </>
  );
}

/**
 * What needs the person now, stuck below the nav so it is in view however long the run's page
 * is: the open approval or question, answerable right here (the same form as in the feed), or
 * the way to the review of a finished run. Nothing when nothing waits. While the person reads
 * further down, the request folds to its headline (the form would cover half the screen);
 * "Answer" opens it again. Give it a `key` per set of requests: a new one starts unfolded.
 */
export function ActionBar({ pending }: { pending: Pending }) {
  const top = useStickyTop(56);
  const scrolledDown = useScrolledDown();
  // The person's own choice wins over folding by scroll position.
  const [chosen, setChosen] = useState<boolean | null>(null);
  const open = chosen ?? !scrolledDown;
  if (!pending) return null;
  return (
    <section
      data-testid="action-bar"
      data-action-bar={pending.kind}
      aria-label="Needs you now"
      style={{ top: top + 8 }}
      className={cx("sticky z-10 rounded-xl border shadow-lg backdrop-blur", looks[pending.kind])}
    >
      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-2 px-4 py-2.5">
        <p className="min-w-0 flex-1 truncate text-sm">
          <Headline pending={pending} />
        </p>
        <div className="flex flex-wrap items-center gap-2">
          {pending.kind === "review" && (
            <>
              <Link href={`/runs/${pending.runId}/review`} className={buttonClass("primary", "sm")} data-testid="action-bar-review">
                Review the changes
              </Link>
              <a href={`#${REVIEW_ANCHOR}`} className={buttonClass("secondary", "sm")}>
                Decide here ↓
              </a>
            </>
          )}
          {pending.kind === "inputs" && (
            <button
              type="button"
              data-testid="action-bar-toggle"
              onClick={() => setChosen(!open)}
              aria-expanded={open}
              className={buttonClass(open ? "ghost" : "primary", "sm")}
            >
              {open ? "Hide" : "Answer"}
            </button>
          )}
        </div>
      </div>
      {pending.kind === "inputs" && open && (
        // At most about half the screen: on a phone the feed stays in view under it.
        <div className="max-h-[55vh] space-y-3 overflow-y-auto border-t border-zinc-800 px-4 py-3">
          {pending.requests.map((request) => (
            <RequestPanel key={request.requestId} request={request} />
          ))}
        </div>
      )}
    </section>
  );
}
