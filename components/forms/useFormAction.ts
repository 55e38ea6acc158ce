"use client";

import { startTransition, useActionState } from "react";
import type { ActionResult } from "@/lib/http/action";

export type FormAction<T> = (previous: ActionResult<T>, form: FormData) => Promise<ActionResult<T>>;

/**
 * Runs a server action from a form's submit handler. Unlike `<form action>`, React does not
 * reset the form afterwards, so a rejected submit keeps what the user typed.
 */
export function useFormAction<T>(action: FormAction<T>) {
  const [result, dispatch, pending] = useActionState(action, null);
  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => dispatch(form));
  };
  const fieldErrors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  const error = result && !result.ok ? result.error : null;
  return { result, onSubmit, pending, fieldErrors, error };
}
