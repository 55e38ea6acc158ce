import type { Metadata } from "next";
import { AdminNav } from "@/components/admin/AdminNav";
import { UserTable } from "@/components/admin/UserTable";
import { AdminsOnly } from "@/components/AdminsOnly";
import { PageHeader } from "@/components/ui/PageHeader";
import { requireAdmin } from "@/lib/server/pageAuth";
import { listUsers } from "@/lib/services/users";
import { createResetLinkAction, removeUserAction, setDisabledAction, setRoleAction } from "./actions";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const ctx = await requireAdmin();
  if (!ctx) return <AdminsOnly what="The list of users" />;
  const users = await listUsers(ctx.app, ctx.principal);
  return (
    <div className="space-y-6">
      <PageHeader
        title="Users"
        description="Everyone with an account. There is always at least one admin who can sign in. Disabling ends a person's sessions and API tokens at once and keeps their runs; removing deletes the account with its runs. Without an e-mail server, a forgotten password is reset with a one-time link you create here."
      />
      <AdminNav current="/admin/users" />
      <UserTable
        users={users.map((u) => ({
          ...u,
          createdAt: u.createdAt.toISOString(),
          disabledAt: u.disabledAt?.toISOString() ?? null,
          lastSeenAt: u.lastSeenAt?.toISOString() ?? null,
        }))}
        selfId={ctx.principal.userId}
        actions={{ setRole: setRoleAction, setDisabled: setDisabledAction, remove: removeUserAction, resetLink: createResetLinkAction }}
      />
    </div>
  );
}
