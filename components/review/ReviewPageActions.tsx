"use client";

import { useRouter } from "next/navigation";
import { useCallback } from "react";
import type { ReviewFormAction } from "./DecisionForm";
import { ReviewActions, type ReviewOptions } from "./ReviewActions";

/** The review view's decisions: once one is made, the run page shows what follows live. */
export function ReviewPageActions(props: { runId: string; error: string | null; options: ReviewOptions; decide: ReviewFormAction }) {
  const router = useRouter();
  const onDecided = useCallback(() => router.push(`/runs/${props.runId}`), [router, props.runId]);
  return <ReviewActions {...props} onDecided={onDecided} />;
}
