"use client";

import { useEffect, useRef } from "react";
import type { ActionResult } from "@/lib/http/action";

/** Clears a form once its action has succeeded (a failed one keeps the input for correcting). */
export function useResetOnSuccess(result: ActionResult<unknown>) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok) form.current?.reset();
  }, [result]);
  return form;
}
