"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { cardClass, buttonClass, inputClass, linkClass } from "../ui/styles";
import { authClient } from "./authClient";

type Mode = "sign-in" | "sign-up";

/** better-auth's error, in words: its message, or what the status means (e.g. rate limited). */
function authErrorMessage(error: { message?: string; status: number; statusText?: string }): string {
  if (error.status === 429) return "Too many attempts. Wait a minute and try again.";
  return error.message || error.statusText || `Request failed (${error.status})`;
}

export function AuthForm({ mode }: { mode: Mode }) {
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
        ? await authClient.signUp.email({ email, password, name: String(form.get("name") ?? "").trim() || email })
        : await authClient.signIn.email({ email, password });
      if (result.error) {
        setError(authErrorMessage(result.error));
        setPending(false);
        return;
      }
      // refresh() drops pages the router cached while signed out.
      router.replace("/");
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
      <p className="mt-1 text-sm text-zinc-400">
        {signUp ? "The first account on a new install becomes its admin." : "Welcome back to AgentDesk."}
      </p>
      <form onSubmit={submit} className="mt-6 space-y-4">
        <FormError message={error} />
        {signUp && (
          <Field id="name" label="Name">
            <input id="name" name="name" autoComplete="name" className={inputClass()} placeholder="Ada Lovelace" />
          </Field>
        )}
        <Field id="email" label="Email">
          <input id="email" name="email" type="email" required autoComplete="email" className={inputClass()} />
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
            Already have an account? <Link href="/sign-in" className={linkClass}>Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/sign-up" className={linkClass}>Create an account</Link>
          </>
        )}
      </p>
    </div>
  );
}
