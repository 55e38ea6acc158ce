import Link from "next/link";
import type { TemplateView } from "@/lib/services/templates";
import { ConfirmDeleteButton } from "../forms/ConfirmDeleteButton";
import type { FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

/** The team's run templates: what each runs, its variables, and Use / Edit / Delete. */
export function TemplateList({
  templates,
  manageable,
  remove,
  mayStart,
}: {
  templates: TemplateView[];
  /** The templates this person may edit or delete (their own; every one for a team admin). */
  manageable: ReadonlySet<string>;
  remove: FormAction<null>;
  /** Whether this person may start runs (a viewer may not). */
  mayStart: boolean;
}) {
  return (
    <ul data-testid="templates" className="divide-y divide-zinc-800">
      {templates.map((t) => (
        <li key={t.id} data-testid="template" className="flex flex-wrap items-start justify-between gap-3 py-3 first:pt-0 last:pb-0">
          <div className="min-w-0 flex-1 space-y-1">
            <p className="text-sm font-medium break-words text-zinc-100">{t.name}</p>
            {t.description && <p className="text-sm break-words text-zinc-300">{t.description}</p>}
            <p className="text-xs break-all text-zinc-500">
              <span className="font-mono">{t.repo ?? "(removed repository)"}</span> with <span className="font-mono">{t.run.executor}</span>
              {t.run.executor === "cli" && t.run.command && (
                <>
                  : <code className="font-mono">{t.run.command.split("\n")[0]}</code>
                </>
              )}
              {t.createdByEmail && <> · by {t.createdByEmail}</>}
            </p>
            <p className="text-xs text-zinc-500">
              {t.variables.length === 0 ? (
                "no variables"
              ) : (
                <>
                  variables{" "}
                  {t.variables.map((v, i) => (
                    <span key={v.name}>
                      {i > 0 && ", "}
                      <code className="font-mono text-zinc-300">{v.name}</code>
                      {v.required && <span title="required">*</span>}
                    </span>
                  ))}
                </>
              )}
            </p>
            {t.repo === null && <p className="text-xs text-amber-300">Its repository was removed: edit it to choose another before using it.</p>}
          </div>
          <div className="flex flex-wrap items-start gap-2">
            {mayStart && t.repo !== null && (
              <Link href={`/runs/new?template=${t.id}`} className={buttonClass("primary", "sm")} aria-label={`Use template ${t.name}`}>
                Use
              </Link>
            )}
            {manageable.has(t.id) && (
              <>
                <Link href={`/templates/${t.id}`} className={buttonClass("secondary", "sm")} aria-label={`Edit template ${t.name}`}>
                  Edit
                </Link>
                <ConfirmDeleteButton
                  fields={{ id: t.id }}
                  confirm={`Delete the template “${t.name}”? Schedules made from it are switched off.`}
                  label={`Delete template ${t.name}`}
                  action={remove}
                />
              </>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
