"use client";

import { teamRoleLabels, type TeamRole } from "@/lib/teamRoles";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass, inputClass } from "../ui/styles";

export type MemberRow = { userId: string; name: string; email: string; role: TeamRole; disabled: boolean };

const roleLook: Record<TeamRole, string> = {
  owner: "bg-indigo-950 text-indigo-300 ring-indigo-800",
  admin: "bg-violet-950 text-violet-300 ring-violet-800",
  member: "bg-zinc-800 text-zinc-200 ring-zinc-700",
  viewer: "bg-zinc-900 text-zinc-400 ring-zinc-700",
};

function RoleBadge({ role }: { role: TeamRole }) {
  return (
    <span data-testid="member-role" className={`rounded-md px-1.5 py-0.5 text-[10px] font-semibold tracking-wide uppercase ring-1 ring-inset ${roleLook[role]}`}>
      {role}
    </span>
  );
}

function RoleForm({ member, roles, action }: { member: MemberRow; roles: readonly TeamRole[]; action: FormAction<{ role: TeamRole }> }) {
  const { onSubmit, pending, error } = useFormAction(action);
  const id = `role-${member.userId}`;
  return (
    <form onSubmit={onSubmit} className="flex items-center gap-2">
      <input type="hidden" name="userId" value={member.userId} />
      <label htmlFor={id} className="sr-only">
        Role of {member.email}
      </label>
      <select id={id} name="role" defaultValue={member.role} className={`${inputClass(!!error)} w-32 py-1`}>
        {roles.map((r) => (
          <option key={r} value={r}>
            {teamRoleLabels[r]}
          </option>
        ))}
      </select>
      <button type="submit" disabled={pending} className={buttonClass("secondary", "sm")}>
        {pending ? "Saving…" : "Save"}
      </button>
      {error && (
        <span role="alert" className="text-xs text-red-300">
          {error}
        </span>
      )}
    </form>
  );
}

function RemoveForm({ member, self, action }: { member: MemberRow; self: boolean; action: FormAction<null> }) {
  const { onSubmit, pending, error } = useFormAction(action);
  const question = self ? "Leave this team? Its runs and repositories will no longer be yours to see." : `Remove ${member.email} from the team? Their API tokens for it stop working at once.`;
  return (
    <form
      onSubmit={(e) => {
        if (!window.confirm(question)) e.preventDefault();
        else onSubmit(e);
      }}
      className="flex flex-col items-end gap-1"
    >
      <input type="hidden" name="userId" value={member.userId} />
      <button type="submit" disabled={pending} className={buttonClass("danger", "sm")}>
        {pending ? "Removing…" : self ? "Leave" : "Remove"}
      </button>
      {error && (
        <p role="alert" className="text-xs text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}

/**
 * The team's members with their roles. Those who may manage a member (admins: members and
 * viewers; owners: everyone) get a role picker and Remove on that row; everyone may leave.
 */
export function MemberList({
  members,
  me,
  manageable,
  changeRole,
  remove,
}: {
  members: MemberRow[];
  me: string;
  /** The roles the viewer may give and take (lib/teamRoles.ts rolesManageableBy); none: read-only. */
  manageable: readonly TeamRole[];
  changeRole: FormAction<{ role: TeamRole }>;
  remove: FormAction<null>;
}) {
  return (
    <ul data-testid="member-list" className="divide-y divide-zinc-800">
      {members.map((m) => {
        const self = m.userId === me;
        const canManage = !self && manageable.includes(m.role);
        return (
          <li key={m.userId} data-member={m.email} className="flex flex-wrap items-center justify-between gap-3 py-3 first:pt-0 last:pb-0">
            <div className="min-w-0">
              <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-100">
                <span className="truncate">{m.name || m.email}</span>
                <RoleBadge role={m.role} />
                {self && <span className="text-xs text-zinc-500">you</span>}
                {m.disabled && <span className="text-xs text-amber-300">disabled</span>}
              </p>
              <p className="truncate text-xs text-zinc-500">{m.email}</p>
            </div>
            <div className="flex flex-wrap items-center gap-2">
              {canManage && <RoleForm member={m} roles={manageable} action={changeRole} />}
              {(canManage || self) && <RemoveForm member={m} self={self} action={remove} />}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
