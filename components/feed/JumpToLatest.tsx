"use client";

import { countOf } from "@/lib/plural";
import { buttonClass } from "../ui/styles";

/** The way back to the live end of the feed, once the person scrolled away from it. */
export function JumpToLatest({ newSteps, onJump }: { newSteps: number; onJump: () => void }) {
  return (
    <div className="pointer-events-none fixed inset-x-0 bottom-4 z-30 flex justify-center px-4">
      <button
        type="button"
        data-testid="jump-to-latest"
        onClick={onJump}
        className={`${buttonClass("primary")} pointer-events-auto rounded-full shadow-lg shadow-black/40`}
      >
        <span aria-hidden="true">↓</span> Jump to latest
        {newSteps > 0 && <span data-new-steps={newSteps} className="rounded-full bg-white/20 px-1.5 text-xs">{countOf(newSteps, "new step")}</span>}
      </button>
    </div>
  );
}
