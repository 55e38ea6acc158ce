import { z } from "zod";

/**
 * A branch name git would accept (the rules of `git check-ref-format --branch`), checked before
 * it ever reaches a git command line. Leading "-" is refused so it can never read as an option.
 */
export const branchName = z
  .string()
  .trim()
  .min(1, "is required")
  .max(200)
  .refine(
    (b) =>
      !/^[-/.]|[/.]$|\.\.|\/\/|@\{|[\x00-\x20\x7f~^:?*[\\]|\.lock(\/|$)/.test(b) && b !== "@",
    "is not a valid git branch name",
  );

/** `agentdesk/<slug>-<short id>`: the branch a run works on. */
export function runBranchName(title: string, runId: string): string {
  const slug =
    title
      .normalize("NFKD")
      // Drop the accents NFKD split off, so "Ünïcödé" reads "unicode", not "u-ni-co-de".
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40)
      .replace(/-+$/g, "") || "run";
  return `agentdesk/${slug}-${runId.replace(/-/g, "").slice(0, 8)}`;
}
