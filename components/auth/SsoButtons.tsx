"use client";

import { useState } from "react";
import { signInPathFor } from "@/lib/returnTo";
import type { SignInProvider } from "@/lib/ssoProviders";
import { FormError } from "../forms/FormError";
import { buttonClass } from "../ui/styles";
import { authClient } from "./authClient";

/**
 * A "Sign in with …" button per single sign-on provider. better-auth sends the browser to the
 * provider (state and PKCE kept in its cookies) and, once back, to `returnTo`; a refusal
 * comes back to the sign-in page with `?error=`, keeping `next`.
 */
export function SsoButtons({ providers, returnTo }: { providers: SignInProvider[]; returnTo: string }) {
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function start(provider: SignInProvider) {
    setPending(provider.id);
    setError(null);
    try {
      const result = await authClient.signIn.social({ provider: provider.id, callbackURL: returnTo, errorCallbackURL: signInPathFor(returnTo) });
      // On success the browser is already on its way to the provider.
      if (result.error) {
        setError(result.error.status === 429 ? "Too many attempts. Wait a minute and try again." : result.error.message || `Could not start sign-in with ${provider.name}.`);
        setPending(null);
      }
    } catch (err) {
      console.error("single sign-on start failed", err);
      setError("Could not reach the server. Check your connection and try again.");
      setPending(null);
    }
  }

  return (
    <div className="space-y-3">
      <FormError message={error} />
      {providers.map((p) => (
        <button key={p.id} type="button" data-testid={`sso-${p.id}`} disabled={pending !== null} onClick={() => void start(p)} className={`${buttonClass("secondary")} w-full`}>
          {pending === p.id ? `Going to ${p.name}…` : `Sign in with ${p.name}`}
        </button>
      ))}
    </div>
  );
}
