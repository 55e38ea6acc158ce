import { AppError } from "../errors";
import { knownModels } from "../modelPrices";
import type { App } from "../server/app";
import { duplicateRunSettings } from "./duplicateRun";
import { dependencyChoices, type CheckedDependency } from "./runDependencies";
import type { Principal } from "./principal";
import type { StoredRunSettings } from "./runSettings";

/** A duplicated run's settings, as the form prefills them. */
export type RunFormPrefill = StoredRunSettings & { from: string };

export type NewRunFormOptions = {
  /** Models to pick from for agent executors (any other id may be typed). */
  models: string[];
  defaultModel: string;
  /** The job processes' budget when a run names none (AGENT_BUDGET_USD as the web reads it). */
  defaultBudgetUsd: number;
  /** Set when the page was opened as /runs/new?from=<id> for a run the viewer may see. */
  prefill: RunFormPrefill | null;
  /** Why `from` could not be used (not found, not a run id), shown above the form. */
  prefillError: string | null;
  /** Recent runs of the team the new run may wait for (lib/contracts/runDependencies.ts). */
  dependencyChoices: CheckedDependency[];
};

/**
 * What the New run form needs beyond repositories and executors: the model list, the default
 * limits, and a duplicated run's settings (read with the same visibility check as the API:
 * another user's run is "not found", and the form opens empty saying so).
 */
export async function newRunFormOptions(app: Pick<App, "db" | "config">, principal: Principal, from: string | undefined): Promise<NewRunFormOptions> {
  const base = {
    models: knownModels(app.config),
    defaultModel: app.config.agentModel,
    defaultBudgetUsd: app.config.agentBudgetUsd,
    dependencyChoices: await dependencyChoices(app, principal),
  };
  if (!from) return { ...base, prefill: null, prefillError: null };
  try {
    const { settings } = await duplicateRunSettings(app, principal, from);
    const prefill: RunFormPrefill = { ...settings, from };
    return { ...base, prefill, prefillError: null };
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") {
      return { ...base, prefill: null, prefillError: "The run to duplicate was not found; the form starts empty." };
    }
    throw err;
  }
}
