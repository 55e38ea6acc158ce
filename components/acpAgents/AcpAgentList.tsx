import type { AcpAgentStatusView } from "@/lib/services/acpAgents";
import { ConfirmDeleteButton } from "../forms/ConfirmDeleteButton";
import type { FormAction } from "../forms/useFormAction";
import { cardClass } from "../ui/styles";
import { Time } from "../ui/Time";
import { AcpAgentForm } from "./AcpAgentForm";

/** Shell-like rendering of a launch line, for reading (arguments with spaces quoted). */
const launchLine = (command: string, args: string[]) =>
  [command, ...args].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`)).join(" ");

function Availability({ agent }: { agent: AcpAgentStatusView }) {
  if (agent.available) {
    return (
      <p data-availability="available" className="text-xs text-emerald-300">
        Ready on {agent.offeredBy.length === 1 ? "job process" : `${agent.offeredBy.length} job processes`}:{" "}
        <span className="font-mono">{agent.offeredBy.join(", ")}</span>
      </p>
    );
  }
  return (
    <p data-availability="unavailable" className="text-xs text-amber-300">
      {agent.unavailableReason}
    </p>
  );
}

/** The registered ACP agents, each with whether a live job process can start it, an edit form and Delete. */
export function AcpAgentList({
  agents,
  update,
  remove,
}: {
  agents: AcpAgentStatusView[];
  update: FormAction<{ name: string }>;
  remove: FormAction<null>;
}) {
  return (
    <ul data-testid="acp-agent-list" className={`${cardClass} divide-y divide-zinc-800`}>
      {agents.map((agent) => (
        <li key={agent.id} data-agent={agent.name} className="space-y-2 px-4 py-4 sm:px-5">
          <div className="flex flex-wrap items-start justify-between gap-3">
            <div className="min-w-0 space-y-1">
              <p className="font-medium text-zinc-100">
                <span className="font-mono">{agent.name}</span>
                {agent.description && <span className="ml-2 text-sm font-normal text-zinc-400">{agent.description}</span>}
              </p>
              <p className="font-mono text-xs break-all text-zinc-300" data-testid="launch-line">
                {launchLine(agent.command, agent.args)}
              </p>
              <p className="text-xs text-zinc-500">
                Receives:{" "}
                {agent.envNames.length ? <span className="font-mono text-amber-200">{agent.envNames.join(", ")}</span> : "no variables"}
                {" · "}added <Time iso={agent.createdAt} />
                {agent.createdBy && <> by {agent.createdBy}</>}
              </p>
              <Availability agent={agent} />
            </div>
            <ConfirmDeleteButton
              fields={{ name: agent.name }}
              confirm={`Delete the ACP agent “${agent.name}”? Runs can no longer pick it.`}
              label={`Delete ACP agent ${agent.name}`}
              action={remove}
            />
          </div>
          <details className="group">
            <summary className="cursor-pointer text-xs font-medium text-indigo-300 hover:text-indigo-200">Edit</summary>
            <div className="mt-3 rounded-lg border border-zinc-800 bg-zinc-950/50 p-4">
              <AcpAgentForm action={update} agent={agent} />
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}
