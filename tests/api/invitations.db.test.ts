import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { DELETE as revokeInvitation } from "@/app/api/invitations/[id]/route";
import { GET as listInvitations, POST as createInvitation } from "@/app/api/invitations/route";
import { invitation, teamMember, user } from "@/lib/db/schema";
import { call, cookieHeader, getApp, randomIp, signUp, type Session } from "../support/web";

type Created = { id: string; token: string; url: string; email: string | null; teamRole: string; status: string };
type Listed = { id: string; status: string; email: string | null; teamRole: string; usedBy: string | null; createdBy: string | null };

/** A sign-up through better-auth's raw route, from its own client address. */
function rawSignUp(email: string, invitationToken?: string, extra: Record<string, unknown> = {}) {
  return call(authPost, "/api/auth/sign-up/email", {
    body: { email, password: "correct horse battery", name: email.split("@")[0], invitation: invitationToken, ...extra },
    peer: randomIp(),
  });
}

async function errorMessage(res: Response): Promise<string> {
  return ((await res.json()) as { message: string }).message;
}

async function roleOf(email: string): Promise<string | undefined> {
  const { db } = await getApp();
  const [row] = await db.select({ role: user.role }).from(user).where(eq(user.email, email));
  return row?.role;
}

async function teamRoleOf(email: string): Promise<string | undefined> {
  const { db } = await getApp();
  const [row] = await db.select({ role: teamMember.role }).from(teamMember).innerJoin(user, eq(user.id, teamMember.userId)).where(eq(user.email, email));
  return row?.role;
}

