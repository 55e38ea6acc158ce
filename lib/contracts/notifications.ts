/**
 * The run states a person is told about, by the browser (components/inputs/runNotifications.ts)
 * and by their webhook (lib/services/notificationDelivery.ts): the states where the run waits
 * for them. Pure, so the browser imports it too.
 *
 * "pushed" (the person's own decision, carried out) only when chosen: a team's webhook uses it to
 * start what follows a push (a deploy, a ticket update). Not "cancelled" (a person cancelled it,
 * nobody has anything to do), nor "completed" (ended with nothing to review).
 */
export const notificationStates = ["input", "review", "failed", "pushed"] as const;
export type NotificationState = (typeof notificationStates)[number];

export const notificationStateLabels: Record<NotificationState, string> = {
  input: "Input needed (an approval or a question)",
  review: "Ready for review",
  failed: "Failed",
  pushed: "Pushed",
};

/** What a new user's webhook is told about until they choose. */
export const defaultNotificationStates: readonly NotificationState[] = ["input", "review", "failed"];
