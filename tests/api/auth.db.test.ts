import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { GET as health } from "@/app/api/health/route";
import { GET as listRepos } from "@/app/api/repos/route";
import { GET as getRun } from "@/app/api/runs/[id]/route";
import { GET as runEvents } from "@/app/api/runs/[id]/events/route";
import { GET as runDiff } from "@/app/api/runs/[id]/diff/route";
import { POST as cancelRun } from "@/app/api/runs/[id]/cancel/route";
import { GET as listRuns, POST as createRun } from "@/app/api/runs/route";
import { DELETE as revokeToken } from "@/app/api/tokens/[id]/route";
import { GET as listTokens, POST as createToken } from "@/app/api/tokens/route";
import { apiToken, user } from "@/lib/db/schema";
import { call, createTokenFor, getApp, signUp, type Session } from "../support/web";

describe("accounts, sessions and API tokens", () => {
  let admin: Session;
  let member: Session;

  beforeAll(async () => {
    admin = await signUp("first@example.com");
    member = await signUp("second@example.com");
  });

  it("makes the first account admin and later ones plain users", async () => {
    const { db } = await getApp();
    const rows = await db.select({ email: user.email, role: user.role }).from(user);
    expect(rows.find((r) => r.email === "first@example.com")?.role).toBe("admin");
    expect(rows.find((r) => r.email === "second@example.com")?.role).toBe("user");
  });

  it("answers 401 with the documented error shape on every endpoint without a session", async () => {
    const id = crypto.randomUUID();
    const calls: [Parameters<typeof call>[0], string, Parameters<typeof call>[2]][] = [
      [listRuns, "/api/runs", {}],
      [createRun, "/api/runs", { body: { repo: "x", command: "true" } }],
      [getRun, `/api/runs/${id}`, { params: { id } }],
      [runEvents, `/api/runs/${id}/events`, { params: { id } }],
      [runDiff, `/api/runs/${id}/diff`, { params: { id } }],
      [cancelRun, `/api/runs/${id}/cancel`, { method: "POST", params: { id } }],
      [listRepos, "/api/repos", {}],
      [createToken, "/api/tokens", { body: { name: "x" } }],
      [listTokens, "/api/tokens", {}],
    ];
    for (const [handler, path, opts] of calls) {
      const res = await call(handler, path, opts);
      expect(res.status, path).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unauthorized");
      expect(body.error.message).toMatch(/Sign in/);
    }
  });

  it("issues a token shown once, stored only as a hash, usable as a bearer token", async () => {
    const res = await call(createToken, "/api/tokens", { as: member, body: { name: "ci" } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { token: string; id: string; prefix: string };
    expect(created.token).toMatch(/^adk_/);
    const { db } = await getApp();
    const [stored] = await db.select().from(apiToken).where(eq(apiToken.id, created.id));
    expect(stored!.tokenHash).not.toContain(created.token);
    expect(JSON.stringify(stored)).not.toContain(created.token);

    const list = await call(listRuns, "/api/runs", { as: created.token });
    expect(list.status).toBe(200);
    const tokens = (await (await call(listTokens, "/api/tokens", { as: member })).json()) as { tokens: { id: string; prefix: string }[] };
    expect(tokens.tokens.map((t) => t.id)).toContain(created.id);
    expect(JSON.stringify(tokens)).not.toContain(created.token);

    const revoked = await call(revokeToken, `/api/tokens/${created.id}`, { method: "DELETE", as: member, params: { id: created.id } });
    expect(revoked.status).toBe(204);
    expect((await call(listRuns, "/api/runs", { as: created.token })).status).toBe(401);
  });

  it("does not let one user revoke another user's token", async () => {
    const res = await call(createToken, "/api/tokens", { as: admin, body: { name: "mine" } });
    const { id } = (await res.json()) as { id: string };
    const attempt = await call(revokeToken, `/api/tokens/${id}`, { method: "DELETE", as: member, params: { id } });
    expect(attempt.status).toBe(404);
  });

  it("rejects unknown and malformed bearer tokens", async () => {
    for (const token of ["adk_not-a-real-token", "garbage", "x".repeat(500)]) {
      expect((await call(listRuns, "/api/runs", { as: token })).status).toBe(401);
    }
  });

  it("names the field when a token request is invalid", async () => {
    const res = await call(createToken, "/api/tokens", { as: member, body: { name: "" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues.map((i) => i.path)).toEqual(["name"]);
  });

  it("refuses a cookie-authenticated state change from another origin", async () => {
    const res = await call(createToken, "/api/tokens", {
      as: member,
      body: { name: "csrf" },
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    // The same request with a bearer token cannot be forged by a browser and is allowed.
    const token = await createTokenFor(member);
    const ok = await call(createToken, "/api/tokens", { as: token, body: { name: "script" }, headers: { origin: "https://evil.example" } });
    expect(ok.status).toBe(201);
  });

  it("rate limits sign-in per client address, whatever X-Forwarded-For a client rotates", async () => {
    // TRUST_PROXY_HOPS is 0 (the default): the headers are ignored, the socket address counts.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await call(authPost, "/api/auth/sign-in/email", {
        body: { email: "first@example.com", password: "wrong password" },
        peer: "203.0.113.7",
        headers: { "x-forwarded-for": `198.51.100.${i + 1}`, "x-real-ip": `198.51.100.${i + 1}`, "x-agentdesk-client-address": `192.0.2.${i + 1}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another address is unaffected.
    const other = await call(authPost, "/api/auth/sign-in/email", {
      body: { email: "first@example.com", password: "correct horse battery" },
      peer: "203.0.113.8",
    });
    expect(other.status).toBe(200);
  });

  it("refuses a forged stamp of the socket address like no stamp at all", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await call(authPost, "/api/auth/sign-in/email", {
        body: { email: "first@example.com", password: "wrong password" },
        headers: { "x-agentdesk-peer": `guessed-secret 198.51.100.${i + 1}` },
      });
      statuses.push(res.status);
    }
    // All forged stamps land in one bucket (the unknown address), so the limit still holds.
    expect(statuses.at(-1)).toBe(429);
  });

  it("reports health of the database and Redis", async () => {
    const res = await health();
    expect(res.status).toBe(200);
    // The tests' Redis keeps nothing on disk: healthy, with a warning saying so.
    expect(await res.json()).toMatchObject({
      ok: true,
      db: true,
      redis: true,
      redisEvictionPolicy: "noeviction",
      redisPersistence: "none",
      warnings: [expect.stringMatching(/keeps nothing on disk/)],
    });
  });
});
