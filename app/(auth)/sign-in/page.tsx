import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth/AuthForm";
import { signInProblem } from "@/components/auth/signInErrors";
import { getConfig } from "@/lib/config";
import { RETURN_TO_PARAM, safeReturnTo } from "@/lib/returnTo";
import { optionalPrincipal } from "@/lib/server/pageAuth";
import { signInProviders } from "@/lib/ssoProviders";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * Sign-in: a button per single sign-on provider and the password form (unless
 * PASSWORD_SIGN_IN=off). `?next=` is the page to land on afterwards (checked: only a path on
 * this site); `?error=` is why single sign-on came back without signing in.
 */
export default async function SignInPage({ searchParams }: Props) {
  const params = await searchParams;
  const returnTo = safeReturnTo(params[RETURN_TO_PARAM]);
  if (await optionalPrincipal()) redirect(returnTo);
  const config = getConfig();
  return (
    <AuthForm
      mode="sign-in"
      returnTo={returnTo}
      providers={signInProviders(config)}
      passwordSignIn={config.passwordSignIn}
      problem={signInProblem(params.error)}
    />
  );
}
