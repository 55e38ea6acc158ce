import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as listRuns, POST as createRun } from "@/app/api/runs/route";
import { run } from "@/lib/db/schema";
import { appendEvent } from "@/lib/eventLog";
import type { EventBodyInput } from "@/lib/events";
import { projectEvent } from "@/lib/projection";
import type { RunListPage } from "@/lib/services/runList";
import { call, getApp, otherTeam, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; issues?: { path: string }[] } };

/**
 * GET /api/runs with search and filters, on PGlite and PostgreSQL: each filter and the search
 * narrow the list, "needs me" finds the runs waiting for the caller (an open approval, their
 * review), the team sees whose each run is, and no filter ever reaches another team's run. A bad
 * filter is a 400 naming it.
 */
describe("the runs list: search and filters", () => {
  let admin: Session;
  let alice: Session;
  let bob: Session;
  const ids: Record<string, string> = {};

  async function newRun(as: Session, body: Record<string, unknown>, executor?: string): Promise<string> {
    const res = await call(createRun, "/api/runs", { as, body });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    // Other executors need a job process offering them; the list only reads the column.
    if (executor) {
      const app = await getApp();
      await app.db.update(run).set({ executor, prompt: String(body.prompt ?? "a task") }).where(eq(run.id, id));
    }
    return id;
  }
  async function emit(runId: string, body: EventBodyInput) {
    const app = await getApp();
    const stored = await appendEvent(app.eventLog, runId, body);
    expect(await projectEvent(app.db, stored.id, stored.event)).toBe(true);
  }
  const started: EventBodyInput = { type: "run.started", attempt: 1, worker: "w1", resumed: false };
  const approval: EventBodyInput = { type: "input.requested", requestId: "toolu_1", kind: "approval", tool: "shell", input: { command: "rm -rf dist" }, reasons: ["deletes files"] };

  async function list(as: Session, query: string): Promise<RunListPage> {
    const res = await call(listRuns, `/api/runs?limit=200&${query}`, { as });
    expect(res.status).toBe(200);
    return (await res.json()) as RunListPage;
  }
  const idsOf = async (as: Session, query: string) => (await list(as, query)).runs.map((r) => r.id).sort();
  const named = (...names: string[]) => names.map((n) => ids[n]!).sort();

  beforeAll(async () => {
    admin = await signUp("list-admin@example.com");
    alice = await signUp("list-alice@example.com");
    // Bob works in another team, with repositories of the same names.
    bob = (await otherTeam()).owner;
    for (const name of ["web", "api"]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `agentdesk-${name}-`));
      expect((await registerRepo(admin, { name: `list-${name}`, url: dir })).status).toBe(201);
      expect((await registerRepo(bob, { name: `list-${name}`, url: dir })).status).toBe(201);
    }
    ids.aliceNotes = await newRun(alice, { repo: "list-web", command: "make clean", prompt: "Nightly cleanup of 100% stale caches" });
    ids.aliceAgent = await newRun(alice, { repo: "list-api", command: "true", prompt: "Add a health endpoint" }, "agent");
    ids.aliceWaiting = await newRun(alice, { repo: "list-api", command: "true", prompt: "Rotate the logs" }, "claude-code");
    ids.aliceReview = await newRun(alice, { repo: "list-web", command: "true", prompt: "Fix the footer" }, "agent");
    ids.bobWaiting = await newRun(bob, { repo: "list-web", command: "true", prompt: "Bob's secret plan" }, "agent");
    ids.bobShell = await newRun(bob, { repo: "list-api", command: "npm run lint" });
    ids.adminShell = await newRun(admin, { repo: "list-api", command: "git gc" });

    await emit(ids.aliceWaiting!, started);
    await emit(ids.aliceWaiting!, approval);
    await emit(ids.aliceReview!, started);
    await emit(ids.aliceReview!, { type: "run.awaiting_review", branch: "agentdesk/footer", headSha: "f".repeat(40) });
    await emit(ids.bobWaiting!, started);
    await emit(ids.bobWaiting!, approval);
  });

  it("titles a shell command by its notes when given, else by the command", async () => {
    const runs = (await list(alice, "")).runs;
    expect(runs.find((r) => r.id === ids.aliceNotes)?.title).toBe("Nightly cleanup of 100% stale caches");
    expect((await list(bob, "")).runs.find((r) => r.id === ids.bobShell)?.title).toBe("npm run lint");
  });

  it("searches the title, task and notes, command, branch and run id, case-insensitively", async () => {
    expect(await idsOf(alice, "q=NIGHTLY")).toEqual(named("aliceNotes"));
    expect(await idsOf(alice, "q=make%20clean")).toEqual(named("aliceNotes"));
    expect(await idsOf(alice, "q=health%20endpoint")).toEqual(named("aliceAgent"));
    expect(await idsOf(alice, "q=agentdesk%2Ffix-the-footer")).toEqual(named("aliceReview"));
    expect(await idsOf(alice, `q=${ids.aliceAgent!.slice(0, 8)}`)).toEqual(named("aliceAgent"));
    // LIKE's own characters are text: "100%" matches the run that says it, "_" nothing here.
    expect(await idsOf(alice, "q=100%25")).toEqual(named("aliceNotes"));
    expect(await idsOf(alice, "q=_")).toEqual([]);
    // An empty search is no search: the team's runs (the admin's too).
    expect(await idsOf(alice, "q=")).toEqual(named("aliceNotes", "aliceAgent", "aliceWaiting", "aliceReview", "adminShell"));
  });

  it("filters by repository, status and executor, alone and together", async () => {
    expect(await idsOf(alice, "repo=list-web")).toEqual(named("aliceNotes", "aliceReview"));
    expect(await idsOf(alice, "status=waiting_input")).toEqual(named("aliceWaiting"));
    expect(await idsOf(alice, "executor=agent")).toEqual(named("aliceAgent", "aliceReview"));
    expect(await idsOf(alice, "executor=cli")).toEqual(named("aliceNotes", "adminShell"));
    expect(await idsOf(alice, "repo=list-web&executor=agent&status=awaiting_review")).toEqual(named("aliceReview"));
    expect(await idsOf(alice, "repo=no-such-repo")).toEqual([]);
    expect(await idsOf(admin, "repo=list-api&executor=cli")).toEqual(named("adminShell"));
    expect(await idsOf(bob, "repo=list-api&executor=cli")).toEqual(named("bobShell"));
  });

  it("lets the team filter by owner and by their own runs, and shows whose each run is", async () => {
    const all = await list(alice, "");
    expect(all.runs.find((r) => r.id === ids.adminShell)?.owner).toEqual({ name: "list-admin", email: admin.email });
    expect(await idsOf(admin, `owner=${alice.email.toUpperCase()}`)).toEqual(named("aliceNotes", "aliceAgent", "aliceWaiting", "aliceReview"));
    expect(await idsOf(bob, `owner=${bob.email}`)).toEqual(named("bobWaiting", "bobShell"));
    expect(await idsOf(admin, "mine=1")).toEqual(named("adminShell"));
    expect(await idsOf(alice, "mine=1")).toEqual(named("aliceNotes", "aliceAgent", "aliceWaiting", "aliceReview"));
    expect(await idsOf(admin, "owner=nobody@example.com")).toEqual([]);
  });

  it("finds the runs waiting for the caller: an open request of theirs, or their review", async () => {
    expect(await idsOf(alice, "needsMe=1")).toEqual(named("aliceWaiting", "aliceReview"));
    expect(await idsOf(bob, "needsMe=1")).toEqual(named("bobWaiting"));
    // Others' runs wait for their owners, not for the team admin who can act on them.
    expect(await idsOf(admin, "needsMe=1")).toEqual([]);
    expect(await idsOf(alice, "needsMe=1&repo=list-api")).toEqual(named("aliceWaiting"));
    // Answered, the run no longer waits for anyone.
    await emit(ids.aliceWaiting!, { type: "input.resolved", requestId: "toolu_1", decision: "approve", by: alice.email });
    expect(await idsOf(alice, "needsMe=1")).toEqual(named("aliceReview"));
  });

  it("never shows anyone another team's run, whatever the filters", async () => {
    expect(await idsOf(alice, `owner=${bob.email}`)).toEqual([]);
    expect(await idsOf(admin, `owner=${bob.email}`)).toEqual([]);
    expect(await idsOf(admin, "q=secret%20plan")).toEqual([]);
    expect(await idsOf(alice, "q=secret%20plan")).toEqual([]);
    expect(await idsOf(alice, `q=${ids.bobWaiting!.slice(0, 8)}`)).toEqual([]);
    expect(await idsOf(alice, `owner=${bob.email}&needsMe=1&status=waiting_input&repo=list-web`)).toEqual([]);
    expect(await idsOf(bob, "mine=0&executor=claude-code")).toEqual([]);
    for (const query of ["", "mine=1", "needsMe=1", "status=waiting_input", "executor=agent", "repo=list-web", `owner=${alice.email}`]) {
      const runs = (await list(bob, query)).runs;
      expect(runs.every((r) => r.userId === bob.userId && r.owner.email === bob.email), query).toBe(true);
    }
  });

  it("pages through a filtered list with the cursor", async () => {
    const first = (await (await call(listRuns, "/api/runs?limit=1&repo=list-web", { as: alice })).json()) as RunListPage;
    expect(first.runs.map((r) => r.id)).toEqual([ids.aliceReview]);
    const second = (await (await call(listRuns, `/api/runs?limit=1&repo=list-web&cursor=${first.nextCursor!}`, { as: alice })).json()) as RunListPage;
    expect(second.runs.map((r) => r.id)).toEqual([ids.aliceNotes]);
    expect(second.nextCursor).toBeNull();
  });

  it.each([
    ["owner=alice", "owner"],
    ["executor=robot", "executor"],
    ["mine=maybe", "mine"],
    ["needsMe=yes", "needsMe"],
    ["status=sleeping", "status"],
    [`q=${"x".repeat(201)}`, "q"],
    [`repo=${"r".repeat(101)}`, "repo"],
  ])("answers 400 naming the filter for %s", async (query, field) => {
    const res = await call(listRuns, `/api/runs?${query}`, { as: alice });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.code).toBe("invalid_request");
    expect(error.issues?.map((i) => i.path)).toContain(field);
  });
});
