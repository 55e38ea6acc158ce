import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth/AuthForm";
import { optionalPrincipal } from "@/lib/server/pageAuth";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage() {
  if (await optionalPrincipal()) redirect("/");
  return <AuthForm mode="sign-in" />;
}