async function invite(admin: Session, body: Record<string, unknown> = {}): Promise<Created> {
  const res = await call(createInvitation, "/api/invitations", { as: admin, body });
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

describe("closed sign-up with invitations", () => {
  let admin: Session;
  let member: Session;

  beforeAll(async () => {
    // Two "first" accounts at once, neither invited: exactly one gets in, as admin.
    const [a, b] = await Promise.all([rawSignUp("race-a@example.com"), rawSignUp("race-b@example.com")]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 403]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(await errorMessage(loser)).toMatch(/by invitation only/);
    const json = (await winner.json()) as { user: { id: string; email: string } };
    admin = { cookie: cookieHeader(winner), userId: json.user.id, email: json.user.email };
    expect(await roleOf(admin.email)).toBe("admin");
    const { db } = await getApp();
    expect(await db.select().from(user)).toHaveLength(1);
    member = await signUp("member@example.com");
  });

  it("refuses a sign-up without an invitation with a clear 403, also for a taken address", async () => {
    const res = await rawSignUp("walk-in@example.com");
    expect(res.status).toBe(403);
    expect(await errorMessage(res)).toBe("Sign-up is by invitation only. Ask an admin of this AgentDesk for an invitation link.");
    // An existing address gets the same answer (not "already exists"): no account enumeration.
    const taken = await rawSignUp(admin.email);
    expect(taken.status).toBe(403);
    expect(await roleOf("walk-in@example.com")).toBeUndefined();
  });

  it("lets only admins create, list and revoke invitations", async () => {
    expect((await call(createInvitation, "/api/invitations", { body: {} })).status).toBe(401);
    expect((await call(createInvitation, "/api/invitations", { as: member, body: {} })).status).toBe(403);
    expect((await call(listInvitations, "/api/invitations", { as: member })).status).toBe(403);
    const created = await invite(admin);
    const attempt = await call(revokeInvitation, `/api/invitations/${created.id}`, { method: "DELETE", as: member, params: { id: created.id } });
    expect(attempt.status).toBe(403);
    // A member cannot mint an invitation by other means either: still pending, still usable.
    expect((await rawSignUp("via-admin-link@example.com", created.token)).status).toBe(200);
  });

  it("shows the token once and stores only its hash", async () => {
    const created = await invite(admin, { email: "Hash@Example.com", role: "user", expiresInHours: 2 });
    expect(created.token).toMatch(/^adi_[A-Za-z0-9_-]{43}$/);
    expect(created.url).toBe(`http://localhost:3999/sign-up?invite=${created.token}`);
    expect(created.email).toBe("hash@example.com");
    const { db } = await getApp();
    const [stored] = await db.select().from(invitation).where(eq(invitation.id, created.id));
    expect(JSON.stringify(stored)).not.toContain(created.token);
    expect(stored!.expiresAt.getTime() - Date.now()).toBeGreaterThan(2 * 3600_000 - 60_000);
    const list = (await (await call(listInvitations, "/api/invitations", { as: admin })).json()) as { invitations: Listed[] };
    const listed = list.invitations.find((i) => i.id === created.id)!;
    expect(listed).toMatchObject({ status: "pending", email: "hash@example.com", teamRole: "member", createdBy: admin.email, usedBy: null });
    expect(JSON.stringify(list)).not.toContain(created.token);
    // The first account's own record is not an invitation anyone can see or revoke.
    expect(list.invitations.map((i) => i.id)).not.toContain("first-account");
  });

  it("names the field of a bad invitation request", async () => {
    for (const [body, field] of [
      [{ email: "not an address" }, "email"],
      [{ role: "owner" }, "role"],
      [{ expiresInHours: 0 }, "expiresInHours"],
      [{ expiresInHours: 24 * 365 }, "expiresInHours"],
    ] as const) {
      const res = await call(createInvitation, "/api/invitations", { as: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const json = (await res.json()) as { error: { issues: { path: string }[] } };
      expect(json.error.issues.map((i) => i.path)).toEqual([field]);
    }
  });

  it("applies the invitation's role in the inviter's team and records who used it; a second use is refused", async () => {
    // The older field: "admin" makes a team admin (not an instance admin).
    const created = await invite(admin, { role: "admin" });
    expect(created.teamRole).toBe("admin");
    const res = await rawSignUp("second-admin@example.com", created.token);
    expect(res.status).toBe(200);
    expect(await roleOf("second-admin@example.com")).toBe("user");
    expect(await teamRoleOf("second-admin@example.com")).toBe("admin");
    const again = await rawSignUp("freeloader@example.com", created.token);
    expect(again.status).toBe(403);
    expect(await errorMessage(again)).toMatch(/already been used/);
    expect(await roleOf("freeloader@example.com")).toBeUndefined();
    const list = (await (await call(listInvitations, "/api/invitations", { as: admin })).json()) as { invitations: Listed[] };
    expect(list.invitations.find((i) => i.id === created.id)).toMatchObject({ status: "used", usedBy: "second-admin@example.com" });
  });

  it("lets owners invite any role and team admins only members and viewers, naming the field", async () => {
    const viewerInvite = await invite(admin, { teamRole: "viewer" });
    expect((await rawSignUp("viewer@example.com", viewerInvite.token)).status).toBe(200);
    expect(await teamRoleOf("viewer@example.com")).toBe("viewer");
    const ownerInvite = await invite(admin, { teamRole: "owner" });
    expect((await rawSignUp("co-owner@example.com", ownerInvite.token)).status).toBe(200);
    expect(await teamRoleOf("co-owner@example.com")).toBe("owner");
    const teamAdmin = await signUp("team-admin@example.com", undefined, { invitation: (await invite(admin, { teamRole: "admin" })).token });
    expect((await call(createInvitation, "/api/invitations", { as: teamAdmin, body: { teamRole: "member" } })).status).toBe(201);
    const refused = await call(createInvitation, "/api/invitations", { as: teamAdmin, body: { teamRole: "admin" } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { issues: { path: string }[] } }).error.issues[0]!.path).toBe("teamRole");
  });

  it("cannot be talked into a higher role than the invitation gives", async () => {
    const created = await invite(admin, { role: "user" });
    const res = await rawSignUp("climber@example.com", created.token, { role: "admin" });
    // better-auth drops a client-set role (input: false); the invitation decides.
    expect(res.status).toBe(200);
    expect(await roleOf("climber@example.com")).toBe("user");
  });

  it("gives one link to exactly one of two sign-ups racing on it", async () => {
    const created = await invite(admin);
    const results = await Promise.all(
      ["racer-1@example.com", "racer-2@example.com", "racer-3@example.com"].map((email) => rawSignUp(email, created.token)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 403, 403]);
    const roles = await Promise.all(["racer-1@example.com", "racer-2@example.com", "racer-3@example.com"].map(roleOf));
    expect(roles.filter(Boolean)).toEqual(["user"]);
  });

  it("refuses an expired invitation", async () => {
    const created = await invite(admin, { expiresInHours: 1 });
    const { db } = await getApp();
    await db.update(invitation).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitation.id, created.id));
    const res = await rawSignUp("late@example.com", created.token);
    expect(res.status).toBe(403);
    expect(await errorMessage(res)).toMatch(/expired/);
    const list = (await (await call(listInvitations, "/api/invitations", { as: admin })).json()) as { invitations: Listed[] };
    expect(list.invitations.find((i) => i.id === created.id)?.status).toBe("expired");
  });

  it("holds an email-bound invitation to its address (in any letter case)", async () => {
    const created = await invite(admin, { email: "bound@example.com" });
    const wrong = await rawSignUp("someone-else@example.com", created.token);
    expect(wrong.status).toBe(403);
    expect(await errorMessage(wrong)).toBe("This invitation is for bound@example.com; sign up with that address.");
    expect((await rawSignUp("Bound@Example.com", created.token)).status).toBe(200);
    expect(await roleOf("bound@example.com")).toBe("user");
  });

  it("refuses unknown, malformed and revoked links", async () => {
    for (const token of ["adi_not-a-real-token", "garbage", "x".repeat(500)]) {
      const res = await rawSignUp(`guess-${token.length}@example.com`, token);
      expect(res.status, token).toBe(403);
      expect(await errorMessage(res)).toMatch(/not valid/);
    }
    const created = await invite(admin);
    const revoked = await call(revokeInvitation, `/api/invitations/${created.id}`, { method: "DELETE", as: admin, params: { id: created.id } });
    expect(revoked.status).toBe(204);
    expect((await rawSignUp("revoked@example.com", created.token)).status).toBe(403);
    expect(await roleOf("revoked@example.com")).toBeUndefined();
  });

  it("answers 404 for an unknown invitation and 409 for revoking a used one", async () => {
    const missing = crypto.randomUUID();
    expect((await call(revokeInvitation, `/api/invitations/${missing}`, { method: "DELETE", as: admin, params: { id: missing } })).status).toBe(404);
    const firstAccount = await call(revokeInvitation, "/api/invitations/first-account", { method: "DELETE", as: admin, params: { id: "first-account" } });
    expect(firstAccount.status).toBe(404);
    const created = await invite(admin);
    expect((await rawSignUp("kept@example.com", created.token)).status).toBe(200);
    const res = await call(revokeInvitation, `/api/invitations/${created.id}`, { method: "DELETE", as: admin, params: { id: created.id } });
    expect(res.status).toBe(409);
  });
});
