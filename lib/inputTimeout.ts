/**
 * How long a request for human input waits before it counts as denied: 30 minutes unless the
 * run says otherwise (`inputTimeoutSec`), at most a week. Shared by the API and the job payload.
 */
export const DEFAULT_INPUT_TIMEOUT_SEC = 1800;
export const MIN_INPUT_TIMEOUT_SEC = 10;
export const MAX_INPUT_TIMEOUT_SEC = 7 * 24 * 3600;
