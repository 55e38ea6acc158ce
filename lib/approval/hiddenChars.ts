import type { Finding } from "./types";

type CharClass = { pattern: RegExp; what: string };

// Characters that make a command read differently from how it runs: invisible ones can hide
// or split words, bidi controls reorder what a reviewer sees, \r rewinds a terminal line.
const HIDDEN: CharClass[] = [
  { pattern: /[\u200B-\u200D\u2060\uFEFF\u180E]/u, what: "a zero-width character" },
  { pattern: /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u, what: "a bidirectional-text control character" },
  { pattern: /\r/u, what: "a carriage return, which can hide text on a terminal" },
  { pattern: /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/u, what: "a non-ASCII space that looks like a separator but is not one" },
  { pattern: /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\u0080-\u009F]/u, what: "a control character" },
];

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Hidden-character tricks anywhere in the command line (each is risky on its own). */
export function hiddenCharacterFindings(src: string): Finding[] {
  const findings: Finding[] = [];
  for (const { pattern, what } of HIDDEN) {
    const hit = pattern.exec(src);
    if (hit) findings.push({ level: "risky", reason: `the command contains ${what} (${codePoint(hit[0])})` });
  }
  return findings;
}

// Letters from other scripts that look like ASCII ones in common fonts (a subset of Unicode's
// confusables list: the ones that can spell shell command names).
const CONFUSABLES: Record<string, string> = {
  а: "a", в: "b", с: "c", ԁ: "d", е: "e", һ: "h", і: "i", ј: "j", к: "k", ӏ: "l", м: "m", н: "h",
  о: "o", р: "p", ԛ: "q", г: "r", ѕ: "s", т: "t", ц: "u", ν: "v", ш: "w", х: "x", у: "y", ᴢ: "z",
  α: "a", ε: "e", ι: "i", κ: "k", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x", ɡ: "g", ℓ: "l",
};

/**
 * The ASCII name a non-ASCII command name imitates (`ｒｍ` → `rm`, Cyrillic `сurl` → `curl`),
 * or null when it imitates nothing. NFKC folds fullwidth and styled letters first.
 */
export function lookalikeOf(name: string): string | null {
  if (/^[\x20-\x7E]*$/.test(name)) return null;
  const folded = [...name.normalize("NFKC")].map((ch) => CONFUSABLES[ch] ?? CONFUSABLES[ch.toLowerCase()] ?? ch).join("");
  return /^[\x21-\x7E]+$/.test(folded) && folded !== name ? folded : null;
}
