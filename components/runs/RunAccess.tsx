"use client";

import { createContext, useContext } from "react";

/**
 * Whether the person reading a run page may act on the run (answer, cancel, review, re-run):
 * its owner or a team admin (lib/services/runVisibility.ts decides; the page passes the answer
 * down). Everyone else in the team reads it: the forms give way to a note.
 */
type Access = {
  canAct: boolean;
  /** A budget request is answered by the team's admins and owners only (lib/services/budgetAnswers.ts). */
  canAnswerBudget: boolean;
};
// Outside a run page (the inbox) everything shown is the reader's to answer.
const RunAccess = createContext<Access>({ canAct: true, canAnswerBudget: true });

export const RunAccessProvider = RunAccess.Provider;

export const useCanActOnRun = () => useContext(RunAccess).canAct;

export const useCanAnswerBudget = () => useContext(RunAccess).canAnswerBudget;

/** What a reader who may not act is told where the forms would be. */
export function ReadOnlyNote({ children }: { children: React.ReactNode }) {
  return (
    <p data-testid="read-only-note" className="rounded-lg border border-zinc-800 bg-zinc-900/60 px-3 py-2 text-sm text-zinc-400">
      {children}
    </p>
  );
}
