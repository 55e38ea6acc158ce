import type { Metadata } from "next";
import Link from "next/link";
import { ResetPasswordForm } from "@/components/admin/ResetPasswordForm";
import { cardClass, linkClass } from "@/components/ui/styles";
import { getApp } from "@/lib/server/app";
import { resetLinkAccount } from "@/lib/services/passwordReset";

export const metadata: Metadata = { title: "Reset your password" };

function Message({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className={`${cardClass} p-6 shadow-2xl shadow-black/40`} data-testid="reset-password-message">
      <h1 className="text-xl font-semibold text-zinc-50">{title}</h1>
      <div className="mt-2 space-y-3 text-sm text-zinc-400">{children}</div>
    </div>
  );
}

/**
 * Where an admin's reset link leads (lib/services/passwordReset.ts). Without a token it tells a
 * person who forgot their password what to do: there is no e-mail, an admin makes the link.
 */
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const raw = (await searchParams).token;
  const token = typeof raw === "string" ? raw : undefined;
  if (!token) {
    return (
      <Message title="Forgot your password?">
        <p>This AgentDesk sends no e-mail. Ask one of its admins for a password reset link: they make one on Admin → Users. It works once.</p>
        <p>
          <Link href="/sign-in" className={linkClass}>
            Back to sign in
          </Link>
        </p>
      </Message>
    );
  }
  const account = await resetLinkAccount(await getApp(), token);
  if (!account) {
    return (
      <Message title="This link no longer works">
        <p>It has been used already, has expired, or was replaced by a newer link. Ask an admin for a new one.</p>
        <p>
          <Link href="/sign-in" className={linkClass}>
            Back to sign in
          </Link>
        </p>
      </Message>
    );
  }
  return <ResetPasswordForm token={token} email={account.email} />;
}
