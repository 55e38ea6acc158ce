import type { EnvironmentSpec } from "@/lib/contracts/environment";
import type { McpServerView } from "@/lib/services/mcpServers";
import type { RepoCheckView, RepoUsage, RepoView } from "@/lib/services/repos";
import { ConfirmDeleteButton } from "../forms/ConfirmDeleteButton";
import { countOf } from "@/lib/plural";
import { EnvironmentLink } from "../environments/EnvironmentLink";
import { InboundLink } from "../webhooks/InboundLink";
import type { FormAction } from "../forms/useFormAction";
import { McpServers } from "./McpServers";
import { NetworkHostsForm } from "./NetworkHostsForm";
import { RepoEditForm } from "./RepoEditForm";
import { TestConnectionButton } from "./TestConnectionButton";
import { cardClass } from "../ui/styles";
import { Time } from "../ui/Time";

const columns = "sm:grid sm:grid-cols-[10rem_minmax(0,1fr)_8rem_14rem] sm:items-center sm:gap-4";

/** Registered repositories; a table on wide screens, stacked cards on phones. */
/** What the browser asks before deleting: what is refused, removed and kept. */
function deleteQuestion(name: string, usage: RepoUsage): string {
  const lines = [`Delete the repository "${name}"?`];
  if (usage.activeRuns > 0) lines.push(`It has ${countOf(usage.activeRuns, "unfinished run")}: the delete is refused until they are cancelled or finished.`);
  lines.push(
    usage.schedules > 0
      ? `Its ${countOf(usage.schedules, "schedule")}, MCP servers, environment and approval rules are deleted.`
      : "Its MCP servers, environment and approval rules are deleted.",
  );
  const finished = usage.finishedRuns;
  if (finished > 0) lines.push(`Its ${countOf(finished, "finished run")} stay readable; nobody can start new runs on it.`);
  return lines.join("\n\n");
}

export function RepoTable({
  repos,
  setNetworkHosts,
  mcpServers,
  environments,
  admin,
}: {
  repos: RepoView[];
  /** Edit, test and delete: each repository's usage (for the delete question) and the actions. */
  admin: {
    usage: Record<string, RepoUsage>;
    update: FormAction<{ name: string }>;
    test: FormAction<RepoCheckView>;
    remove: FormAction<null>;
  };
  /** Each repository's environment by name (absent: none set). */
  environments: Record<string, EnvironmentSpec | "invalid">;
  setNetworkHosts: FormAction<{ networkHosts: string[] }>;
  /** Each repository's MCP servers, and the actions to add and remove them. */
  mcpServers: {
    of: Record<string, McpServerView[]>;
    add: FormAction<{ name: string; warning: string | null }>;
    remove: FormAction<null>;
  };
}) {
  return (
    <div className={`${cardClass} overflow-hidden`}>
      <div className={`${columns} hidden border-b border-zinc-800 bg-zinc-900 px-5 py-2 text-xs font-medium tracking-wide text-zinc-500 uppercase`}>
        <span>Name</span>
        <span>URL</span>
        <span>Default branch</span>
        <span className="text-right">Credential variable</span>
      </div>
      <ul data-testid="repo-list" className="divide-y divide-zinc-800">
        {repos.map((r) => (
          <li key={r.id} data-repo={r.name} className={`${columns} flex flex-col gap-1 px-4 py-3 sm:px-5`}>
            <span className="font-medium text-zinc-100">
              {r.name}
              <span className="block text-xs font-normal text-zinc-500">
                added <Time iso={r.createdAt.toISOString()} />
              </span>
            </span>
            <span className="min-w-0 truncate font-mono text-xs text-zinc-400" title={r.url}>
              {r.url}
              {r.githubRepo && <span className="block font-sans text-zinc-500">pull requests on GitHub: {r.githubRepo}</span>}
            </span>
            <span className="font-mono text-xs text-zinc-300">
              <span className="font-sans text-zinc-500 sm:hidden">default branch </span>
              {r.defaultBranch}
            </span>
            <span className="text-xs sm:text-right">
              {r.credentialEnv ? <span className="font-mono text-amber-200">{r.credentialEnv}</span> : <span className="text-zinc-600">none</span>}
            </span>
            <div className="flex flex-wrap items-start gap-3 sm:col-span-4">
              <details className="min-w-0 flex-1 basis-72 rounded-lg border border-zinc-800 px-3 py-2" data-testid="repo-edit">
                <summary className="cursor-pointer text-sm font-medium text-zinc-200">Edit</summary>
                <div className="pt-3">
                  <RepoEditForm repo={r} action={admin.update} />
                </div>
              </details>
              <div className="min-w-0 flex-1 basis-72" data-testid="repo-test" data-repo-test-of={r.name}>
                <TestConnectionButton repo={r.name} action={admin.test} />
              </div>
              <ConfirmDeleteButton
                fields={{ repo: r.name }}
                confirm={deleteQuestion(r.name, admin.usage[r.name] ?? { activeRuns: 0, finishedRuns: 0, schedules: 0 })}
                label={`Delete repository ${r.name}`}
                action={admin.remove}
              />
            </div>
            <div className="sm:col-span-4">
              <EnvironmentLink repo={r.name} spec={environments[r.name]} />
            </div>
            <div className="sm:col-span-4">
              <InboundLink repo={r.name} />
            </div>
            <div className="sm:col-span-4">
              <NetworkHostsForm repo={r.name} hosts={r.networkHosts} action={setNetworkHosts} />
            </div>
            <div className="sm:col-span-4">
              <McpServers repo={r.name} servers={mcpServers.of[r.name] ?? []} add={mcpServers.add} remove={mcpServers.remove} />
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
