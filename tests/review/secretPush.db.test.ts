import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getReviewRoute, POST as review } from "@/app/api/runs/[id]/review/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import { reviewDecision, run, runDiff } from "@/lib/db/schema";
import type { RunEvent, RunEventOf, SecretFinding } from "@/lib/events";
import { reviewJobIds, reviewJobOptions, type PushJobPayload } from "@/lib/queue";
import { allEvents, waitForEvents } from "../jobs/helpers";
import { startFakeAnthropic, turn, type FakeAnthropic } from "../support/fakeAnthropic";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";
import { startGitHttpServer, type GitHttpServer } from "../support/gitHttpServer";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";
import { startWebWorker } from "../support/webWorker";

/**
 * Push protection through the real pipeline: web API, queue, job process, real git over an
 * HTTP remote that requires a token, the recorder and the database. The review masks secrets
 * as ***, so the reviewer cannot see one; Push must be refused while the commit holds it.
 */
const TOKEN = "adk-pushprot-token-5d2e8b71c4";
const MODEL_KEY = "sk-ant-pushprot-fake-key-93af";
const CREDENTIAL_ENV = "PUSHPROT_GIT_TOKEN";

type ErrorBody = { error: { code: string; message: string } };

let alice: Session;
let repo: TestRepo;
let server: GitHttpServer;
let fake: FakeAnthropic;
let jobProcess: Awaited<ReturnType<typeof startWebWorker>>;

beforeAll(async () => {
  // The job process holds the repository token and the model key; the web needs neither.
  fake = await startFakeAnthropic();
  process.env[CREDENTIAL_ENV] = TOKEN;
  process.env.ANTHROPIC_API_KEY = MODEL_KEY;
  process.env.ANTHROPIC_BASE_URL = fake.url;
  const admin = await signUp("admin-pushprot@example.com");
  alice = await signUp("alice-pushprot@example.com");
  repo = await createTestRepo({ files: { "README.md": "hello\n", "src/app.js": "export const a = 1;\n" } });
  server = await startGitHttpServer(repo.root, TOKEN);
  expect((await registerRepo(admin, { name: "private", url: server.urlOf("remote.git"), credentialEnv: CREDENTIAL_ENV })).status).toBe(201);
  // The web offers the agent only when a job process says it can run it.
  jobProcess = await startWebWorker("pushprot-test");
}, 120_000);

afterAll(async () => {
  await jobProcess?.stop();
  await server?.close();
  await fake?.close();
  await repo?.remove();
  delete process.env[CREDENTIAL_ENV];
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.ANTHROPIC_BASE_URL;
});

