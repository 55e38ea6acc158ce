import type { McpServerView } from "@/lib/services/mcpServers";
import { ConfirmDeleteButton } from "../forms/ConfirmDeleteButton";
import type { FormAction } from "../forms/useFormAction";
import { McpServerForm } from "./McpServerForm";

function target(server: McpServerView): string {
  return server.transport === "stdio" ? [server.command, ...server.args].join(" ") : server.url;
}

/** A repository's MCP servers (every run on it gets them), with Delete, and the form to add one. */
export function McpServers({
  repo,
  servers,
  add,
  remove,
}: {
  repo: string;
  servers: McpServerView[];
  add: FormAction<{ name: string; warning: string | null }>;
  remove: FormAction<null>;
}) {
  return (
    <details className="group" data-mcp-servers-of={repo}>
      <summary className="cursor-pointer text-xs font-medium text-zinc-400 hover:text-zinc-200">
        MCP servers ({servers.length}) <span className="font-normal text-zinc-500">given to every run on {repo}, whatever its executor</span>
      </summary>
      <div className="mt-3 space-y-4 rounded-lg border border-zinc-800 bg-zinc-950/50 p-4">
        {servers.length ? (
          <ul className="divide-y divide-zinc-800" data-testid="mcp-server-list">
            {servers.map((s) => (
              <li key={s.id} data-mcp-server={s.name} className="flex flex-wrap items-start justify-between gap-3 py-2">
                <div className="min-w-0 space-y-0.5">
                  <p className="text-sm text-zinc-100">
                    <span className="font-mono">{s.name}</span> <span className="text-xs text-zinc-500">{s.transport}</span>
                  </p>
                  <p className="font-mono text-xs break-all text-zinc-400">{target(s)}</p>
                  {s.envNames.length > 0 && (
                    <p className="text-xs text-zinc-500">
                      Receives: <span className="font-mono text-amber-200">{s.envNames.join(", ")}</span>
                    </p>
                  )}
                  {s.warning && <p className="text-xs text-amber-300">{s.warning}</p>}
                </div>
                <ConfirmDeleteButton
                  fields={{ repo, server: s.name }}
                  confirm={`Remove the MCP server “${s.name}” from ${repo}? Runs already queued keep it.`}
                  label={`Delete MCP server ${s.name}`}
                  action={remove}
                />
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-xs text-zinc-500">None yet.</p>
        )}
        <McpServerForm repo={repo} action={add} />
      </div>
    </details>
  );
}
