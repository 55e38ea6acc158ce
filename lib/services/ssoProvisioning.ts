import type { Db } from "../db/client";
import { matchingRules, type SsoIdentity, type SsoRuleRole, type SsoTeamRule } from "../ssoRules";
import { roleAtLeast } from "../teamRoles";
import { joinTeam, membershipRole, teamBySlug } from "./teams";

/**
 * SSO_TEAM_RULES applied at each single sign-on (lib/auth.ts calls this once the session is
 * made): the person joins every team a matching rule names that they are not in yet, with the
 * highest role the matching rules give there. A membership that exists is left as it is: a
 * rule never lowers a role, and never raises one behind the team's admins either (they change
 * roles on the Team page). A rule naming a team that does not exist is skipped and logged, so a
 * typo or a deleted team costs nobody their sign-in.
 */
export async function provisionSsoUser(db: Db, rules: SsoTeamRule[], userId: string, who: SsoIdentity): Promise<{ joined: { team: string; role: SsoRuleRole }[] }> {
  const wanted = new Map<string, SsoRuleRole>();
  for (const rule of matchingRules(rules, who)) {
    const had = wanted.get(rule.team);
    if (!had || roleAtLeast(rule.role, had)) wanted.set(rule.team, rule.role);
  }
  const joined: { team: string; role: SsoRuleRole }[] = [];
  for (const [slug, role] of wanted) {
    const team = await teamBySlug({ db }, slug);
    if (!team) {
      console.warn(`[auth] SSO_TEAM_RULES names the team "${slug}", which does not exist: ${who.email} was not added to it`);
      continue;
    }
    if (await membershipRole({ db }, team.id, userId)) continue;
    await joinTeam({ db }, team.id, userId, role, "single-sign-on");
    joined.push({ team: slug, role });
  }
  return { joined };
}
