"use client";

import { useContext } from "react";
import type { InboxItem } from "@/lib/services/inputs";
import { livePausedMessage, useLiveChannel } from "../live/useLiveChannel";
import { PendingInputsContext } from "./PendingInputsProvider";

/**
 * The signed-in user's open requests, kept live by the tab's one copy (PendingInputsProvider);
 * `initial` (the server's reading) stands in until that copy is first read. `error` says when
 * what is shown may be stale.
 */
export function usePendingInputs(initial: InboxItem[] | null = null) {
  const pending = useContext(PendingInputsContext);
  if (!pending) throw new Error("usePendingInputs needs a PendingInputsProvider above it (app/(app)/layout.tsx)");
  const { state } = useLiveChannel();
  return { items: pending.items ?? initial, error: livePausedMessage(state, pending.error) };
}

export const inboxKey = (item: Pick<InboxItem, "runId" | "requestId">) => `${item.runId}/${item.requestId}`;
