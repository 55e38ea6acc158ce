"use client";

import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { inputClass } from "../ui/styles";
import { SecretBox } from "./SecretBox";

/** A new incoming webhook of a repository: its template and what starts a run. */
export function CreateInboundForm({
  repo,
  templates,
  action,
}: {
  repo: string;
  templates: { id: string; name: string }[];
  action: FormAction<{ secret: string; url: string }>;
}) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  const ruleError = fieldErrors.rules ?? fieldErrors["rules.issueLabel"] ?? fieldErrors["rules.mention"];
  return (
    <div className="space-y-4">
      {result?.ok && <SecretBox url={result.data.url} secret={result.data.secret} what="Incoming webhook made. Give the sender this URL and secret (on GitHub: Settings → Webhooks, content type application/json)." />}
      <form ref={form} onSubmit={onSubmit} noValidate className="space-y-4" data-create-inbound>
        <input type="hidden" name="repo" value={repo} />
        <FormError message={error} />
        <Field id="templateId" label="Run template" error={fieldErrors.templateId} hint="Its prompt gets issue.title, issue.body, issue.number, issue.url, comment.body, repository and sender, where it declares them.">
          <select id="templateId" name="templateId" defaultValue={templates[0]?.id ?? ""} className={inputClass(!!fieldErrors.templateId)} {...describedBy("templateId", fieldErrors.templateId)}>
            {templates.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </Field>
        <div className="flex flex-col gap-3 sm:flex-row">
          <Field id="issueLabel" label="GitHub issue labelled" error={fieldErrors["rules.issueLabel"]} hint="Optional: a label name." className="flex-1">
            <input id="issueLabel" name="issueLabel" placeholder="agentdesk" className={inputClass(!!fieldErrors["rules.issueLabel"])} {...describedBy("issueLabel", fieldErrors["rules.issueLabel"])} />
          </Field>
          <Field id="mention" label="GitHub comment mentioning" error={fieldErrors["rules.mention"]} hint="Optional: bots' comments never count." className="flex-1">
            <input id="mention" name="mention" placeholder="@agentdesk" className={inputClass(!!fieldErrors["rules.mention"], true)} {...describedBy("mention", fieldErrors["rules.mention"])} />
          </Field>
        </div>
        <label className="flex min-h-11 items-center gap-2.5 text-sm text-zinc-300">
          <input type="checkbox" name="direct" className="size-4 rounded border-zinc-600 bg-zinc-950 accent-indigo-500" />
          Direct calls: a POST signed with AgentDesk-Signature, body {"{ \"variables\": { … } }"}
        </label>
        {ruleError && !fieldErrors["rules.issueLabel"] && !fieldErrors["rules.mention"] && <p className="text-sm text-red-400">{ruleError}</p>}
        <SubmitButton pending={pending} pendingText="Creating…">
          Create incoming webhook
        </SubmitButton>
      </form>
    </div>
  );
}
