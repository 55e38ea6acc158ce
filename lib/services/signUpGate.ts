import type { Db } from "../db/client";
import {
  anyUserExists,
  claimFirstAccount,
  consumeInvitation,
  describeInvitation,
  FIRST_ACCOUNT_ID,
  invitationProblem,
  recordInvitationUse,
} from "./invitations";

/**
 * Who may create an account: the first account freely (it becomes admin); after that only the
 * holder of a valid invitation link, unless the operator opened sign-up (OPEN_SIGNUP). Called
 * from better-auth's hooks (lib/auth.ts), so the raw /api/auth/sign-up/email route is covered.
 */

export const INVITATION_ONLY_MESSAGE =
  "Sign-up is by invitation only. Ask an admin of this AgentDesk for an invitation link.";

export class SignUpRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignUpRefused";
  }
}

export type SignUpGate = {
  /** A read-only early check (before better-auth looks at the email): the reason to refuse, or null. */
  check(invitationToken: string | undefined, email: string | undefined): Promise<string | null>;
  /**
   * The decision, taken atomically when the user row is about to be written: the role the account
   * gets and the invitation it used up. Throws SignUpRefused.
   */
  admit(invitationToken: string | undefined, email: string): Promise<{ role: "admin" | "user"; invitationId: string | null }>;
  /** Records the account an admitted sign-up created on the invitation it used. */
  recordUse(invitationId: string, userId: string): Promise<void>;
};

export function createSignUpGate(db: Db, openSignup: boolean): SignUpGate {
  return {
    async check(token, email) {
      if (token !== undefined) return invitationProblem(await describeInvitation(db, token), email);
      if (openSignup || !(await anyUserExists(db))) return null;
      return INVITATION_ONLY_MESSAGE;
    },

    async admit(token, email) {
      if (await claimFirstAccount(db)) return { role: "admin", invitationId: FIRST_ACCOUNT_ID };
      if (token !== undefined) {
        const used = await consumeInvitation(db, token, email);
        if (used) return { role: used.role, invitationId: used.id };
        // Say why (a race lost, expired meanwhile, another address) as the early check would.
        throw new SignUpRefused(invitationProblem(await describeInvitation(db, token), email) ?? "This invitation link can no longer be used.");
      }
      if (openSignup) return { role: "user", invitationId: null };
      throw new SignUpRefused(INVITATION_ONLY_MESSAGE);
    },

    recordUse: (invitationId, userId) => recordInvitationUse(db, invitationId, userId),
  };
}
