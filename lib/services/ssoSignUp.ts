import type { Db } from "../db/client";
import { matchingRules, type SsoIdentity, type SsoTeamRule } from "../ssoRules";
import { consumeInvitationFor, hasPendingInvitationFor } from "./invitations";
import { admitFirstAccount, SignUpRefused, type Admitted } from "./signUpGate";

/**
 * Who may get an account by signing in through single sign-on (OIDC, GitHub): someone an
 * SSO_TEAM_RULES rule matches, or someone with a pending invitation bound to their verified
 * address. Anyone else is refused and no account is made, whatever OPEN_SIGNUP says: an
 * identity provider such as GitHub lets the whole world sign in. The first account (the one
 * that becomes admin) comes through here too when a rule lets its owner in, which is how an
 * install with PASSWORD_SIGN_IN=off gets its admin.
 */

/** The code the sign-in page recognises (components/auth/signInErrors.ts). */
export const SSO_NOT_ALLOWED = "SSO_NOT_ALLOWED";

export const ssoNotAllowedMessage = (email: string) =>
  `${email} has no account on this AgentDesk, and single sign-on does not create one for this address. Ask an admin to invite it.`;

/** Why a new SSO user is let in: rules that match them, or an invitation for their address. */
export type SsoAdmission = { kind: "rule"; rules: SsoTeamRule[] } | { kind: "invitation" };

export type SsoSignUpGate = {
  /** The read-only decision, before better-auth creates the user; null: not allowed. */
  decide(who: SsoIdentity): Promise<SsoAdmission | null>;
  /**
   * Taken where the user row is written: the role the account gets, the invitation it used (the
   * first account's claim, or the invitation consumed now) and the team that brings. Throws
   * SignUpRefused when the invitation went meanwhile. The rules' teams are joined after every
   * SSO sign-in (lib/services/ssoProvisioning.ts), the first included.
   */
  admit(admission: SsoAdmission, email: string): Promise<Admitted>;
};

export function createSsoSignUpGate(db: Db, rules: SsoTeamRule[]): SsoSignUpGate {
  return {
    async decide(who) {
      const matched = matchingRules(rules, who);
      if (matched.length > 0) return { kind: "rule", rules: matched };
      if (who.emailVerified && (await hasPendingInvitationFor(db, who.email))) return { kind: "invitation" };
      return null;
    },

    async admit(admission, email) {
      const first = await admitFirstAccount(db);
      if (first) return first;
      if (admission.kind === "rule") return { role: "user", invitationId: null, team: null };
      const used = await consumeInvitationFor(db, email);
      if (!used) throw new SignUpRefused(ssoNotAllowedMessage(email));
      return { role: "user", invitationId: used.id, team: used.teamId ? { id: used.teamId, role: used.teamRole } : null };
    },
  };
}
