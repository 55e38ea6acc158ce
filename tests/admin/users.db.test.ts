import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { POST as resetRoute } from "@/app/api/admin/users/[id]/password-reset/route";
import { DELETE as removeRoute, PATCH as patchRoute } from "@/app/api/admin/users/[id]/route";
import { GET as listRoute } from "@/app/api/admin/users/route";
import { GET as listTokens } from "@/app/api/tokens/route";
import { GET as listRepos } from "@/app/api/repos/route";
import { apiToken, repository, run, session, user, verification } from "@/lib/db/schema";
import { insertRunRow } from "../support/runRow";
import { call, cookieHeader, createTokenFor, getApp, randomIp, signUp, type Session } from "../support/web";
import { firstTeam } from "@/lib/services/teams";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string }[] } };
type UserJson = { id: string; email: string; role: string; disabledAt: string | null; lastSeenAt: string | null; runs: number; unfinishedRuns: number };
type ResetJson = { url: string; token: string; email: string; expiresAt: string };

const PASSWORD = "correct horse battery";
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

const signIn = (email: string, password = PASSWORD) =>
  call(authPost, "/api/auth/sign-in/email", { body: { email, password }, peer: randomIp() });
const resetPassword = (token: string, newPassword: string) =>
  call(authPost, "/api/auth/reset-password", { body: { token, newPassword }, peer: randomIp() });

