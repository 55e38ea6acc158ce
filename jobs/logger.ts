import { maskSecrets } from "./secrets";

/**
 * The job process's log: one JSON line per entry on stdout, with a timestamp, so it reads in
 * a terminal and parses in a log shipper. Every line is masked for known secret values.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line and masks `extraSecrets` too. */
  child(fields: LogFields, extraSecrets?: readonly string[]): Logger;
}

export function createLogger(
  secrets: readonly string[],
  base: LogFields = {},
  write: (line: string) => void = (line) => process.stdout.write(line + "\n"),
): Logger {
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  const line = (level: LogLevel, message: string, fields: LogFields = {}) => {
    const entry = { at: new Date().toISOString(), level, message, ...base, ...fields };
    write(maskSecrets(JSON.stringify(entry, errorReplacer), sorted));
  };
  return {
    debug: (m, f) => line("debug", m, f),
    info: (m, f) => line("info", m, f),
    warn: (m, f) => line("warn", m, f),
    error: (m, f) => line("error", m, f),
    child: (fields, extra = []) => createLogger([...sorted, ...extra], { ...base, ...fields }, write),
  };
}

// Errors have no enumerable fields; log their message and stack instead of `{}`.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/** A logger that writes nothing, for code paths (benchmarks) that do not want output. */
export const silentLogger: Logger = createLogger([], {}, () => {});
