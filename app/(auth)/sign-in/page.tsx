import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth/AuthForm";
import { RETURN_TO_PARAM, safeReturnTo } from "@/lib/returnTo";
import { optionalPrincipal } from "@/lib/server/pageAuth";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Sign-in; `?next=` is the page to land on afterwards (checked: only a path on this site). */
export default async function SignInPage({ searchParams }: Props) {
  const returnTo = safeReturnTo((await searchParams)[RETURN_TO_PARAM]);
  if (await optionalPrincipal()) redirect(returnTo);
  return <AuthForm mode="sign-in" returnTo={returnTo} />;
}
