/**
 * What "Jump to latest" knows about the feed's end, as a pure reducer (useFollowTail runs it):
 * whether the page follows the end, and how many steps arrived since the person scrolled away
 * from it. Only steps after a scroll away count: the steps replayed when the page opens (it
 * opens at the top, the end never seen) and those arriving while the person has not yet been
 * at the end are no "new steps" to them.
 */
export type Tail = { following: boolean; counting: boolean; newSteps: number };

export type TailChange =
  /** The feed's end came into view or went out of it (a scroll, a resize, the first steps). */
  | { kind: "measured"; endInView: boolean }
  /** The feed grew by `added` steps. */
  | { kind: "grew"; added: number }
  /** The person jumped to the end. */
  | { kind: "jumped" };

export const initialTail: Tail = { following: false, counting: false, newSteps: 0 };

export function nextTail(tail: Tail, change: TailChange): Tail {
  switch (change.kind) {
    case "measured":
      if (change.endInView) return tail.following && !tail.counting && tail.newSteps === 0 ? tail : { following: true, counting: false, newSteps: 0 };
      // Scrolled away from the end: count from now on.
      return tail.following ? { following: false, counting: true, newSteps: 0 } : tail;
    case "grew":
      return tail.counting && change.added > 0 ? { ...tail, newSteps: tail.newSteps + change.added } : tail;
    case "jumped":
      return { following: true, counting: false, newSteps: 0 };
  }
}
