"use client";

import { useMemo, useSyncExternalStore } from "react";
import { NewRunForm, type TemplateFormFields } from "../runs/NewRunForm";
import { draftSettings, readDraft } from "./templateDraft";

type Props = Omit<React.ComponentProps<typeof NewRunForm>, "template" | "prefill" | "prefillError" | "dependencyChoices"> & {
  template: TemplateFormFields;
  /** Opened from the New run form's "Save as template": start from what that form held. */
  fromDraft: boolean;
};

const noSubscription = () => () => {};

/** The New run form's fields as a template's editor (new, or an existing template). */
export function TemplateEditor({ template, fromDraft, ...form }: Props) {
  // The draft lives in this tab's sessionStorage: none on the server, read once hydrated.
  const raw = useSyncExternalStore(noSubscription, () => (fromDraft ? readDraft() : null), () => null);
  const settings = useMemo(() => (raw ? draftSettings(raw) : null), [raw]);
  // The form keeps its state from its first values: a draft opens it anew with the draft's.
  return <NewRunForm key={settings ? "draft" : "blank"} {...form} template={{ ...template, settings: settings ?? template.settings }} prefill={null} prefillError={null} dependencyChoices={[]} />;
}
