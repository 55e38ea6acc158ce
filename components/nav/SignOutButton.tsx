"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { authClient } from "../auth/authClient";
import { buttonClass } from "../ui/styles";

/** `email` is shown as the button's tooltip: the nav hides the address on narrower screens. */
export function SignOutButton({ email }: { email: string }) {
  const [pending, setPending] = useState(false);
  const router = useRouter();
  async function signOut() {
    setPending(true);
    const { error } = await authClient.signOut();
    if (error) {
      setPending(false);
      window.alert(`Could not sign out: ${error.message ?? error.statusText}`);
      return;
    }
    // refresh() drops every page the router cached for the old session.
    router.replace("/sign-in");
    router.refresh();
  }
  return (
    <button type="button" onClick={signOut} disabled={pending} title={`Signed in as ${email}`} className={buttonClass("ghost", "sm")}>
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
