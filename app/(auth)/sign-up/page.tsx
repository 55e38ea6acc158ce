import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth/AuthForm";
import { SignUpClosed } from "@/components/auth/SignUpClosed";
import { SsoButtons } from "@/components/auth/SsoButtons";
import { RETURN_TO_PARAM, safeReturnTo } from "@/lib/returnTo";
import { getApp } from "@/lib/server/app";
import { optionalPrincipal } from "@/lib/server/pageAuth";
import { describeInvitation } from "@/lib/services/invitations";
import { createSignUpGate } from "@/lib/services/signUpGate";
import { signInProviders } from "@/lib/ssoProviders";

export const metadata: Metadata = { title: "Create account" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * Sign-up: free for the first account (or with OPEN_SIGNUP), otherwise through an invitation
 * link (`?invite=<token>`); with PASSWORD_SIGN_IN=off only through single sign-on. The page only explains; better-auth's hooks enforce the same rule.
 * `?next=` is the page to land on afterwards, as on sign-in.
 */
export default async function SignUpPage({ searchParams }: Props) {
  const { invite, [RETURN_TO_PARAM]: next } = await searchParams;
  const returnTo = safeReturnTo(next);
  if (await optionalPrincipal()) redirect(returnTo);
  const token = typeof invite === "string" && invite !== "" ? invite : undefined;
  const app = await getApp();
  const providers = signInProviders(app.config);
  if (!app.config.passwordSignIn) {
    return (
      <SignUpClosed
        title="Accounts come from single sign-on"
        message="This AgentDesk has no passwords: your account is made the first time you sign in with your company's identity provider, when an admin's rule or invitation covers your address."
        returnTo={returnTo}
      >
        <SsoButtons providers={providers} returnTo={returnTo} />
      </SignUpClosed>
    );
  }
  const problem = await createSignUpGate(app.db, app.config.openSignup).check(token, undefined);
  if (problem) {
    return <SignUpClosed title={token ? "This invitation cannot be used" : "Sign-up is by invitation"} message={problem} returnTo={returnTo} />;
  }
  if (!token) return <AuthForm mode="sign-up" returnTo={returnTo} providers={providers} />;
  const view = await describeInvitation(app.db, token);
  return <AuthForm mode="sign-up" returnTo={returnTo} providers={providers} invitation={{ token, email: view.email, teamRole: view.teamRole, teamName: view.teamName, invitedBy: view.invitedBy }} />;
}
