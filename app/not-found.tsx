import type { Metadata } from "next";
import Link from "next/link";
import { Logo } from "@/components/Logo";
import { buttonClass } from "@/components/ui/styles";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 text-center">
      <Logo />
      <p className="mt-10 font-mono text-sm text-indigo-300">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-zinc-50">Nothing here</h1>
      <p className="mt-2 max-w-sm text-sm text-zinc-400">
        This page does not exist, or it belongs to another team. Runs are visible only to the members of their team.
      </p>
      <Link href="/" className={`${buttonClass("primary")} mt-8`}>
        Back to runs
      </Link>
    </main>
  );
}
