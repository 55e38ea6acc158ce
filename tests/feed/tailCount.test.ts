import { describe, expect, it } from "vitest";
import { initialTail, nextTail, type Tail, type TailChange } from "../../components/feed/tailCount";

const run = (...changes: TailChange[]): Tail => changes.reduce(nextTail, initialTail);
const grew = (added: number): TailChange => ({ kind: "grew", added });
const measured = (endInView: boolean): TailChange => ({ kind: "measured", endInView });

describe("Jump to latest's count of new steps", () => {
  it("counts none of the steps replayed when a page opens at the top, in however many batches they come", () => {
    // The first batch is measured (end out of view: the page opens at the top), the rest only grow the feed.
    expect(run(measured(false), grew(40), grew(25), grew(3))).toEqual({ following: false, counting: false, newSteps: 0 });
    // Live steps before the person was ever at the end are not "new since they left" either.
    expect(run(measured(false), grew(40), measured(false), grew(2)).newSteps).toBe(0);
  });

  it("follows while the end is in view, and counts only what arrives after the person scrolled away", () => {
    const atEnd = run(measured(false), grew(40), measured(true), grew(2));
    expect(atEnd).toEqual({ following: true, counting: false, newSteps: 0 });
    const away = nextTail(atEnd, measured(false));
    expect(away).toEqual({ following: false, counting: true, newSteps: 0 });
    expect(run(measured(false), grew(40), measured(true), measured(false), grew(1), measured(false), grew(2)).newSteps).toBe(3);
  });

  it("starts again from zero on a jump or when the person scrolls back to the end", () => {
    const counted = run(measured(true), measured(false), grew(4));
    expect(counted.newSteps).toBe(4);
    expect(nextTail(counted, { kind: "jumped" })).toEqual({ following: true, counting: false, newSteps: 0 });
    expect(nextTail(counted, measured(true))).toEqual({ following: true, counting: false, newSteps: 0 });
    // After the jump, scrolling away counts afresh.
    expect(run(measured(true), measured(false), grew(4), { kind: "jumped" }, measured(false), grew(1)).newSteps).toBe(1);
  });

  it("keeps the same state object when nothing changes (no re-render on every scroll event)", () => {
    const following = run(measured(true));
    expect(nextTail(following, measured(true))).toBe(following);
    const top = run(measured(false));
    expect(nextTail(top, measured(false))).toBe(top);
    expect(nextTail(top, grew(3))).toBe(top);
  });
});
