import { cardClass } from "../ui/styles";
import { Time } from "../ui/Time";
import { UserActions, type UserActionSet } from "./UserActions";

export type UserRow = {
  id: string;
  name: string;
  email: string;
  role: "admin" | "user";
  createdAt: string;
  disabledAt: string | null;
  lastSeenAt: string | null;
  runs: number;
  unfinishedRuns: number;
};

const columns = "sm:grid sm:grid-cols-[minmax(0,1.4fr)_5rem_7rem_7rem_4rem] sm:items-center sm:gap-4";

/** Every account; a table on wide screens, stacked cards on phones. */
export function UserTable({ users, selfId, actions }: { users: UserRow[]; selfId: string; actions: UserActionSet }) {
  return (
    <div className={`${cardClass} overflow-hidden`}>
      <div className={`${columns} hidden border-b border-zinc-800 bg-zinc-900 px-5 py-2 text-xs font-medium tracking-wide text-zinc-500 uppercase`}>
        <span>User</span>
        <span>Role</span>
        <span>Joined</span>
        <span>Last seen</span>
        <span className="text-right">Runs</span>
      </div>
      <ul data-testid="user-list" className="divide-y divide-zinc-800">
        {users.map((u) => (
          <li key={u.id} data-user={u.email} className={`${columns} flex flex-col gap-1 px-4 py-3 sm:px-5`}>
            <span className="min-w-0">
              <span className="block truncate font-medium text-zinc-100">
                {u.name}
                {u.id === selfId && <span className="ml-1.5 text-xs font-normal text-zinc-500">(you)</span>}
              </span>
              <span className="block truncate text-xs text-zinc-400">{u.email}</span>
              {u.disabledAt && (
                <span data-testid="user-disabled" className="mt-1 inline-block rounded-md bg-red-950/60 px-1.5 py-0.5 text-xs text-red-200 ring-1 ring-red-900/70">
                  Disabled <Time iso={u.disabledAt} />
                </span>
              )}
            </span>
            <span className="text-sm">
              <span className="text-zinc-500 sm:hidden">Role: </span>
              <span data-testid="user-role-label" className={u.role === "admin" ? "font-medium text-amber-200" : "text-zinc-300"}>
                {u.role}
              </span>
            </span>
            <span className="text-xs text-zinc-400">
              <span className="text-zinc-500 sm:hidden">Joined </span>
              <Time iso={u.createdAt} />
            </span>
            <span className="text-xs text-zinc-400">
              <span className="text-zinc-500 sm:hidden">Last seen </span>
              {u.lastSeenAt ? <Time iso={u.lastSeenAt} /> : "never"}
            </span>
            <span className="text-sm text-zinc-300 sm:text-right">
              <span className="text-zinc-500 sm:hidden">Runs: </span>
              {u.runs}
              {u.unfinishedRuns > 0 && <span className="block text-xs text-zinc-500">{u.unfinishedRuns} unfinished</span>}
            </span>
            <div className="pt-2 sm:col-span-5">
              <UserActions user={{ ...u, disabled: !!u.disabledAt }} self={u.id === selfId} actions={actions} />
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