describe("users: roles, disable, remove, password reset", () => {
  let admin: Session;

  const patch = (id: string, body: unknown, as: Session | string = admin) =>
    call(patchRoute, `/api/admin/users/${id}`, { method: "PATCH", as, body, params: { id } });
  const remove = (id: string, as: Session | string = admin) => call(removeRoute, `/api/admin/users/${id}`, { method: "DELETE", as, params: { id } });
  const makeReset = (id: string, body: unknown = {}, as: Session | string = admin) =>
    call(resetRoute, `/api/admin/users/${id}/password-reset`, { as, body, params: { id } });
  const listed = async (id: string) => {
    const res = await call(listRoute, "/api/admin/users", { as: admin });
    expect(res.status).toBe(200);
    return ((await res.json()) as { users: UserJson[] }).users.find((u) => u.id === id);
  };
  const insertRun = async (userId: string, status: "running" | "completed") => {
    const { db } = await getApp();
    let [repo] = await db.select().from(repository).limit(1);
    if (!repo) {
      [repo] = await db.insert(repository).values({ id: crypto.randomUUID(), teamId: (await firstTeam(await getApp())).id, name: "users-test", url: "/tmp" }).returning();
    }
    return insertRunRow(userId, repo!.id, status);
  };

  beforeAll(async () => {
    admin = await signUp("users-admin@example.com");
  });

  it("lists users for admins only, with role, runs and last seen", async () => {
    const member = await signUp("lister@example.com");
    await insertRun(member.userId, "completed");
    await insertRun(member.userId, "running");
    expect(await listed(member.userId)).toMatchObject({ email: "lister@example.com", role: "user", disabledAt: null, runs: 2, unfinishedRuns: 1 });
    expect((await listed(member.userId))!.lastSeenAt).not.toBeNull();
    expect((await call(listRoute, "/api/admin/users")).status).toBe(401);
    expect((await call(listRoute, "/api/admin/users", { as: member })).status).toBe(403);
    expect((await call(listRoute, "/api/admin/users", { as: await createTokenFor(member) })).status).toBe(403);
    expect((await patch(admin.userId, { role: "user" }, member)).status).toBe(403);
    expect((await remove(admin.userId, member)).status).toBe(403);
    expect((await makeReset(admin.userId, {}, member)).status).toBe(403);
  });

  it("changes roles and never leaves no admin who can sign in", async () => {
    const other = await signUp("promoted@example.com");
    // The only admin cannot demote themself.
    const alone = await patch(admin.userId, { role: "user" });
    expect(alone.status).toBe(409);
    expect((await errorOf(alone)).message).toMatch(/At least one admin/);
    expect(await patch(other.userId, { role: "admin" }).then((r) => r.json())).toMatchObject({ role: "admin" });
    // The promotion counts on the next request, with the same session.
    expect((await call(listRoute, "/api/admin/users", { as: other })).status).toBe(200);
    // With a second admin, the first may step down, and is then refused admin routes.
    expect((await patch(admin.userId, { role: "user" }, other)).status).toBe(200);
    expect((await call(listRoute, "/api/admin/users", { as: admin })).status).toBe(403);
    // Now `other` is the last admin: demoting or disabling them is refused.
    expect((await patch(other.userId, { role: "user" }, other)).status).toBe(409);
    expect((await patch(admin.userId, { role: "admin" }, other)).status).toBe(200);
    expect((await patch(other.userId, { role: "user" })).status).toBe(200);
  });

  it("names the field of a bad request and answers 404 for an unknown user", async () => {
    for (const [body, field] of [
      [{ role: "owner" }, "role"],
      [{ disabled: "yes" }, "disabled"],
      [{}, "role"],
    ] as const) {
      const res = await patch(admin.userId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(res)).issues?.map((i) => i.path)).toEqual([field]);
    }
    const badReset = await makeReset(admin.userId, { expiresInHours: 0 });
    expect(badReset.status).toBe(400);
    expect((await errorOf(badReset)).issues?.map((i) => i.path)).toEqual(["expiresInHours"]);
    expect((await patch("no-such-user", { role: "admin" })).status).toBe(404);
    expect((await remove("no-such-user")).status).toBe(404);
    expect((await makeReset("no-such-user")).status).toBe(404);
  });

  it("disables an account: its session and API token are 401 at once, sign-in is refused; re-enabling lets it back in", async () => {
    const member = await signUp("disabled@example.com");
    const token = await createTokenFor(member);
    expect((await call(listTokens, "/api/tokens", { as: member })).status).toBe(200);
    expect((await call(listRepos, "/api/repos", { as: token })).status).toBe(200);
    const res = await patch(member.userId, { disabled: true });
    expect(res.status).toBe(200);
    expect(((await res.json()) as UserJson).disabledAt).not.toBeNull();
    expect((await call(listTokens, "/api/tokens", { as: member })).status).toBe(401);
    expect((await call(listRepos, "/api/repos", { as: token })).status).toBe(401);
    const { db } = await getApp();
    expect(await db.select().from(session).where(eq(session.userId, member.userId))).toHaveLength(0);
    const refused = await signIn(member.email);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/disabled/);
    expect(await db.select().from(session).where(eq(session.userId, member.userId))).toHaveLength(0);
    // Back again: the token works (it was kept), and so does signing in.
    expect((await patch(member.userId, { disabled: false })).status).toBe(200);
    expect((await call(listRepos, "/api/repos", { as: token })).status).toBe(200);
    const back = await signIn(member.email);
    expect(back.status).toBe(200);
    expect((await call(listTokens, "/api/tokens", { as: { ...member, cookie: cookieHeader(back) } })).status).toBe(200);
  });

  it("refuses to disable or remove one's own account", async () => {
    const self = await patch(admin.userId, { disabled: true });
    expect(self.status).toBe(409);
    expect((await errorOf(self)).message).toMatch(/your own account/);
    expect((await remove(admin.userId)).status).toBe(409);
  });

  it("removes an account with its finished runs, tokens and sessions; refuses while a run is unfinished", async () => {
    const member = await signUp("removed@example.com");
    const token = await createTokenFor(member);
    const running = await insertRun(member.userId, "running");
    await insertRun(member.userId, "completed");
    const refused = await remove(member.userId);
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toMatch(/1 unfinished run/);
    const { db } = await getApp();
    await db.update(run).set({ status: "cancelled" }).where(eq(run.id, running));
    const res = await remove(member.userId);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ email: "removed@example.com", runsDeleted: 2, schedulesDeleted: 0 });
    expect(await db.select().from(user).where(eq(user.id, member.userId))).toHaveLength(0);
    expect(await db.select().from(run).where(eq(run.userId, member.userId))).toHaveLength(0);
    expect(await db.select().from(apiToken).where(eq(apiToken.userId, member.userId))).toHaveLength(0);
    expect((await call(listRepos, "/api/repos", { as: token })).status).toBe(401);
    expect((await call(listTokens, "/api/tokens", { as: member })).status).toBe(401);
    expect((await signIn(member.email)).status).toBe(401);
  });

  it("resets a password through a one-time, expiring link: stored hashed, old password and sessions end", async () => {
    const member = await signUp("forgetful@example.com");
    const created = await makeReset(member.userId, { expiresInHours: 2 });
    expect(created.status).toBe(201);
    const link = (await created.json()) as ResetJson;
    expect(link.url).toBe(`http://localhost:3999/reset-password?token=${link.token}`);
    expect(link.email).toBe("forgetful@example.com");
    const { db } = await getApp();
    const stored = await db.select().from(verification).where(eq(verification.value, member.userId));
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(link.token.slice(4));
    expect(stored[0]!.expiresAt.getTime() - Date.now()).toBeGreaterThan(2 * 3600_000 - 60_000);

    // Too short a password is refused and the link still works.
    expect((await resetPassword(link.token, "short")).status).toBe(400);
    expect((await resetPassword(link.token, "a brand new passphrase")).status).toBe(200);
    expect((await signIn(member.email)).status).toBe(401);
    expect((await signIn(member.email, "a brand new passphrase")).status).toBe(200);
    // The session from before the reset has ended.
    expect((await call(listTokens, "/api/tokens", { as: member })).status).toBe(401);
    // Single use.
    expect((await resetPassword(link.token, "yet another passphrase")).status).toBe(400);
    expect((await signIn(member.email, "yet another passphrase")).status).toBe(401);
    expect(await db.select().from(verification).where(eq(verification.value, member.userId))).toHaveLength(0);
  });

  it("refuses an expired link, and a link replaced by a newer one", async () => {
    const member = await signUp("late@example.com");
    const first = (await (await makeReset(member.userId)).json()) as ResetJson;
    const second = (await (await makeReset(member.userId)).json()) as ResetJson;
    expect((await resetPassword(first.token, "replaced link passphrase")).status).toBe(400);
    const { db } = await getApp();
    await db.update(verification).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(verification.value, member.userId));
    expect((await resetPassword(second.token, "expired link passphrase")).status).toBe(400);
    expect((await signIn(member.email)).status).toBe(200);
    // Nobody can ask for a reset by e-mail: there is no e-mail, only an admin's link.
    const asked = await call(authPost, "/api/auth/request-password-reset", { body: { email: member.email }, peer: randomIp() });
    expect(asked.status).toBe(400);
  });
});
