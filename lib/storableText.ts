/**
 * Text PostgreSQL cannot store, made storable. PostgreSQL refuses the NUL character in `text`
 * and in `jsonb` (`\u0000`), and refuses an unpaired UTF-16 surrogate in `jsonb`; one such
 * character in a run's output once made the recorder retry the same event forever.
 *
 * The choice: NUL becomes U+2400 "␀" (SYMBOL FOR NULL), which reads as what it was in a
 * browser and a transcript; an unpaired surrogate becomes U+FFFD "�", as any UTF-8 decoder
 * would show it. Applied where events are appended (so the live feed and the database say
 * the same) and again by the recorder (entries may come from anywhere).
 */
export const NUL_REPLACEMENT = "\u2400";

const NUL = /\u0000/g;

export function storableText(text: string): string {
  const withoutNul = text.includes("\u0000") ? text.replace(NUL, NUL_REPLACEMENT) : text;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

/** Every string of a JSON-like value made storable, object keys included; other values as they are. */
export function storableDeep<T>(value: T): T {
  return storableValue(value) as T;
}

function storableValue(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(storableValue);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [storableText(k), storableValue(v)]));
  }
  return value;
}

/** The path ("a.b.0") of the first string or key holding a NUL character, or null if none does. */
export function findNul(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key.includes("\u0000")) return [...path, key];
      const found = findNul(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
