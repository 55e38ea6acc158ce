"use client";

import { createContext, useCallback, useEffect, useState } from "react";
import type { InboxItem } from "@/lib/services/inputs";
import { useCoalescedRefresh } from "../live/useCoalescedRefresh";
import { useLiveChannel } from "../live/useLiveChannel";
import { fetchJson } from "../runs/fetchJson";
import { useRunStateNotifications } from "./useRunStateNotifications";

export type PendingInputs = { items: InboxItem[] | null; error: string | null };

export const PendingInputsContext = createContext<PendingInputs | null>(null);

/**
 * The signed-in user's open requests, one copy per tab for the nav badge, the tab title, the
 * notifications and the inbox: read from GET /api/inputs (the API scripts use) when the page
 * opens, and again only when the live channel says a request opened or closed, or that
 * changes may have been missed.
 */
export function PendingInputsProvider({
  userId,
  answersTeamBudgets = false,
  children,
}: {
  userId: string;
  /** A team admin or owner: the budget requests of every run of the team are theirs too. */
  answersTeamBudgets?: boolean;
  children: React.ReactNode;
}) {
  const [value, setValue] = useState<PendingInputs>({ items: null, error: null });

  const load = useCallback(async () => {
    try {
      const { inputs } = await fetchJson<{ inputs: InboxItem[] }>("/api/inputs");
      setValue({ items: inputs, error: null });
    } catch (err) {
      setValue((v) => ({ ...v, error: (err as Error).message }));
    }
  }, []);
  const refresh = useCoalescedRefresh(load);

  useEffect(() => void load(), [load]);
  useLiveChannel((signal) => {
    // The inbox holds the user's own runs' requests (and, for a team admin, the team's budget
    // requests); the channel carries every run the user may see.
    if (signal.type === "resync" || (signal.change.kind === "input" && (answersTeamBudgets || signal.change.userId === userId))) refresh();
  });

  // Mounted once per tab with the channel, like the requests: the runs that now wait for the user.
  useRunStateNotifications(userId);

  return <PendingInputsContext.Provider value={value}>{children}</PendingInputsContext.Provider>;
}
