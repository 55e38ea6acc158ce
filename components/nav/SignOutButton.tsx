"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { authClient } from "../auth/authClient";
import { buttonClass } from "../ui/styles";

export function SignOutButton() {
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
    <button type="button" onClick={signOut} disabled={pending} className={buttonClass("ghost", "sm")}>
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
