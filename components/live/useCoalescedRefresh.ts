"use client";

import { useEffect, useState } from "react";

/** Runs `load` at most once at a time, `delayMs` after the first request of a burst. */
class Coalescer {
  private load: () => Promise<void> = async () => {};
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private again = false;

  constructor(private readonly delayMs: number) {}

  /** The latest `load` (it closes over the component's latest state). */
  setLoad(load: () => Promise<void>) {
    this.load = load;
  }

  readonly request = () => {
    if (this.timer === undefined) this.timer = setTimeout(() => void this.run(), this.delayMs);
  };

  private async run() {
    this.timer = undefined;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      await this.load();
    } catch (err) {
      // `load` reports its own failures; this only keeps one it let through from going unseen.
      console.error("[live] refresh failed:", err);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        void this.run();
      }
    }
  }

  dispose() {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Returns `refresh`, which asks for `load` to run soon: requests within `delayMs` of each
 * other become one call, and never two run at once (one asked for during a call runs once
 * after it). So a burst of changes costs one request, and the latest state is always read.
 */
export function useCoalescedRefresh(load: () => Promise<void>, delayMs = 250): () => void {
  const [coalescer] = useState(() => new Coalescer(delayMs));
  useEffect(() => {
    coalescer.setLoad(load);
  });
  useEffect(() => () => coalescer.dispose(), [coalescer]);
  return coalescer.request;
}
