import Link from "next/link";
import { signInPathFor } from "@/lib/returnTo";
import { cardClass, linkClass } from "../ui/styles";

/** What the sign-up page says instead of a form: sign-up needs an invitation, or this one is no good. */
export function SignUpClosed({ title, message, returnTo = "/", children }: { title: string; message: string; returnTo?: string; children?: React.ReactNode }) {
  return (
    <div data-testid="sign-up-closed" className={`${cardClass} p-6 shadow-2xl shadow-black/40`}>
      <h1 className="text-xl font-semibold text-zinc-50">{title}</h1>
      <p className="mt-2 text-sm text-zinc-300">{message}</p>
      {children ? <div className="mt-6">{children}</div> : null}
      <p className="mt-6 text-center text-sm text-zinc-400">
        Already have an account? <Link href={signInPathFor(returnTo)} className={linkClass}>Sign in</Link>
      </p>
    </div>
  );
}
