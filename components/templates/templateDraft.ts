import type { StoredRunSettings } from "@/lib/services/runSettings";

/**
 * "Save as template" on the New run form: the form's values wait in this tab's sessionStorage
 * while the template editor opens (/templates/new?draft=1), which reads them once. A prompt may
 * be long, so not in the address.
 */
const DRAFT_KEY = "agentdesk:template-draft";
export const DRAFT_PARAM = "draft";

export function saveDraft(form: HTMLFormElement): void {
  const values: Record<string, string> = {};
  for (const [key, value] of new FormData(form).entries()) if (typeof value === "string" && key !== "idempotencyKey") values[key] = value;
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify(values));
}

const num = (v: string | undefined) => (v !== undefined && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined);
const text = (v: string | undefined) => (v !== undefined && v.trim() !== "" ? v : undefined);

/** The saved form's values as they were stored (a string, so React can compare snapshots). */
export const readDraft = (): string | null => sessionStorage.getItem(DRAFT_KEY);

/** The saved form's values as run settings (anything missing or odd is left to the form's defaults). */
export function draftSettings(raw: string): Partial<StoredRunSettings> | null {
  try {
    const v = JSON.parse(raw) as Record<string, string>;
    return {
      repo: text(v.repo),
      baseBranch: text(v.baseBranch),
      executor: text(v.executor),
      acpAgent: text(v.acpAgent),
      command: text(v.command),
      prompt: v.prompt,
      approvalMode: text(v.approvalMode),
      model: text(v.model),
      maxTurns: num(v.maxTurns),
      budgetUsd: num(v.budgetUsd),
      timeoutSec: num(v.timeoutSec),
      priority: text(v.priority),
    };
  } catch {
    return null;
  }
}
