import type { NamedSecret } from "../../lib/config";

/**
 * What push protection looks for: each known secret's value and the trivial encodings a
 * command produces without trying (`base64`, `xxd -p`, URL-encoding), so that
 * `base64 < /proc/self/environ > f` is caught as well as `echo $TOKEN > f`.
 *
 * Patterns are byte strings held as latin1 text (one character per byte), because the diff
 * is read that way: a binary file's bytes must not be reinterpreted as UTF-8.
 */
export type SecretPattern = { secret: string; bytes: string };

/** Shorter encodings would match by chance; the shortest secret (6 characters) yields 8. */
const MIN_PATTERN_LENGTH = 6;

export function secretPatterns(secrets: readonly NamedSecret[]): SecretPattern[] {
  const seen = new Set<string>();
  const patterns: SecretPattern[] = [];
  for (const { name, value } of secrets) {
    const raw = Buffer.from(value, "utf8");
    for (const text of encodings(raw)) {
      const bytes = Buffer.from(text, "utf8").toString("latin1");
      if (bytes.length < MIN_PATTERN_LENGTH || seen.has(bytes)) continue;
      seen.add(bytes);
      patterns.push({ secret: name, bytes });
    }
  }
  // Longest first: masking a name replaces a whole match before a shorter one inside it.
  return patterns.sort((a, b) => b.bytes.length - a.bytes.length);
}

function encodings(raw: Buffer): string[] {
  const hex = raw.toString("hex");
  const percentAll = hex.replace(/../g, "%$&");
  return [
    raw.toString("utf8"),
    ...base64Inner(raw),
    hex,
    hex.toUpperCase(),
    encodeURIComponent(raw.toString("utf8")),
    percentAll,
    percentAll.toUpperCase(),
  ];
}

/**
 * The base64 text of the secret wherever it sits in a longer encoded stream (an encoded
 * environment, a file): its encoding depends on its offset modulo 3, so one pattern per
 * offset, keeping only the characters made of the secret's own bits. Standard and URL-safe
 * alphabets.
 */
function base64Inner(raw: Buffer): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), raw]).toString("base64");
    const from = Math.ceil((8 * offset) / 6);
    const to = Math.floor((8 * (offset + raw.length)) / 6);
    const inner = encoded.slice(from, to);
    out.push(inner, inner.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return out;
}

/** `text` (latin1 bytes) with every pattern replaced by `***`: a file name may hold a secret. */
export function maskPatterns(text: string, patterns: readonly SecretPattern[]): string {
  let out = text;
  for (const { bytes } of patterns) if (out.includes(bytes)) out = out.split(bytes).join("***");
  return out;
}
