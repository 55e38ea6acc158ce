"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { safeReturnTo, signInPathFor } from "@/lib/returnTo";
import { aRole, type TeamRole } from "@/lib/teamRoles";
import type { SignInProvider } from "@/lib/ssoProviders";
import { Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { cardClass, buttonClass, inputClass, linkClass, noticeClass } from "../ui/styles";
import { authClient } from "./authClient";
import type { SignInProblem } from "./signInErrors";
import { SsoButtons } from "./SsoButtons";

type Mode = "sign-in" | "sign-up";

/** The invitation link a sign-up page was opened with (already checked by the page). */
export type InvitationInfo = {
  token: string;
  email: string | null;
  teamRole: TeamRole | null;
  teamName: string | null;
  invitedBy: { name: string; email: string } | null;
};

/** better-auth's error, in words: its message, or what the status means (e.g. rate limited). */
function authErrorMessage(error: { message?: string; status: number; statusText?: string }): string {
  if (error.status === 429) return "Too many attempts. Wait a minute and try again.";
  return error.message || error.statusText || `Request failed (${error.status})`;
}

type Props = {
  mode: Mode;
  invitation?: InvitationInfo;
  /** The page to land on once signed in (the page checked it; checked again here). */
  returnTo?: string;
  /** Single sign-on providers, a button each. */
  providers?: SignInProvider[];
  /** Whether the email + password form is offered (PASSWORD_SIGN_IN). */
  passwordSignIn?: boolean;
  /** Why the last single sign-on came back without signing in. */
  problem?: SignInProblem | null;
};

export function AuthForm({ mode, invitation, returnTo = "/", providers = [], passwordSignIn = true, problem }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const signUp = mode === "sign-up";
  const router = useRouter();

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setPending(true);
    setError(null);
    try {
      const result = signUp
        ? await authClient.signUp.email({
            email,
            password,
            name: String(form.get("name") ?? "").trim() || email,
            // better-auth passes extra body fields to its hooks, where lib/auth.ts checks the invitation.
            ...(invitation ? { invitation: invitation.token } : {}),
          })
        : await authClient.signIn.email({ email, password });
      if (result.error) {
        setError(authErrorMessage(result.error));
        setPending(false);
        return;
      }
      // refresh() drops pages the router cached while signed out.
      router.replace(safeReturnTo(returnTo));
      router.refresh();
    } catch (err) {
      console.error("auth request failed", err);
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  return (
    <div className={`${cardClass} p-6 shadow-2xl shadow-black/40`}>
      <h1 className="text-xl font-semibold text-zinc-50">{signUp ? "Create your account" : "Sign in"}</h1>
      {invitation ? (
        <p data-testid="invitation-info" className="mt-1 text-sm text-zinc-400">
          {invitation.invitedBy ? (
            <>
              <span className="text-zinc-200">{invitation.invitedBy.name}</span> ({invitation.invitedBy.email}) invited you
            </>
          ) : (
            "You are invited"
          )}
          {invitation.teamName ? (
            <>
              {" "}
              to <span className="text-zinc-200">{invitation.teamName}</span>
              {invitation.teamRole ? ` as ${aRole(invitation.teamRole)}` : ""}
            </>
          ) : null}
          {invitation.email ? (
            <>
              {" "}
              to sign up as <span className="text-zinc-200">{invitation.email}</span>
            </>
          ) : null}
          .
        </p>
      ) : (
        <p className="mt-1 text-sm text-zinc-400">
          {signUp ? "The first account on a new install becomes its admin." : "Welcome back to AgentDesk."}
        </p>
      )}
      {problem ? (
        <div role="alert" data-testid="sign-in-problem" className={`mt-6 ${noticeClass("error")}`}>
          <p className="font-semibold">{problem.title}</p>
          <p className="mt-1">{problem.message}</p>
        </div>
      ) : null}
      {providers.length > 0 && (!invitation || invitation.email) ? (
        <div className="mt-6">
          <SsoButtons providers={providers} returnTo={safeReturnTo(returnTo)} />
          {passwordSignIn ? (
            <p className="mt-6 flex items-center gap-3 text-xs uppercase tracking-wide text-zinc-500">
              <span className="h-px flex-1 bg-zinc-800" />
              or with your email
              <span className="h-px flex-1 bg-zinc-800" />
            </p>
          ) : null}
        </div>
      ) : null}
      {passwordSignIn ? (
        <>
          <form onSubmit={submit} className="mt-6 space-y-4">
            <FormError message={error} />
            {signUp && (
              <Field id="name" label="Name">
                <input id="name" name="name" autoComplete="name" className={inputClass()} placeholder="Ada Lovelace" />
              </Field>
            )}
            <Field id="email" label="Email">
              <input
                id="email"
                name="email"
                type="email"
                required
                autoComplete="email"
                className={inputClass()}
                // A link bound to one address can only be used with it.
                defaultValue={invitation?.email ?? undefined}
                readOnly={!!invitation?.email}
              />
            </Field>
            <Field id="password" label="Password" hint={signUp ? "At least 8 characters." : undefined}>
              <input
                id="password"
                name="password"
                type="password"
                required
                minLength={signUp ? 8 : undefined}
                autoComplete={signUp ? "new-password" : "current-password"}
                className={inputClass()}
              />
            </Field>
            <button type="submit" disabled={pending} className={`${buttonClass("primary")} w-full`}>
              {pending ? (signUp ? "Creating account…" : "Signing in…") : signUp ? "Create account" : "Sign in"}
            </button>
          </form>
          <p className="mt-6 text-center text-sm text-zinc-400">
            {signUp ? (
              <>
                Already have an account? <Link href={signInPathFor(returnTo)} className={linkClass}>Sign in</Link>
              </>
            ) : (
              <>
                New here? <Link href={signInPathFor(returnTo, "/sign-up")} className={linkClass}>Create an account</Link>
              </>
            )}
          </p>
        </>
      ) : null}
    </div>
  );
}
