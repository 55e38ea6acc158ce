import type { InboxItem } from "@/lib/services/inputs";
import { inputText } from "./requestInput";

export const notificationsSupported = () => typeof window !== "undefined" && "Notification" in window;

/** A system notification for a new request; clicking it opens the run. Only once permission was given. */
export function notifyNewRequest(item: InboxItem, open: (path: string) => void): void {
  if (!notificationsSupported() || Notification.permission !== "granted") return;
  const title = item.kind === "approval" ? `Approval needed: ${item.runTitle}` : `Question from the agent: ${item.runTitle}`;
  const body = item.kind === "approval" ? inputText(item.input ?? item.tool ?? "") : (item.question ?? "");
  const notification = new Notification(title, { body: body.slice(0, 300), tag: `${item.runId}/${item.requestId}` });
  notification.onclick = () => {
    window.focus();
    open(`/runs/${item.runId}`);
  };
}
