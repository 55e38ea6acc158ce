import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { RunLive } from "@/components/runs/RunLive";
import { orNotFound, requirePrincipal } from "@/lib/server/pageAuth";
import { getReview } from "@/lib/services/review";
import { getRun } from "@/lib/services/runs";
import { cancelRunAction, retryRunAction, reviewRunAction } from "./actions";

// One read per request, shared by the title and the page.
const loadRun = cache(async (id: string) => {
  const { app, principal } = await requirePrincipal();
  const run = await orNotFound(getRun(app, principal, id));
  return { run, review: await getReview(app, principal, id) };
});

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { run } = await loadRun((await params).id);
  return { title: run.title };
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { run, review } = await loadRun((await params).id);
  const { pendingInputs, ...record } = run;
  return (
    <div className="mx-auto max-w-5xl">
      <Link href="/" className="mb-4 inline-block text-sm text-zinc-400 hover:text-zinc-200">
        ← All runs
      </Link>
      <RunLive initial={record} pendingInputs={pendingInputs} cancelAction={cancelRunAction} retryAction={retryRunAction} review={review} reviewAction={reviewRunAction} />
    </div>
  );
}
