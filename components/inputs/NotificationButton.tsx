"use client";

import { useSyncExternalStore } from "react";
import { buttonClass } from "../ui/styles";
import { notificationsSupported } from "./notify";

type Permission = NotificationPermission | "unsupported";

// The permission changes only through our own request (or the browser's settings, read again
// on the next render), so the store's listeners are told after a request.
const listeners = new Set<() => void>();
const subscribe = (onChange: () => void) => {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
};
const readPermission = (): Permission => (notificationsSupported() ? Notification.permission : "unsupported");

/** Asks for permission to notify (requests, runs ready for review or failed), on a click (browsers ignore a request without one). */
export function NotificationButton() {
  const permission = useSyncExternalStore(subscribe, readPermission, () => null);

  if (permission === null || permission === "unsupported") return null;
  if (permission === "granted") return <span data-notifications="on" className="text-xs text-zinc-400">Notifications on</span>;
  if (permission === "denied") {
    return <span data-notifications="blocked" className="text-xs text-zinc-500">Notifications are blocked in this browser&apos;s site settings</span>;
  }
  return (
    <button
      type="button"
      data-notifications="ask"
      onClick={() => void Notification.requestPermission().then(() => listeners.forEach((l) => l()))}
      className={buttonClass("secondary", "sm")}
    >
      Turn on browser notifications
    </button>
  );
}
