/**
 * What the sign-in page says when single sign-on sent the browser back with `?error=<code>`
 * (better-auth's callback codes and our own from lib/auth.ts and lib/services/ssoSignUp.ts).
 * Only the code is read, never a description from the address bar: anyone can make a link
 * with any text in it.
 */
export type SignInProblem = { title: string; message: string };

const KNOWN: Record<string, SignInProblem> = {
  SSO_NOT_ALLOWED: {
    title: "Not allowed",
    message: "Your address has no account on this AgentDesk, and single sign-on does not create one for it. Ask an admin to invite you.",
  },
  SIGN_UP_REFUSED: {
    title: "Not allowed",
    message: "Your address has no account on this AgentDesk, and single sign-on does not create one for it. Ask an admin to invite you.",
  },
  ACCOUNT_DISABLED: { title: "Account disabled", message: "This account is disabled. Ask an admin of this AgentDesk." },
  account_not_linked: {
    title: "Not linked",
    message:
      "An account with this address exists, but the provider did not confirm the address is yours, so your sign-in was not joined to it. Sign in the way you did before, or have the provider verify your address.",
  },
  email_not_found: {
    title: "No verified email",
    message: "The provider did not share a verified email address for you. On GitHub: make a verified address your primary email, then try again.",
  },
  access_denied: { title: "Sign-in cancelled", message: "The sign-in was cancelled at the provider." },
  state_mismatch: { title: "Sign-in expired", message: "The sign-in took too long or was started in another browser. Try again." },
  state_not_found: { title: "Sign-in expired", message: "The sign-in took too long or was started in another browser. Try again." },
};

export function signInProblem(code: unknown): SignInProblem | null {
  if (typeof code !== "string" || !/^[A-Za-z0-9_.-]{1,64}$/.test(code)) return null;
  return KNOWN[code] ?? { title: "Sign-in failed", message: `Signing in with the provider failed (${code}). Try again, or ask an admin.` };
}
