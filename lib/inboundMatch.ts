import { z } from "zod";
import type { InboundRules } from "./contracts/inboundWebhooks";

/**
 * Whether a verified delivery starts a run, and with which variables (pure: the route and its
 * tests call it). GitHub payloads are read through zod with only the fields used; anything
 * else in them is ignored, a payload missing a needed field is simply not a match.
 */
export type Match = { start: true; variables: Record<string, string> } | { start: false; reason: string };

const user = z.object({ login: z.string(), type: z.string().optional() });
const issue = z.object({ title: z.string(), body: z.string().nullable().optional(), number: z.number(), html_url: z.string() });
const repository = z.object({ full_name: z.string() });
const labeled = z.object({ action: z.literal("labeled"), label: z.object({ name: z.string() }), issue, repository, sender: user });
const commented = z.object({ action: z.literal("created"), comment: z.object({ body: z.string(), user }), issue, repository, sender: user });
const direct = z.object({ variables: z.record(z.string().max(64), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}) });

export function matchGithub(rules: InboundRules, event: string, payload: unknown): Match {
  if (event === "issues") {
    if (!rules.issueLabel) return { start: false, reason: "no label rule" };
    const p = labeled.safeParse(payload);
    if (!p.success) return { start: false, reason: "not an issue being labelled" };
    if (p.data.label.name.toLowerCase() !== rules.issueLabel.toLowerCase()) return { start: false, reason: `label "${p.data.label.name}" is not "${rules.issueLabel}"` };
    return { start: true, variables: issueVariables(p.data, "") };
  }
  if (event === "issue_comment") {
    if (!rules.mention) return { start: false, reason: "no mention rule" };
    const p = commented.safeParse(payload);
    if (!p.success) return { start: false, reason: "not a new comment on an issue" };
    if (p.data.comment.user.type === "Bot" || p.data.sender.type === "Bot") return { start: false, reason: "a bot's comment" };
    if (!mentions(p.data.comment.body, rules.mention)) return { start: false, reason: `the comment does not mention ${rules.mention}` };
    return { start: true, variables: issueVariables(p.data, p.data.comment.body) };
  }
  return { start: false, reason: `event "${event}" starts nothing` };
}

export function matchDirect(rules: InboundRules, event: string, payload: unknown): Match {
  if (event !== "run") return { start: false, reason: `event "${event}" starts nothing` };
  if (!rules.direct) return { start: false, reason: "direct calls are off" };
  const p = direct.safeParse(payload);
  if (!p.success) return { start: false, reason: "the body's variables are not an object of texts" };
  return { start: true, variables: p.data.variables };
}

function issueVariables(p: z.infer<typeof labeled> | z.infer<typeof commented>, comment: string): Record<string, string> {
  return {
    "issue.title": p.issue.title,
    "issue.body": p.issue.body ?? "",
    "issue.number": String(p.issue.number),
    "issue.url": p.issue.html_url,
    "comment.body": comment,
    repository: p.repository.full_name,
    sender: p.sender.login,
  };
}

/** `@name` as a whole word: not part of an e-mail address or of a longer name. */
export function mentions(text: string, mention: string): boolean {
  const escaped = mention.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_.@-])${escaped}(?![A-Za-z0-9_-])`, "i").test(text);
}
