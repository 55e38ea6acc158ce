/**
 * Masking of known secret values in everything the job process emits or logs. Secrets come
 * from `knownSecretValues()` (lib/config.ts), longest first, so a secret that contains a
 * shorter one is masked whole.
 */
export const MASK = "***";

export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/** Masks every string inside a JSON-like value (event bodies, tool inputs). */
export function maskDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return maskValue(value, secrets) as T;
}

function maskValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return maskSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => maskValue(v, secrets));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskValue(v, secrets)]),
    );
  }
  return value;
}

/**
 * Masks a stream that arrives in chunks. A secret may straddle two chunks, so the end of each
 * chunk that could be the start of a secret is held back until the next chunk (or `end()`)
 * shows whether it is one.
 */
export class StreamMasker {
  private held = "";

  constructor(private readonly secrets: readonly string[]) {}

  /** Returns the text that is now safe to emit. */
  push(chunk: string): string {
    const text = this.held + chunk;
    const cut = this.safeCut(text);
    this.held = text.slice(cut);
    return maskSecrets(text.slice(0, cut), this.secrets);
  }

  /** Everything still held back, masked; the stream is over. */
  end(): string {
    const rest = maskSecrets(this.held, this.secrets);
    this.held = "";
    return rest;
  }

  // Where to split `text` so that no secret is cut: before the held-back tail, and before any
  // whole secret that would straddle that point.
  private safeCut(text: string): number {
    let cut = text.length - this.heldBackLength(text);
    for (let moved = true; moved; ) {
      moved = false;
      for (const secret of this.secrets) {
        const from = Math.max(0, cut - secret.length + 1);
        const at = text.indexOf(secret, from);
        if (at !== -1 && at < cut && at + secret.length > cut) {
          cut = at;
          moved = true;
        }
      }
    }
    return cut;
  }

  // The longest suffix of `text` that could still grow into a secret (a proper prefix of one),
  // so at most the longest secret's length minus one.
  private heldBackLength(text: string): number {
    let keep = 0;
    for (const secret of this.secrets) {
      const max = Math.min(secret.length - 1, text.length);
      for (let n = max; n > keep; n--) {
        if (secret.startsWith(text.slice(text.length - n))) {
          keep = n;
          break;
        }
      }
    }
    return keep;
  }
}
