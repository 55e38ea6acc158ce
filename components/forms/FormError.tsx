"use client";

import { useEffect, useRef } from "react";
import { noticeClass } from "../ui/styles";

/**
 * A form's error, announced (role="alert") and brought into view when it appears: a form's
 * error sits above its fields, and someone who pressed the button at the bottom of a long form
 * would otherwise not see it (or see it hidden under the sticky header). scroll-margin keeps it
 * clear of that header.
 */
export function FormError({ message }: { message?: string | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) ref.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [message]);
  if (!message) return null;
  return (
    <div ref={ref} role="alert" data-form-error className={`scroll-mt-24 ${noticeClass("error")}`}>
      {message}
    </div>
  );
}
