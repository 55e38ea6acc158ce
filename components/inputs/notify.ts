import type { InboxItem } from "@/lib/services/inputs";
import { inputText } from "./requestInput";

export const notificationsSupported = () => typeof window !== "undefined" && "Notification" in window;

const allowed = () => notificationsSupported() && Notification.permission === "granted";

/** A system notification for a new request; clicking it opens the run. Only once permission was given. */
export function notifyNewRequest(item: InboxItem, open: (path: string) => void): void {
  if (!allowed()) return;
  const title =
    item.kind === "approval"
      ? `Approval needed: ${item.runTitle}`
      : item.kind === "budget"
        ? `Spending limit reached: ${item.runTitle}`
        : `Question from the agent: ${item.runTitle}`;
  const body = item.kind === "approval" ? inputText(item.input ?? item.tool ?? "") : (item.question ?? "");
  show(title, { body: body.slice(0, 300), tag: `${item.runId}/${item.requestId}` }, `/runs/${item.runId}`, open);
}

/** A run of the user's that now waits for them: ready for review, or failed. */
export type RunStateNotice = { runId: string; title: string; repo: string; state: "review" | "failed"; error: string | null };

/**
 * A system notification for a run that reached review (clicking opens its review) or failed
 * (clicking opens the run). The tag is the run and state, so the tabs a person has open show
 * one notification between them, not one each.
 */
export function notifyRunState(notice: RunStateNotice, open: (path: string) => void): void {
  if (!allowed()) return;
  const review = notice.state === "review";
  const title = review ? `Ready for review: ${notice.title}` : `Run failed: ${notice.title}`;
  const reason = (notice.error ?? "").split("\n").find((l) => l.trim()) ?? "";
  const body = review ? `${notice.repo}: read the diff, then push, request changes or discard.` : `${notice.repo}: ${reason || "the run failed"}`;
  const path = review ? `/runs/${notice.runId}/review` : `/runs/${notice.runId}`;
  show(title, { body: body.slice(0, 300), tag: `${notice.runId}/${notice.state}` }, path, open);
}

function show(title: string, options: NotificationOptions, path: string, open: (path: string) => void) {
  const notification = new Notification(title, options);
  notification.onclick = () => {
    window.focus();
    open(path);
  };
}
