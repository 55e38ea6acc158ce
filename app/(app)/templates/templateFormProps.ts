import type { App } from "@/lib/server/app";
import type { Principal } from "@/lib/services/principal";
import { executorChoices } from "@/lib/services/executorChoice";
import { newRunFormOptions } from "@/lib/services/newRunForm";
import { listRepos } from "@/lib/services/repos";

/** What the template editor needs, as the New run form does: repositories, executors, models, limits. */
export async function templateFormProps(app: App, principal: Principal) {
  const [repos, options] = await Promise.all([listRepos(app, principal), newRunFormOptions(app, principal, undefined)]);
  const choices = await executorChoices(app).catch((e: unknown) => {
    // A template is saved for later: with the adverts unreadable, every executor is still offered by name.
    console.error("[templates] could not read job process adverts:", (e as Error).message);
    return executorChoices(app, []);
  });
  return {
    repos: repos.map((r) => ({ name: r.name, defaultBranch: r.defaultBranch })),
    executors: choices.executors,
    acpAgents: choices.acpAgents,
    maxTimeoutSec: app.config.runTimeoutMaxSec,
    models: options.models,
    defaultModel: options.defaultModel,
    defaultBudgetUsd: options.defaultBudgetUsd,
  };
}
