import { CronExpressionParser } from "cron-parser";
import cronstrue from "cronstrue";

export type CronCheck = { ok: true; subMinute: boolean } | { ok: false; path: "cron" | "timezone"; message: string };

/** An IANA zone name the runtime knows; Intl throws a RangeError for anything else. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses the pattern with cron-parser, the library BullMQ's job schedulers use, so a pattern
 * accepted here is one BullMQ can fire. `subMinute`: more than one value in the seconds
 * field, so the pattern fires more than once in a minute.
 */
export function checkCron(pattern: string, tz: string): CronCheck {
  if (!isTimeZone(tz)) return { ok: false, path: "timezone", message: `"${tz}" is not an IANA time zone, e.g. Europe/Paris` };
  const fields = pattern.trim().split(/\s+/);
  if (!pattern.trim().startsWith("@") && fields.length !== 5 && fields.length !== 6) {
    return { ok: false, path: "cron", message: "must have 5 fields (minute hour day month weekday) or 6 (with seconds first)" };
  }
  let seconds: readonly number[];
  try {
    seconds = CronExpressionParser.parse(pattern, { tz }).fields.second.values;
  } catch (err) {
    return { ok: false, path: "cron", message: `is not a valid cron pattern: ${(err as Error).message}` };
  }
  return { ok: true, subMinute: seconds.length > 1 };
}

/** "At 09:00 AM, Monday through Friday", or the pattern itself if cronstrue cannot word it. */
export function describeCron(pattern: string): string {
  try {
    return cronstrue.toString(pattern, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return pattern;
  }
}

/** The next time the pattern fires after `from`, or null for a pattern that cannot be parsed. */
export function nextFire(pattern: string, tz: string, from = new Date()): Date | null {
  try {
    return CronExpressionParser.parse(pattern, { tz, currentDate: from }).next().toDate();
  } catch {
    return null;
  }
}
