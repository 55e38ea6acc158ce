"use client";

import { useState } from "react";
import { buttonClass } from "./styles";

/** Copies a value to the clipboard and says so for a moment. */
export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch (err) {
      // Clipboard access needs a secure context; on plain http the user copies by hand.
      console.warn("clipboard unavailable:", err);
      setState("failed");
    }
    setTimeout(() => setState("idle"), 1500);
  }
  return (
    <button type="button" onClick={copy} className={buttonClass("secondary", "sm")} aria-label={`${label}: ${value}`}>
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy" : label}
    </button>
  );
}
