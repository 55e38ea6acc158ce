"use client";

import { useRouter } from "next/navigation";
import { buttonClass } from "../ui/styles";
import { DRAFT_PARAM, saveDraft } from "./templateDraft";

/** On the New run form: opens the template editor with what the form holds now. */
export function SaveAsTemplateButton() {
  const router = useRouter();
  return (
    <button
      type="button"
      className={buttonClass("secondary")}
      onClick={(e) => {
        const form = e.currentTarget.form;
        if (!form) return;
        saveDraft(form);
        router.push(`/templates/new?${DRAFT_PARAM}=1`);
      }}
    >
      Save as template
    </button>
  );
}
