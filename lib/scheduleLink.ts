/**
 * The way to one schedule: the schedules page scrolled to its row (the anchor) and that row
 * marked (the query, read by the server so it holds for a client-side navigation too, where
 * `:target` does not). A scheduled run links to the schedule that made it this way.
 */
export const SCHEDULE_PARAM = "schedule";

export const scheduleAnchor = (id: string) => `schedule-${id}`;

export const scheduleHref = (id: string) => `/schedules?${SCHEDULE_PARAM}=${encodeURIComponent(id)}#${scheduleAnchor(id)}`;
