"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";
import { followUpRunAction, rerunRunAction } from "@/app/(app)/runs/[id]/actions";
import { canRetry } from "@/lib/contracts/runLifecycle";
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
  // Re-run and follow-up act on the run (its owner's or a team admin's); Duplicate only reads it.
  if (!useCanActOnRun() || !canRerun(run.status)) {
    // While it works, a copy to change is still useful; nothing else applies yet.
    return (
      <div className="flex flex-wrap items-center gap-2" data-testid="run-follow-ons">
        <Link href={`/runs/new?from=${run.id}`} className={buttonClass("secondary", "sm")} title="Open New run with this run's settings">
          Duplicate
        </Link>
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
      </div>
      {rerun.error && (
        <p role="alert" className="text-xs text-red-300">
          {rerun.error}
        </p>
      )}
      {followingUp && <FollowUpForm run={run} stampKey={stampKey} />}
    </div>
  );
}

function FollowUpForm({
  run,
  stampKey,
}: {
  run: Pick<RunRecord, "id" | "branch" | "executor">;
  stampKey: (event: React.FormEvent<HTMLFormElement>) => void;
}) {
  const { onSubmit, pending, error, fieldErrors } = useFormAction(followUpRunAction);
  const cli = run.executor === "cli";
  const field = cli ? "command" : "prompt";
  const explain = useId();
  return (
    <form
      onSubmit={(e) => {
        stampKey(e);
        onSubmit(e);
      }}
      className="space-y-3 rounded-lg border border-zinc-800 p-3"
      aria-describedby={explain}
      data-testid="follow-up-form"
    >
      <input type="hidden" name="id" value={run.id} />
      <input type="hidden" name="key" defaultValue="" />
      <p id={explain} className="text-sm text-zinc-400">
        Starts a <strong className="text-zinc-200">new run</strong> from this run&apos;s pushed branch{" "}
        <span className="font-mono break-all text-zinc-200">{run.branch}</span>, so it sees everything this run did, with the same settings
        and the {cli ? "command" : "task"} below. It works on a branch of its own; this run&apos;s branch is not changed.
      </p>
      <Field id={`follow-up-${field}`} label={cli ? "Command" : "Next task"} error={fieldErrors[field]}>
        <textarea
          id={`follow-up-${field}`}
          name={field}
          rows={3}
          required
          spellCheck={!cli}
          className={inputClass(!!fieldErrors[field], cli)}
          {...describedBy(`follow-up-${field}`, fieldErrors[field])}
        />
      </Field>
      {error && !fieldErrors[field] && (
        <p role="alert" className="text-xs text-red-300">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending} className={buttonClass("primary", "sm")}>
        {pending ? "Starting…" : "Start follow-up"}
      </button>
    </form>
  );
}
