"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import { cx } from "../ui/cx";
import { Counts, FileName, fileAnchor } from "./FileDiffView";
import type { FileDiff } from "./patchSections";

// Every row is one line of text: a fixed height keeps the list's scroll exact without measuring.
const ROW_HEIGHT = 36;

/**
 * The changed files with their +/- counts, in a scroll box of its own; a click jumps to the
 * file's diff. Virtualised too: a few thousand files cost a few dozen rows in the page.
 */
export function DiffFileList({
  files,
  current,
  onJump,
  className,
}: {
  files: FileDiff[];
  /** The file the reader is at (its row is marked), if any. */
  current: number | null;
  onJump: (file: FileDiff) => void;
  className?: string;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The React Compiler is not enabled here (next.config.mjs), and the rows are read from the
  // virtualizer on every render, never memoised: nothing can go stale.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: files.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    getItemKey: (i) => files[i]!.index,
  });
  return (
    <div
      ref={scrollRef}
      data-testid="diff-file-list"
      data-file-count={files.length}
      className={cx("overflow-y-auto overscroll-contain rounded-lg border border-zinc-800", className)}
    >
      <ul aria-label="Changed files" className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const f = files[row.index]!;
          return (
            <li
              key={row.key}
              data-diff-file={f.path}
              className="absolute top-0 left-0 w-full border-b border-zinc-800/70"
              style={{ height: ROW_HEIGHT, transform: `translateY(${row.start}px)` }}
            >
              <a
                href={`#${fileAnchor(f)}`}
                aria-current={current === f.index ? "location" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  onJump(f);
                }}
                className={cx(
                  "flex h-full min-w-0 items-center gap-3 px-3 text-sm hover:bg-zinc-800/60",
                  current === f.index && "bg-zinc-800/80",
                )}
              >
                <FileName file={f} />
                <Counts file={f} />
              </a>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
