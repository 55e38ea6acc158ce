import type { RepoView } from "@/lib/services/repos";
import { cardClass } from "../ui/styles";
import { Time } from "../ui/Time";

/** Registered repositories; a table on wide screens, stacked cards on phones. */
export function RepoTable({ repos }: { repos: RepoView[] }) {
  return (
    <ul data-testid="repo-list" className={`${cardClass} divide-y divide-zinc-800`}>
      {repos.map((r) => (
        <li key={r.id} data-repo={r.name} className="grid gap-1 px-4 py-3 sm:grid-cols-[10rem_minmax(0,1fr)_8rem_10rem] sm:items-center sm:gap-4 sm:px-5">
          <span className="font-medium text-zinc-100">{r.name}</span>
          <span className="truncate font-mono text-xs text-zinc-400" title={r.url}>{r.url}</span>
          <span className="font-mono text-xs text-zinc-300">
            <span className="text-zinc-500 sm:hidden">default </span>
            {r.defaultBranch}
          </span>
          <span className="text-xs text-zinc-400 sm:text-right">
            {r.credentialEnv ? <span className="font-mono text-amber-200">{r.credentialEnv}</span> : <span className="text-zinc-600">no credential</span>}
            <span className="text-zinc-600"> · added </span>
            <Time iso={r.createdAt.toISOString()} />
          </span>
        </li>
      ))}
    </ul>
  );
}
