"use client";

import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type Ref } from "react";
import { FileDiffView, fileAnchor } from "./FileDiffView";
import type { FileDiff } from "./patchSections";
import type { DiffMode } from "./useDiffMode";

// Room for the sticky top bar: a file jumped to starts below it, not under it.
const STICKY_TOP_PX = 80;
const GAP_PX = 16;
// Heights guessed before a file is measured (the closer, the less the page shifts when it is).
const HEADER_PX = 42;
const NOTE_PX = 46;
const LINE_PX = 20;

function estimateHeight(file: FileDiff, open: boolean): number {
  if (!open || !file.patch || file.binary) return HEADER_PX + NOTE_PX;
  return HEADER_PX + file.patchLines * LINE_PX;
}

export type FileDiffsHandle = { jumpTo: (position: number) => void };

/**
 * The files' diffs in the page's own scroll, virtualised: only the files in and near the
 * viewport are in the DOM (a 200-file diff renders a handful), the others are blank space of
 * their measured (or estimated) height, so the scroll bar, Page Down and jumps behave as if
 * every file were there.
 */
export function VirtualFileDiffs({
  files,
  mode,
  isOpen,
  layoutKey,
  onToggle,
  onCurrent,
  ref,
}: {
  files: FileDiff[];
  mode: DiffMode;
  isOpen: (file: FileDiff) => boolean;
  /** Changes when every file's height may have changed (the layout, expand or collapse all). */
  layoutKey: string;
  onToggle: (file: FileDiff, open: boolean) => void;
  /** Told the index of the file at the top of the viewport when it changes. */
  onCurrent: (index: number | null) => void;
  ref: Ref<FileDiffsHandle>;
}) {
  const listRef = useRef<HTMLDivElement>(null);
  // Where the list starts in the page: what sits above it (the run's feed, the review box)
  // grows and shrinks, so it is measured again whenever the page's height changes.
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el) return;
    const measure = () => setScrollMargin(Math.round(el.getBoundingClientRect().top + window.scrollY));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);

  const virtualizer = useWindowVirtualizer({
    count: files.length,
    estimateSize: (i) => estimateHeight(files[i]!, isOpen(files[i]!)),
    overscan: 2,
    gap: GAP_PX,
    scrollMargin,
    scrollPaddingStart: STICKY_TOP_PX,
    getItemKey: (i) => files[i]!.index,
  });

  // Sizes remembered for files no longer in the DOM are stale once the layout changes or all
  // files open or close: forget them (the files in view are measured again at once). One file
  // opened or closed is re-measured by itself, and the sizes above the reader stay put.
  useEffect(() => {
    virtualizer.measure();
  }, [virtualizer, layoutKey]);

  useImperativeHandle(
    ref,
    () => ({
      jumpTo: (position) => {
        const file = files[position];
        if (!file) return;
        virtualizer.scrollToIndex(position, { align: "start" });
        // Keyboard users continue from the file they jumped to: focus it once it is rendered.
        let frames = 0;
        const focus = () => {
          const el = document.getElementById(fileAnchor(file));
          if (el) el.focus({ preventScroll: true });
          else if (frames++ < 60) requestAnimationFrame(focus);
        };
        requestAnimationFrame(focus);
      },
    }),
    [files, virtualizer],
  );

  const items = virtualizer.getVirtualItems();
  const top = (virtualizer.scrollOffset ?? 0) + STICKY_TOP_PX;
  const current = items.find((item) => item.end > top)?.index;
  const currentIndex = current === undefined ? null : files[current]!.index;
  useEffect(() => onCurrent(currentIndex), [onCurrent, currentIndex]);

  return (
    <div ref={listRef} data-testid="diff-files" className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
      {items.map((item) => {
        const file = files[item.index]!;
        return (
          <div
            key={item.key}
            data-index={item.index}
            ref={virtualizer.measureElement}
            className="absolute top-0 left-0 w-full"
            style={{ transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)` }}
          >
            <FileDiffView file={file} mode={mode} open={isOpen(file)} onToggle={onToggle} />
          </div>
        );
      })}
    </div>
  );
}
