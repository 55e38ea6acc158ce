import { z } from "zod";

/**
 * SSO_TEAM_RULES: which people signing in through single sign-on may have an account, and the
 * team they join with which role. A rule matches by the email's domain (only an address the
 * provider says is verified: anyone can type an address into some identity providers) or by a
 * group the provider lists in its groups claim. Owners are never made by a rule: that stays a
 * person's decision.
 */
export const SSO_TEAM_RULES_EXAMPLE = '[{"emailDomain": "example.com", "team": "default", "role": "member"}, {"group": "agentdesk-admins", "team": "default", "role": "admin"}]';

export const SSO_RULE_ROLES = ["viewer", "member", "admin"] as const;
export type SsoRuleRole = (typeof SSO_RULE_ROLES)[number];

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a domain like example.com (no @, no wildcard)");

const rule = z
  .strictObject({
    emailDomain: domain.optional(),
    group: z.string().trim().min(1).max(200).optional(),
    team: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a team's slug (lower-case letters, digits, -)"),
    role: z.enum(SSO_RULE_ROLES).default("member"),
  })
  .refine((r) => (r.emailDomain === undefined) !== (r.group === undefined), "each rule needs exactly one of emailDomain or group");

export const ssoTeamRules = z.array(rule).max(100);
export type SsoTeamRule = z.infer<typeof rule>;

/** What a provider told us about the person signing in. */
export type SsoIdentity = { email: string; emailVerified: boolean; groups: string[] };

/** The groups in a provider profile's claim: a list of strings, or one string, else none. */
export function groupsFromProfile(profile: Record<string, unknown> | undefined, claim: string): string[] {
  const value = profile?.[claim];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string");
  return [];
}

/** The rules that apply to this identity, in the order they were written. */
export function matchingRules(rules: SsoTeamRule[], who: SsoIdentity): SsoTeamRule[] {
  const at = who.email.lastIndexOf("@");
  const emailDomain = at > 0 ? who.email.slice(at + 1).toLowerCase() : undefined;
  return rules.filter((r) =>
    r.emailDomain !== undefined ? who.emailVerified && r.emailDomain === emailDomain : r.group !== undefined && who.groups.includes(r.group),
  );
}
