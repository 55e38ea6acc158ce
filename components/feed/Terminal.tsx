"use client";

import { useLayoutEffect, useRef, useState } from "react";
import { cx } from "../ui/cx";

export type TerminalChunk = { key: string; text: string; stream?: "stdout" | "stderr"; level?: string };

// Within this many pixels of the end counts as "at the bottom" (following the tail).
const STICK_PX = 24;

/**
 * Command output, black and monospace, stderr tinted. Follows the tail while the user is at
 * the bottom; once they scroll up it stays put and offers a way back down.
 */
export function Terminal({ chunks, callId }: { chunks: TerminalChunk[]; callId?: string }) {
  const box = useRef<HTMLPreElement>(null);
  const [following, setFollowing] = useState(true);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && following) el.scrollTop = el.scrollHeight;
  }, [chunks, following]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    setFollowing(el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX);
  };

  return (
    <div className="relative">
      <pre
        ref={box}
        onScroll={onScroll}
        data-terminal={callId}
        className="max-h-80 overflow-auto rounded-lg border border-zinc-800 bg-black px-3 py-2.5 font-mono text-[12.5px] leading-5 whitespace-pre-wrap break-words text-zinc-200"
      >
        {chunks.length === 0 ? (
          <span className="text-zinc-600">waiting for output…</span>
        ) : (
          chunks.map((c) => (
            <span
              key={c.key}
              data-stream={c.stream}
              className={cx(
                c.stream === "stderr" && "text-red-300",
                !c.stream && c.level === "warn" && "text-amber-300",
                !c.stream && c.level === "error" && "text-red-400",
              )}
            >
              {c.stream ? c.text : `${c.text}\n`}
            </span>
          ))
        )}
      </pre>
      {!following && (
        <button
          type="button"
          onClick={() => setFollowing(true)}
          className="absolute right-3 bottom-3 rounded-full bg-indigo-600 px-3 py-1 text-xs font-medium text-white shadow-lg hover:bg-indigo-500"
        >
          ↓ Jump to bottom
        </button>
      )}
    </div>
  );
}
