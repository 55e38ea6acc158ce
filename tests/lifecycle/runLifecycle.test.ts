import { describe, expect, it } from "vitest";
import {
  applyTransition,
  canCancel,
  canReview,
  decisionStillInEffect,
  isActive,
  isTerminal,
  reviewDecisionStatus,
  runStatuses,
  statusLabel,
  terminalStatuses,
  transitionFor,
  transitions,
  withOpenRequests,
  type RunStatus,
} from "@/lib/contracts/runLifecycle";

/**
 * The lifecycle's transition table, status by status: every legal move is listed here once more
 * (a change to the table must be made twice, on purpose), and every other (event, status) pair
 * is refused.
 */
const legal: Record<string, Partial<Record<RunStatus, RunStatus>>> = {
  "run.waiting": { queued: "waiting_dependencies" },
  "run.released": { waiting_dependencies: "queued" },
  "run.started": { queued: "running", running: "running", waiting_input: "running" },
  "input.requested": { running: "waiting_input", waiting_input: "waiting_input" },
  "input.resolved": { running: "running", waiting_input: "running" },
  "run.awaiting_review": { running: "awaiting_review", waiting_input: "awaiting_review", awaiting_review: "awaiting_review" },
  "push.started": { awaiting_review: "pushing", pushing: "pushing" },
  "push.finished:ok": { pushing: "pushed", pushed: "pushed" },
  "push.finished:failed": { pushing: "awaiting_review" },
  "review.decided:push": { awaiting_review: "pushing" },
  "review.decided:discard": { awaiting_review: "discarded" },
  "review.decided:request_changes": { awaiting_review: "queued" },
  "run.completed": { queued: "completed", running: "completed", waiting_input: "completed" },
  "run.failed": {
    waiting_dependencies: "failed",
    queued: "failed",
    running: "failed",
    waiting_input: "failed",
    awaiting_review: "failed",
    pushing: "failed",
  },
  "run.cancelled": { waiting_dependencies: "cancelled", queued: "cancelled", running: "cancelled", waiting_input: "cancelled" },
};

function eventOf(name: string): { type: string; ok?: boolean; action?: string } {
  const [type, variant] = name.split(":") as [string, string | undefined];
  if (type === "push.finished") return { type, ok: variant === "ok" };
  if (type === "review.decided") return { type, action: variant };
  return { type };
}

describe("the run lifecycle", () => {
  it("lists the same transitions as the table, no more", () => {
    expect(Object.keys(transitions).sort()).toEqual(Object.keys(legal).sort());
  });

  for (const [name, moves] of Object.entries(legal)) {
    for (const from of runStatuses) {
      const to = moves[from];
      it(`${name} from ${from}: ${to ? `moves to ${to}` : "is refused"}`, () => {
        const outcome = applyTransition(from, eventOf(name));
        if (to) expect(outcome).toEqual({ kind: "moved", from, to });
        else expect(outcome).toMatchObject({ kind: "refused", from, event: eventOf(name).type });
      });
    }
  }

  it("never moves a terminal run", () => {
    for (const from of terminalStatuses) {
      for (const name of Object.keys(legal)) {
        const outcome = applyTransition(from, eventOf(name));
        // push.finished repeated on a pushed run keeps it pushed: not a move out of it.
        if (outcome.kind === "moved") expect(outcome.to).toBe(from);
      }
    }
  });

  it("leaves events that move nothing alone", () => {
    for (const type of ["run.queued", "workspace.ready", "assistant.text", "tool.started", "usage", "log", "diff.ready"]) {
      expect(transitionFor({ type })).toBeNull();
      expect(applyTransition("running", { type })).toEqual({ kind: "none" });
    }
  });

  it("answers the usual questions about a status", () => {
    const table = runStatuses.map((s) => [s, isTerminal(s), isActive(s), canCancel(s), canReview(s)]);
    expect(table).toEqual([
      // No job yet, but it can be cancelled while it waits.
      ["waiting_dependencies", false, false, true, false],
      ["queued", false, true, true, false],
      ["running", false, true, true, false],
      ["waiting_input", false, true, true, false],
      ["awaiting_review", false, false, false, true],
      ["pushing", false, false, false, false],
      ["pushed", true, false, false, false],
      ["completed", true, false, false, false],
      ["failed", true, false, false, false],
      ["cancelled", true, false, false, false],
      ["discarded", true, false, false, false],
    ]);
    expect(runStatuses.map(statusLabel)).toContain("Waiting for input");
  });

  it("counts open input requests: running with one open reads waiting_input, and back", () => {
    expect(withOpenRequests("running", 1)).toBe("waiting_input");
    expect(withOpenRequests("waiting_input", 2)).toBe("waiting_input");
    expect(withOpenRequests("waiting_input", 0)).toBe("running");
    expect(withOpenRequests("running", 0)).toBe("running");
    for (const s of runStatuses.filter((s) => s !== "running" && s !== "waiting_input")) expect(withOpenRequests(s, 3)).toBe(s);
  });

  it("knows where review decisions lead, and when asking again is a repeat", () => {
    expect(reviewDecisionStatus("push")).toBe("pushing");
    expect(reviewDecisionStatus("discard")).toBe("discarded");
    expect(reviewDecisionStatus("request_changes")).toBe("queued");
    expect(decisionStillInEffect("push", "pushed")).toBe(true);
    expect(decisionStillInEffect("push", "awaiting_review")).toBe(false);
    expect(decisionStillInEffect("discard", "discarded")).toBe(true);
    expect(decisionStillInEffect("request_changes", "waiting_input")).toBe(true);
    expect(decisionStillInEffect("request_changes", "awaiting_review")).toBe(false);
  });
});
