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
import type { TeamRole } from "../teamRoles";
import { firstTeam, joinTeam } from "./teams";

/**
 * Who may create an account: the first account freely (it becomes instance admin and owner of
 * the first team); after that only the holder of a valid invitation link, who joins the
 * inviter's team with the invitation's role, unless the operator opened sign-up (OPEN_SIGNUP:
 * such an account is in no team until a team admin adds it). Called from better-auth's hooks
 * (lib/auth.ts), so the raw /api/auth/sign-up/email route is covered.
 */

export const INVITATION_ONLY_MESSAGE =
  "Sign-up is by invitation only. Ask an admin of this AgentDesk for an invitation link.";

export class SignUpRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignUpRefused";
  }
}

export type Admitted = {
  role: "admin" | "user";
  invitationId: string | null;
  // The team the new account joins and its role there; null: none yet.
  team: { id: string; role: TeamRole } | null;
};

export type SignUpGate = {
  /** A read-only early check (before better-auth looks at the email): the reason to refuse, or null. */
  check(invitationToken: string | undefined, email: string | undefined): Promise<string | null>;
  /**
   * The decision, taken atomically when the user row is about to be written: the role the account
   * gets and the invitation it used up. Throws SignUpRefused.
   */
  admit(invitationToken: string | undefined, email: string): Promise<Admitted>;
  /** Records the account an admitted sign-up created: on the invitation it used, in its team. */
  recordUse(admitted: Admitted, userId: string): Promise<void>;
};

/**
 * The first account, when this sign-up is it (a database claim, so exactly one): instance admin
 * and owner of the first team. Password and single sign-on sign-ups both start here.
 */
export async function admitFirstAccount(db: Db): Promise<Admitted | null> {
  if (!(await claimFirstAccount(db))) return null;
  return { role: "admin", invitationId: FIRST_ACCOUNT_ID, team: { id: (await firstTeam({ db })).id, role: "owner" } };
}

export function createSignUpGate(db: Db, openSignup: boolean): SignUpGate {
  return {
    async check(token, email) {
      if (token !== undefined) return invitationProblem(await describeInvitation(db, token), email);
      if (openSignup || !(await anyUserExists(db))) return null;
      return INVITATION_ONLY_MESSAGE;
    },

    async admit(token, email) {
      const first = await admitFirstAccount(db);
      if (first) return first;
      if (token !== undefined) {
        const used = await consumeInvitation(db, token, email);
        if (used) return { role: "user", invitationId: used.id, team: used.teamId ? { id: used.teamId, role: used.teamRole } : null };
        // Say why (a race lost, expired meanwhile, another address) as the early check would.
        throw new SignUpRefused(invitationProblem(await describeInvitation(db, token), email) ?? "This invitation link can no longer be used.");
      }
      if (openSignup) return { role: "user", invitationId: null, team: null };
      throw new SignUpRefused(INVITATION_ONLY_MESSAGE);
    },

    async recordUse(admitted, userId) {
      if (admitted.invitationId) await recordInvitationUse(db, admitted.invitationId, userId);
      if (admitted.team) {
        const via = admitted.invitationId === FIRST_ACCOUNT_ID ? "first-account" : "invitation";
        await joinTeam({ db }, admitted.team.id, userId, admitted.team.role, via);
      }
    },
  };
}
