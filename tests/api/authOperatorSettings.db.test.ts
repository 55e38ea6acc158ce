import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { POST as createInvitation } from "@/app/api/invitations/route";
import { session, teamMember, user } from "@/lib/db/schema";
import { call, getApp, randomIp, signUp, type Session } from "../support/web";

// The operator's settings, read when this file's app is created (after these lines run): one
// reverse proxy in front, and sign-up open to anyone who reaches the URL.
process.env.TRUST_PROXY_HOPS = "1";
process.env.OPEN_SIGNUP = "1";

function signIn(email: string, password: string, xff: string) {
  return call(authPost, "/api/auth/sign-in/email", {
    body: { email, password },
    // The proxy's own socket address: the same for every request, as behind a real proxy.
    peer: "10.0.0.2",
    headers: { "x-forwarded-for": xff },
  });
}

describe("operator settings: TRUST_PROXY_HOPS=1, OPEN_SIGNUP=1", () => {
  let admin: Session;

  beforeAll(async () => {
    admin = await signUp("operator-admin@example.com");
  });

  it("takes the right-most X-Forwarded-For entry (the one our proxy appended) as the client", async () => {
    // The client varies what it sends itself (the left part); the proxy appends what it saw.
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await signIn(admin.email, "wrong password", `198.51.100.${i + 1}, 203.0.113.50`);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Another client behind the same proxy is not limited, and its session records its address.
    const other = await signIn(admin.email, "correct horse battery", "198.51.100.1, 203.0.113.51");
    expect(other.status).toBe(200);
    const { db } = await getApp();
    const sessions = await db.select({ ip: session.ipAddress }).from(session).where(eq(session.userId, admin.userId));
    expect(sessions.map((s) => s.ip)).toContain("203.0.113.51");
  });

  it("lets anyone sign up without an invitation, as a plain user in no team", async () => {
    const res = await call(authPost, "/api/auth/sign-up/email", {
      body: { email: "walk-in@example.com", password: "correct horse battery", name: "walk-in" },
      peer: randomIp(),
    });
    expect(res.status).toBe(200);
    const { db } = await getApp();
    const [row] = await db.select({ id: user.id, role: user.role }).from(user).where(eq(user.email, "walk-in@example.com"));
    expect(row?.role).toBe("user");
    // A team admin adds them (or they sign up through a team's invitation): until then, no team.
    expect(await db.select().from(teamMember).where(eq(teamMember.userId, row!.id))).toEqual([]);
  });

  it("still applies an invitation's team and role, and refuses an invalid link rather than ignoring it", async () => {
    const created = (await (await call(createInvitation, "/api/invitations", { as: admin, body: { role: "admin" } })).json()) as { token: string };
    const invited = await signUp("invited-admin@example.com", undefined, { invitation: created.token });
    const { db } = await getApp();
    const [row] = await db.select({ role: user.role }).from(user).where(eq(user.id, invited.userId));
    expect(row?.role).toBe("user");
    const [membership] = await db.select({ role: teamMember.role }).from(teamMember).where(eq(teamMember.userId, invited.userId));
    expect(membership?.role).toBe("admin");
    const reused = await call(authPost, "/api/auth/sign-up/email", {
      body: { email: "reuse@example.com", password: "correct horse battery", name: "reuse", invitation: created.token },
      peer: randomIp(),
    });
    expect(reused.status).toBe(403);
  });
});
