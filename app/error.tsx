"use client";

import Link from "next/link";
import { useEffect } from "react";
import { Logo } from "@/components/Logo";
import { buttonClass } from "@/components/ui/styles";

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  return (
    <main className="flex min-h-[70dvh] flex-col items-center justify-center px-4 text-center">
      <Logo withName={false} />
      <h1 className="mt-6 text-2xl font-semibold text-zinc-50">Something went wrong</h1>
      <p className="mt-2 max-w-sm text-sm text-zinc-400">
        The page could not be shown. It has been logged{digest ? <> (reference <span className="font-mono text-zinc-300">{digest}</span>)</> : null}. Trying again often helps when the database or Redis was briefly away.
      </p>
      <div className="mt-8 flex gap-3">
        <button type="button" onClick={() => retry()} className={buttonClass("primary")}>
          Try again
        </button>
        <Link href="/" className={buttonClass("secondary")}>
          Back to runs
        </Link>
      </div>
    </main>
  );
}