async function startRun(body: Record<string, unknown>): Promise<string> {
  const res = await call(createRunRoute, "/api/runs", { as: alice, body: { repo: "private", approvalMode: "auto", ...body } });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

type RunView = { status: string; error: string | null; headSha: string | null; branch: string };
const statusOf = async (id: string) => (await (await call(getRunRoute, `/api/runs/${id}`, { as: alice, params: { id } })).json()) as RunView;

async function waitForStatus(id: string, status: string, timeoutMs = 60_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await statusOf(id);
    if (current.status === status) return current;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${current.status} (${current.error}), not ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const decide = (id: string, body: unknown) => call(review, `/api/runs/${id}/review`, { as: alice, body, params: { id } });
const reviewOf = async (id: string) =>
  (await (await call(getReviewRoute, `/api/runs/${id}/review`, { as: alice, params: { id } })).json()) as { secretFindings: SecretFinding[] };

const diffReadies = async (id: string) =>
  (await allEvents((await getApp()).eventLog, id)).filter((e): e is RunEventOf<"diff.ready"> => e.type === "diff.ready");

async function storedFindings(id: string): Promise<SecretFinding[]> {
  const [row] = await (await getApp()).db.select({ f: runDiff.secretFindings }).from(runDiff).where(eq(runDiff.runId, id));
  return row?.f ?? [];
}

/** Everything on the remote, every object of every branch, as text. */
async function everythingOnRemote(): Promise<string> {
  return git(repo.url, "log", "--all", "-p", "--text", "--format=%H %s%n%b");
}

/** The push job as the web would queue it, added directly (as if the web were bypassed). */
async function pushDirectly(id: string): Promise<RunEvent[]> {
  const app = await getApp();
  const [row] = await app.db.select().from(run).where(eq(run.id, id));
  const decisionId = crypto.randomUUID();
  const payload: PushJobPayload = {
    kind: "push",
    runId: id,
    decisionId,
    repo: { name: "private", url: server.urlOf("remote.git"), credentialEnv: CREDENTIAL_ENV, githubRepo: null },
    baseBranch: row!.baseBranch,
    branch: row!.branch,
    headSha: row!.headSha!,
    expectedRemoteSha: null,
    pullRequest: null,
    environment: null,
  };
  const before = (await allEvents(app.eventLog, id)).filter((e) => e.type === "push.finished").length;
  await app.queue.add("push", payload, reviewJobOptions(reviewJobIds.push(decisionId)));
  return waitForEvents(app.eventLog, id, (all) => all.filter((e) => e.type === "push.finished").length > before, 30_000);
}

async function expectPushRefused(id: string, where: string[]) {
  const before = await everythingOnRemote();
  const res = await decide(id, { action: "push" });
  expect(res.status).toBe(409);
  const { error } = (await res.json()) as ErrorBody;
  expect(error.code).toBe("secret_in_diff");
  for (const text of where) expect(error.message).toContain(text);
  expect(error.message).not.toContain(TOKEN);
  expect(error.message).not.toContain(MODEL_KEY);
  const app = await getApp();
  expect(await app.db.select().from(reviewDecision).where(eq(reviewDecision.runId, id))).toHaveLength(0);
  expect((await statusOf(id)).status).toBe("awaiting_review");

  // The push job, reached without the web, checks again and sends nothing.
  const events = await pushDirectly(id);
  const finished = events.filter((e): e is RunEventOf<"push.finished"> => e.type === "push.finished").at(-1)!;
  expect(finished.ok).toBe(false);
  expect(finished.error).toContain("secret in diff");
  for (const text of where) expect(finished.error).toContain(text);
  expect(JSON.stringify(events)).not.toContain(TOKEN);
  expect(await everythingOnRemote()).toBe(before);
  expect(await git(repo.url, "for-each-ref", "refs/heads/agentdesk/")).toBe("");
}

describe("push protection", () => {
  it("a cli run that writes the repository token: the finding names file, line and variable; push is refused by the API and the push job", async () => {
    const id = await startRun({ command: `printf 'first line\\nconst token = "%s";\\n' ${TOKEN} > leak.txt` });
    await waitForStatus(id, "awaiting_review");

    const expected = [{ file: "leak.txt", line: 2, secret: CREDENTIAL_ENV }];
    const [ready] = await diffReadies(id);
    expect(ready!.secretFindings).toEqual(expected);
    // The review's patch masks the value, which is why the finding must be shown instead.
    expect(ready!.patch).toContain('+const token = "***";');
    expect(JSON.stringify(await allEvents((await getApp()).eventLog, id))).not.toContain(TOKEN);
    await expect.poll(() => storedFindings(id)).toEqual(expected);
    expect((await reviewOf(id)).secretFindings).toEqual(expected);

    await expectPushRefused(id, ["leak.txt line 2", CREDENTIAL_ENV]);

    // Discard still works.
    expect((await decide(id, { action: "discard" })).status).toBe(201);
    await waitForStatus(id, "discarded");
  });

  it("finds the token base64-encoded inside an encoded environment", async () => {
    const id = await startRun({ command: `printf 'PATH=/usr/bin\\n${CREDENTIAL_ENV}=%s\\nLANG=C\\n' ${TOKEN} | base64 > env.b64` });
    await waitForStatus(id, "awaiting_review");
    const [ready] = await diffReadies(id);
    expect(ready!.secretFindings).toEqual([{ file: "env.b64", line: 1, secret: CREDENTIAL_ENV }]);
    await expectPushRefused(id, ["env.b64 line 1"]);
  });

  it("an agent that writes the model key: blocked until request changes removes it, then the push goes through with a clean history", async () => {
    fake.setScript([
      turn.tool("write_file", { path: "src/config.js", content: `export const model = "x";\nexport const key = "${MODEL_KEY}";\n` }, { id: "toolu_leak" }),
      turn.text("I wrote the config."),
    ]);
    const id = await startRun({ executor: "agent", prompt: "Write a config file" });
    await waitForStatus(id, "awaiting_review");
    const first = [{ file: "src/config.js", line: 2, secret: "ANTHROPIC_API_KEY" }];
    expect((await diffReadies(id))[0]!.secretFindings).toEqual(first);
    await expectPushRefused(id, ["src/config.js line 2", "ANTHROPIC_API_KEY"]);

    // The way out: the agent removes it on the same branch; the new diff is clean.
    fake.setScript([
      turn.tool("write_file", { path: "src/config.js", content: 'export const model = "x";\nexport const key = process.env.KEY;\n' }, { id: "toolu_fix" }),
      turn.text("The key now comes from the environment."),
    ]);
    expect((await decide(id, { action: "request_changes", feedback: "Never commit the key; read it from the environment." })).status).toBe(201);
    await expect.poll(async () => (await diffReadies(id)).length, { timeout: 60_000 }).toBe(2);
    const reviewed = await waitForStatus(id, "awaiting_review");
    expect((await diffReadies(id))[1]!.secretFindings).toEqual([]);
    await expect.poll(() => storedFindings(id)).toEqual([]);
    expect((await reviewOf(id)).secretFindings).toEqual([]);

    expect((await decide(id, { action: "push" })).status).toBe(201);
    const pushed = await waitForStatus(id, "pushed");
    expect(await repo.remoteSha(reviewed.branch)).toBe(pushed.headSha);
    // Nothing the remote received holds the key: not the final tree, not the history.
    const remote = await everythingOnRemote();
    expect(remote).toContain("process.env.KEY");
    expect(remote).not.toContain(MODEL_KEY);
  }, 120_000);
});
