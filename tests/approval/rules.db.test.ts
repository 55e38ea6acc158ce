import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteUserRule } from "@/app/api/me/rules/[id]/route";
import { GET as listUserRules, POST as addUserRule } from "@/app/api/me/rules/route";
import { DELETE as deleteRepoRule } from "@/app/api/repos/[name]/rules/[id]/route";
import { GET as listRepoRules, POST as addRepoRule } from "@/app/api/repos/[name]/rules/route";
import { POST as createRun } from "@/app/api/runs/route";
import { MAX_PATTERN_LENGTH } from "@/lib/approval";
import { runJobPayload } from "@/lib/queue";
import { call, createTokenFor, getApp, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
type Rule = { id: string; scope: string; pattern: string; effect: string; createdBy: string | null };

const json = async <T>(res: Response) => (await res.json()) as T;

describe("approval rules API", () => {
  let admin: Session;
  let alice: Session;
  let bob: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-rules-"));
  const repoRules = (name = "demo") => ({ params: { name } });

  beforeAll(async () => {
    admin = await signUp("admin@example.com");
    alice = await signUp("alice@example.com");
    bob = await signUp("bob@example.com");
    expect((await registerRepo(admin, { name: "demo", url: repoDir })).status).toBe(201);
  });

  describe("user rules: /api/me/rules", () => {
    it("adds, lists and deletes the caller's own rules", async () => {
      const created = await call(addUserRule, "/api/me/rules", { as: alice, body: { pattern: "  npm   test ", effect: "allow" } });
      expect(created.status).toBe(201);
      const rule = await json<Rule>(created);
      expect(rule).toMatchObject({ scope: "user", pattern: "npm   test", effect: "allow", createdBy: "alice@example.com" });

      const listed = await json<{ rules: Rule[] }>(await call(listUserRules, "/api/me/rules", { as: alice }));
      expect(listed.rules.map((r) => r.id)).toEqual([rule.id]);
      const bobs = await json<{ rules: Rule[] }>(await call(listUserRules, "/api/me/rules", { as: bob }));
      expect(bobs.rules).toEqual([]);

      const gone = await call(deleteUserRule, `/api/me/rules/${rule.id}`, { as: alice, method: "DELETE", params: { id: rule.id } });
      expect(gone.status).toBe(204);
      expect((await json<{ rules: Rule[] }>(await call(listUserRules, "/api/me/rules", { as: alice }))).rules).toEqual([]);
    });

    it("answers 404 when a user deletes another user's rule, or an unknown one", async () => {
      const rule = await json<Rule>(await call(addUserRule, "/api/me/rules", { as: alice, body: { pattern: "git push *", effect: "ask" } }));
      const theft = await call(deleteUserRule, `/api/me/rules/${rule.id}`, { as: bob, method: "DELETE", params: { id: rule.id } });
      expect(theft.status).toBe(404);
      for (const id of [crypto.randomUUID(), "not-a-uuid"]) {
        expect((await call(deleteUserRule, `/api/me/rules/${id}`, { as: alice, method: "DELETE", params: { id } })).status).toBe(404);
      }
      const stillThere = await json<{ rules: Rule[] }>(await call(listUserRules, "/api/me/rules", { as: alice }));
      expect(stillThere.rules.map((r) => r.id)).toContain(rule.id);
    });

    it.each([
      [{ effect: "allow" }, "pattern"],
      [{ pattern: "   ", effect: "allow" }, "pattern"],
      [{ pattern: "x".repeat(MAX_PATTERN_LENGTH + 1), effect: "allow" }, "pattern"],
      [{ pattern: "ls\nrm -rf x", effect: "allow" }, "pattern"],
      [{ pattern: "ls" }, "effect"],
      [{ pattern: "ls", effect: "sometimes" }, "effect"],
    ])("answers 400 naming the field for %j", async (body, field) => {
      const res = await call(addUserRule, "/api/me/rules", { as: alice, body });
      expect(res.status).toBe(400);
      expect((await json<ErrorBody>(res)).error.issues?.map((i) => i.path)).toContain(field);
    });

    it("answers 409 for a rule that already exists, and 401 without a session", async () => {
      const body = { pattern: "curl *", effect: "deny" };
      expect((await call(addUserRule, "/api/me/rules", { as: bob, body })).status).toBe(201);
      const again = await call(addUserRule, "/api/me/rules", { as: bob, body });
      expect(again.status).toBe(409);
      expect((await json<ErrorBody>(again)).error.issues?.[0]?.path).toBe("pattern");
      expect((await call(listUserRules, "/api/me/rules")).status).toBe(401);
    });
  });

  describe("repository rules: /api/repos/:name/rules", () => {
    it("lets admins add and delete, and every user read", async () => {
      const created = await call(addRepoRule, "/api/repos/demo/rules", { as: admin, body: { pattern: "make test", effect: "allow" }, ...repoRules() });
      expect(created.status).toBe(201);
      const rule = await json<Rule>(created);
      const seen = await json<{ rules: Rule[] }>(await call(listRepoRules, "/api/repos/demo/rules", { as: bob, ...repoRules() }));
      expect(seen.rules).toEqual([expect.objectContaining({ id: rule.id, scope: "repo", pattern: "make test", createdBy: "admin@example.com" })]);
      const del = await call(deleteRepoRule, `/api/repos/demo/rules/${rule.id}`, { as: admin, method: "DELETE", params: { name: "demo", id: rule.id } });
      expect(del.status).toBe(204);
    });

    it("answers 403 to a user who is not an admin", async () => {
      const add = await call(addRepoRule, "/api/repos/demo/rules", { as: alice, body: { pattern: "ls", effect: "allow" }, ...repoRules() });
      expect(add.status).toBe(403);
      const rule = await json<Rule>(await call(addRepoRule, "/api/repos/demo/rules", { as: admin, body: { pattern: "rm *", effect: "deny" }, ...repoRules() }));
      const del = await call(deleteRepoRule, `/api/repos/demo/rules/${rule.id}`, { as: alice, method: "DELETE", params: { name: "demo", id: rule.id } });
      expect(del.status).toBe(403);
    });

    it("answers 404 for an unknown repository, and for a rule of another scope", async () => {
      expect((await call(listRepoRules, "/api/repos/nope/rules", { as: alice, ...repoRules("nope") })).status).toBe(404);
      expect((await call(addRepoRule, "/api/repos/nope/rules", { as: admin, body: { pattern: "ls", effect: "allow" }, ...repoRules("nope") })).status).toBe(404);
      const userRule = await json<Rule>(await call(addUserRule, "/api/me/rules", { as: admin, body: { pattern: "whoami", effect: "allow" } }));
      const wrongScope = await call(deleteRepoRule, `/api/repos/demo/rules/${userRule.id}`, { as: admin, method: "DELETE", params: { name: "demo", id: userRule.id } });
      expect(wrongScope.status).toBe(404);
    });

    it("answers 400 naming the field", async () => {
      const res = await call(addRepoRule, "/api/repos/demo/rules", { as: admin, body: { pattern: "", effect: "never" }, ...repoRules() });
      expect(res.status).toBe(400);
      expect((await json<ErrorBody>(res)).error.issues?.map((i) => i.path).sort()).toEqual(["effect", "pattern"]);
    });
  });

  it("puts the repository's and the user's rules into a new run's job payload", async () => {
    await registerRepo(admin, { name: "payload-repo", url: repoDir });
    const carol = await signUp("carol@example.com");
    const token = await createTokenFor(carol);
    for (const body of [
      { pattern: "npm test", effect: "allow" },
      { pattern: "git push *", effect: "ask" },
    ]) {
      expect((await call(addRepoRule, "/api/repos/payload-repo/rules", { as: admin, body, ...repoRules("payload-repo") })).status).toBe(201);
    }
    expect((await call(addUserRule, "/api/me/rules", { as: carol, body: { pattern: "curl *", effect: "deny" } })).status).toBe(201);
    expect((await call(addUserRule, "/api/me/rules", { as: carol, body: { pattern: "npm test", effect: "allow" } })).status).toBe(201);

    const res = await call(createRun, "/api/runs", { as: token, body: { repo: "payload-repo", command: "npm test" } });
    expect(res.status).toBe(201);
    const { id } = await json<{ id: string }>(res);
    const job = await (await getApp()).queue.getJob(id);
    const payload = runJobPayload.parse(job?.data);
    expect(payload.approvalRules).toEqual({ allow: ["npm test"], ask: ["git push *"], deny: ["curl *"] });

    // Another user's rules never reach this user's runs.
    const other = await call(createRun, "/api/runs", { as: alice, body: { repo: "payload-repo", command: "ls" } });
    const otherJob = await (await getApp()).queue.getJob((await json<{ id: string }>(other)).id);
    expect(runJobPayload.parse(otherJob?.data).approvalRules).toEqual({ allow: ["npm test"], ask: ["git push *"], deny: [] });
  });
});
