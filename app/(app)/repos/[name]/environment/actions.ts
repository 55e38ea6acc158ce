"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { environmentSpec } from "@/lib/contracts/environment";
import { authedAction } from "@/lib/http/action";
import { deleteEnvironment, environmentFields, setEnvironment } from "@/lib/services/environments";

/**
 * The environment form's values as the API's fields: lists come as one text each (split by the
 * same schemas), secret files as `files.<n>.path` / `files.<n>.env` pairs, the checkbox as
 * present or not. An empty field was left out by the form wrapper, so it takes its default.
 */
function fromForm(value: unknown): unknown {
  if (!value || typeof value !== "object") return value;
  const values = value as Record<string, string>;
  const files: { path?: string; env?: string }[] = [];
  const checks: Record<string, { name?: string; command?: string; timeoutSec?: string | number }[]> = { pre: [], post: [], onError: [] };
  for (const [name, text] of Object.entries(values)) {
    const match = /^files\.(\d{1,2})\.(path|env)$/.exec(name);
    if (match) (files[Number(match[1])] ??= {})[match[2] as "path" | "env"] = text.trim();
    const check = /^checks\.(pre|post|onError)\.(\d{1,2})\.(name|command|timeoutSec)$/.exec(name);
    if (check) {
      const row = (checks[check[1]!]![Number(check[2])] ??= {});
      // A timeout the form left blank takes the default; anything else is checked as a number.
      if (check[3] === "timeoutSec") row.timeoutSec = text.trim() === "" ? undefined : /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
      else row[check[3] as "name" | "command"] = text;
    }
  }
  return {
    repo: values.repo,
    setupScript: values.setupScript,
    maintenanceScript: values.maintenanceScript,
    setupHosts: values.setupHosts ?? [],
    setupEnvNames: values.setupEnvNames ?? [],
    cacheKeyFiles: values.cacheKeyFiles ?? [],
    files: files.filter(Boolean),
    useRepositoryFile: values.useRepositoryFile === "on",
    checks: Object.fromEntries(Object.entries(checks).map(([phase, rows]) => [phase, rows.filter(Boolean)])),
    checkHosts: values.checkHosts ?? [],
    checkEnvNames: values.checkEnvNames ?? [],
  };
}

const environmentForm = z.preprocess(fromForm, environmentFields.extend({ repo: z.string().min(1) }));

export const saveEnvironmentAction = authedAction(environmentForm, async (principal, { repo, ...fields }, app) => {
  const saved = await setEnvironment(app, principal, repo, environmentSpec.parse(fields));
  refresh();
  return { updatedAt: saved.updatedAt };
});

export const removeEnvironmentAction = authedAction(z.object({ repo: z.string().min(1) }), async (principal, { repo }, app) => {
  await deleteEnvironment(app, principal, repo);
  refresh();
  return null;
});
