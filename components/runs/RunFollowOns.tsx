"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";
import { continueRunAction, followUpRunAction, rerunRunAction } from "@/app/(app)/runs/[id]/actions";
import { canContinue } from "@/lib/contracts/runStack";
import { canRetry, canReview } from "@/lib/contracts/runLifecycle";
import { canFollowUp, canRerun } from "@/lib/contracts/runOrigin";
import { describedBy, Field } from "../forms/Field";
import { useFormAction } from "../forms/useFormAction";
import { buttonClass, inputClass } from "../ui/styles";
import { useCanActOnRun } from "./RunAccess";
import type { RunRecord } from "./runTypes";

/**
 * What a person can start from a run whose work is over: Re-run (the same settings, a new
 * run; a failed or cancelled run has Retry instead), Duplicate (New run prefilled, to change
 * before starting) and, for a pushed run, Follow-up (a new run from its branch with a new task).
 * Each action's service is the API's (lib/services/rerunRun.ts, followUpRun.ts).
 */
/**
 * A key per page view, made on the first submit (not while rendering, so server and browser
 * render the same form; getRandomValues works on plain http too): a double click, or a second
 * form of this page, lands on the run the first submit made.
 */
function useSubmitKey() {
  const key = useRef<string | null>(null);
  return (event: React.FormEvent<HTMLFormElement>) => {
    key.current ??= Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    const input = event.currentTarget.elements.namedItem("key");
    if (input instanceof HTMLInputElement) input.value = key.current;
  };
}

export function RunFollowOns({ run }: { run: Pick<RunRecord, "id" | "status" | "branch" | "executor"> }) {
  const stampKey = useSubmitKey();
  const rerun = useFormAction(rerunRunAction);
  const [followingUp, setFollowingUp] = useState(false);
  const [continuing, setContinuing] = useState(false);
  const canAct = useCanActOnRun();
  // Stacking a new run on this one's branch: while it works (the new run waits), awaiting review or pushed.
  const continueButton = canAct && canContinue(run.status) && (
    <button
      type="button"
      aria-expanded={continuing}
      onClick={() => setContinuing((v) => !v)}
      className={buttonClass("secondary", "sm")}
      data-testid="continue-run"
      title="Start a new run on top of this run's branch, before it is pushed"
    >
      Continue from this run…
    </button>
  );
  // Re-run and follow-up act on the run (its owner's or a team admin's); Duplicate only reads it.
  if (!canAct || !canRerun(run.status)) {
    // While it works, a copy to change is still useful, and the next task can be stacked on it.
    return (
      <div className="space-y-3" data-testid="run-follow-ons">
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/runs/new?from=${run.id}`} className={buttonClass("secondary", "sm")} title="Open New run with this run's settings">
            Duplicate
          </Link>
          {continueButton}
        </div>
        {continuing && <FollowUpForm run={run} stampKey={stampKey} mode="continue" status={run.status} />}
      </div>
    );
  }
  return (
    <div className="space-y-3" data-testid="run-follow-ons">
      <div className="flex flex-wrap items-start gap-2">
        {!canRetry(run.status) && (
          <form
            onSubmit={(e) => {
              stampKey(e);
              rerun.onSubmit(e);
            }}
            className="flex flex-col gap-1"
          >
            <input type="hidden" name="id" value={run.id} />
            <input type="hidden" name="key" defaultValue="" />
            <button type="submit" disabled={rerun.pending} className={buttonClass("secondary", "sm")} title="Start a new run with exactly this run's settings">
              {rerun.pending ? "Starting…" : "Re-run"}
            </button>
          </form>
        )}
        <Link href={`/runs/new?from=${run.id}`} className={buttonClass("secondary", "sm")} title="Open New run with this run's settings, to change before starting">
          Duplicate
        </Link>
        {canFollowUp(run.status) && (
          <button type="button" aria-expanded={followingUp} onClick={() => setFollowingUp((v) => !v)} className={buttonClass("secondary", "sm")}>
            Follow-up…
          </button>
        )}
        {continueButton}
      </div>
      {rerun.error && (
        <p role="alert" className="text-xs text-red-300">
          {rerun.error}
        </p>
      )}
      {followingUp && <FollowUpForm run={run} stampKey={stampKey} mode="follow-up" status={run.status} />}
      {continuing && <FollowUpForm run={run} stampKey={stampKey} mode="continue" status={run.status} />}
    </div>
  );
}

/** Follow-up (from a pushed branch) and Continue (stacked on the branch, pushed or not): the next task. */
function FollowUpForm({
  run,
  stampKey,
  mode,
  status,
}: {
  run: Pick<RunRecord, "id" | "branch" | "executor">;
  stampKey: (event: React.FormEvent<HTMLFormElement>) => void;
  mode: "follow-up" | "continue";
  status: RunRecord["status"];
}) {
  const { onSubmit, pending, error, fieldErrors } = useFormAction(mode === "continue" ? continueRunAction : followUpRunAction);
  const cli = run.executor === "cli";
  const field = cli ? "command" : "prompt";
  const explain = useId();
  const id = `${mode}-${field}`;
  return (
    <form
      onSubmit={(e) => {
        stampKey(e);
        onSubmit(e);
      }}
      className="space-y-3 rounded-lg border border-zinc-800 p-3"
      aria-describedby={explain}
      data-testid={`${mode}-form`}
    >
      <input type="hidden" name="id" value={run.id} />
      <input type="hidden" name="key" defaultValue="" />
      {mode === "follow-up" ? (
        <p id={explain} className="text-sm text-zinc-400">
          Starts a <strong className="text-zinc-200">new run</strong> from this run&apos;s pushed branch{" "}
          <span className="font-mono break-all text-zinc-200">{run.branch}</span>, so it sees everything this run did, with the same settings
          and the {cli ? "command" : "task"} below. It works on a branch of its own; this run&apos;s branch is not changed.
        </p>
      ) : (
        <p id={explain} className="text-sm text-zinc-400">
          Starts a <strong className="text-zinc-200">new run stacked on</strong> this run&apos;s branch{" "}
          <span className="font-mono break-all text-zinc-200">{run.branch}</span>: it starts at this run&apos;s last commit, so its diff shows
          only its own changes, and its pull request targets this branch. It can be pushed once this run is.
          {canReview(status) || status === "pushed" || status === "pushing" ? "" : " It waits until this run has finished its work."}
        </p>
      )}
      <Field id={id} label={cli ? "Command" : "Next task"} error={fieldErrors[field]}>
        <textarea
          id={id}
          name={field}
          rows={3}
          required
          spellCheck={!cli}
          className={inputClass(!!fieldErrors[field], cli)}
          {...describedBy(id, fieldErrors[field])}
        />
      </Field>
      {error && !fieldErrors[field] && (
        <p role="alert" className="text-xs text-red-300">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending} className={buttonClass("primary", "sm")}>
        {pending ? "Starting…" : mode === "continue" ? "Start stacked run" : "Start follow-up"}
      </button>
    </form>
  );
}
