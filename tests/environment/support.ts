import crypto from "node:crypto";
import type { EnvironmentSpec } from "../../lib/contracts/environment";
import { environmentSpec } from "../../lib/contracts/environment";
import type { EventBodyInput } from "../../lib/events";
import { loadConfig } from "../../lib/config";
import { prepareEnvironment, type PrepareEnvironmentOptions, type PreparedEnvironment } from "../../jobs/environment/prepare";
import { prepareWorkspace, releaseWorkspace, type PrepareWorkspaceOptions, type Workspace } from "../../jobs/workspace";

/**
 * A run's workspace and its environment step, without the queue: a real checkout of a test
 * repository, the real sandbox, the real cache under the test file's DATA_DIR. Events are
 * collected in memory.
 */
export type EnvironmentAttempt = {
  workspace: Workspace;
  events: EventBodyInput[];
  result: PreparedEnvironment | null;
  error: unknown;
};

const config = loadConfig();
const open: Workspace[] = [];

/** A spec as the web would put it in the run job (defaults filled in). */
export function spec(fields: Partial<EnvironmentSpec>): EnvironmentSpec {
  return environmentSpec.parse(fields);
}

export async function openWorkspace(repoUrl: string, options: Partial<PrepareWorkspaceOptions> & { repoName?: string } = {}): Promise<Workspace> {
  const runId = options.runId ?? `env${crypto.randomBytes(5).toString("hex")}`;
  const ws = await prepareWorkspace({
    dataDir: config.dataDir,
    allowLocalRepos: true,
    runId,
    repo: { name: options.repoName ?? "env-repo", url: repoUrl },
    branch: options.branch ?? `agentdesk/env-${runId.toLowerCase()}`,
    baseBranch: "main",
    ...options,
  });
  open.push(ws);
  return ws;
}

/** Prepares the environment of a fresh workspace (or `workspace`), collecting its events; never throws. */
export async function prepareIn(
  repoUrl: string,
  environment: EnvironmentSpec | null,
  options: { workspace?: Workspace; repoName?: string; signal?: AbortSignal; env?: Record<string, string | undefined>; credentialEnv?: string } & Partial<
    Pick<PrepareEnvironmentOptions, "cacheHooks" | "secrets">
  > = {},
): Promise<EnvironmentAttempt> {
  const workspace = options.workspace ?? (await openWorkspace(repoUrl, { repoName: options.repoName }));
  const events: EventBodyInput[] = [];
  const attempt: EnvironmentAttempt = { workspace, events, result: null, error: null };
  try {
    attempt.result = await prepareEnvironment({
      payload: { repo: { name: options.repoName ?? "env-repo", url: repoUrl, credentialEnv: options.credentialEnv ?? null, networkHosts: [] }, environment },
      workspace,
      emit: async (e) => {
        events.push(e);
      },
      signal: options.signal ?? new AbortController().signal,
      secrets: options.secrets ?? [],
      config,
      cacheHooks: options.cacheHooks,
      env: options.env,
    });
  } catch (e) {
    attempt.error = e;
  }
  return attempt;
}

/** The script's output under the environment step, stdout and stderr together. */
export function stepOutput(events: EventBodyInput[]): string {
  const started = events.find((e) => e.type === "environment.started");
  const stepId = started && started.type === "environment.started" ? started.stepId : null;
  return events.flatMap((e) => (e.type === "log" && e.callId === stepId && e.stream ? [e.message] : [])).join("");
}

/** The lines said under the step that are not the script's output. */
export function stepNotes(events: EventBodyInput[]): string[] {
  return events.flatMap((e) => (e.type === "log" && e.callId?.startsWith("env_") && !e.stream ? [e.message] : []));
}

export function ofKind<T extends EventBodyInput["type"]>(events: EventBodyInput[], type: T): Extract<EventBodyInput, { type: T }>[] {
  return events.filter((e) => e.type === type) as Extract<EventBodyInput, { type: T }>[];
}

export async function releaseAll(): Promise<void> {
  for (const ws of open.splice(0)) await releaseWorkspace(ws, { endRun: true }).catch(() => undefined);
}

export const testConfig = config;

/** `npm ci` against the registry stand-in, keyed by the lock file. */
export const npmCiSpec = (registry: { host: string }) => spec({ setupScript: "npm ci", setupHosts: [registry.host], cacheKeyFiles: ["package-lock.json"] });
