"use client";

import Link from "next/link";
import { useState } from "react";
import { authClient } from "../auth/authClient";
import { Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { buttonClass, cardClass, inputClass, linkClass } from "../ui/styles";

/** Sets a new password with an admin's one-time link, through better-auth's /reset-password. */
export function ResetPasswordForm({ token, email }: { token: string; email: string }) {
  const [error, setError] = useState<string | null>(null);
  const [mismatch, setMismatch] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newPassword = String(form.get("password") ?? "");
    if (newPassword !== String(form.get("confirm") ?? "")) {
      setMismatch("the two passwords differ");
      return;
    }
    setMismatch(undefined);
    setPending(true);
    setError(null);
    try {
      const result = await authClient.resetPassword({ newPassword, token });
      if (result.error) {
        setError(
          result.error.status === 429
            ? "Too many attempts. Wait a minute and try again."
            : result.error.code === "INVALID_TOKEN"
              ? "This link no longer works (used, expired or replaced). Ask an admin for a new one."
              : result.error.message || `Request failed (${result.error.status})`,
        );
        setPending(false);
        return;
      }
      setDone(true);
    } catch (err) {
      console.error("password reset failed", err);
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  if (done) {
    return (
      <div role="status" data-testid="reset-password-done" className={`${cardClass} p-6 shadow-2xl shadow-black/40`}>
        <h1 className="text-xl font-semibold text-zinc-50">Password changed</h1>
        <p className="mt-2 text-sm text-zinc-400">
          Sign in with your new password. Every session you had before has ended.
        </p>
        <Link href="/sign-in" className={`${buttonClass("primary")} mt-6 w-full`}>
          Sign in
        </Link>
      </div>
    );
  }

  return (
    <div className={`${cardClass} p-6 shadow-2xl shadow-black/40`}>
      <h1 className="text-xl font-semibold text-zinc-50">Set a new password</h1>
      <p className="mt-1 text-sm text-zinc-400">
        For <span className="text-zinc-200">{email}</span>. The link works once.
      </p>
      <form onSubmit={submit} className="mt-6 space-y-4">
        <FormError message={error} />
        <Field id="password" label="New password" hint="At least 8 characters.">
          <input id="password" name="password" type="password" required minLength={8} maxLength={128} autoComplete="new-password" className={inputClass()} />
        </Field>
        <Field id="confirm" label="Repeat it" error={mismatch}>
          <input id="confirm" name="confirm" type="password" required minLength={8} maxLength={128} autoComplete="new-password" className={inputClass(!!mismatch)} />
        </Field>
        <button type="submit" disabled={pending} className={`${buttonClass("primary")} w-full`}>
          {pending ? "Saving…" : "Set password"}
        </button>
      </form>
      <p className="mt-6 text-center text-sm text-zinc-400">
        <Link href="/sign-in" className={linkClass}>
          Back to sign in
        </Link>
      </p>
    </div>
  );
}
