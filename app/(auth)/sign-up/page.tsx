import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth/AuthForm";
import { optionalPrincipal } from "@/lib/server/pageAuth";

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage() {
  if (await optionalPrincipal()) redirect("/");
  return <AuthForm mode="sign-up" />;
}
