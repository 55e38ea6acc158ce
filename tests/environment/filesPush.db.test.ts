import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUT as putEnvironment } from "@/app/api/repos/[name]/environment/route";
import { POST as review } from "@/app/api/runs/[id]/review/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import { environmentSpec } from "@/lib/contracts/environment";
import type { RunEventOf } from "@/lib/events";
import { reviewJobIds, reviewJobOptions, type PushJobPayload } from "@/lib/queue";
import { allEvents, eventually, waitForEvents } from "../jobs/helpers";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";
import { startWebWorker } from "../support/webWorker";

/**
 * A secret file of the repository's environment through the whole pipeline: the admin sets it
 * (web API), the job process places `.env` from its own variable before the command runs, and
 * nothing of it reaches a commit or the remote. A command that copies it elsewhere gets its run
 * refused at push (secret_in_diff); one that un-ignores it gets its run failed with nothing
 * committed.
 */
const VARIABLE = "ENVFILES_E2E_DOTENV";
const SECRET = "sk_e2e_5b0f3c9a17d24e68";
const DOTENV = `STRIPE_SECRET=${SECRET}\nDEBUG=1\n`;

let admin: Session;
let alice: Session;
let repo: TestRepo;
let jobProcess: Awaited<ReturnType<typeof startWebWorker>>;

beforeAll(async () => {
  // The value lives only in the job process's environment; the web stores the variable's name.
  process.env[VARIABLE] = DOTENV;
  admin = await signUp("admin-envfiles@example.com");
  alice = await signUp("alice-envfiles@example.com");
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  expect((await registerRepo(admin, { name: "envfiles", url: repo.url })).status).toBe(201);
  const res = await call(putEnvironment, "/api/repos/envfiles/environment", {
    as: admin,
    method: "PUT",
    body: { files: [{ path: ".env", env: VARIABLE }] },
    params: { name: "envfiles" },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  jobProcess = await startWebWorker("envfiles-test");
}, 120_000);

afterAll(async () => {
  await jobProcess?.stop();
  await repo?.remove();
  delete process.env[VARIABLE];
});

type RunView = { status: string; error: string | null; headSha: string | null; branch: string };

async function runCommand(command: string): Promise<string> {
  const res = await call(createRunRoute, "/api/runs", { as: alice, body: { repo: "envfiles", executor: "cli", command, approvalMode: "auto" } });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function settled(id: string, timeoutMs = 60_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await (await call(getRunRoute, `/api/runs/${id}`, { as: alice, params: { id } })).json()) as RunView;
    if (["awaiting_review", "failed", "completed", "pushed"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The push job as the web would queue it, added directly (as if the web were bypassed). */
async function pushDirectly(id: string, run: RunView): Promise<RunEventOf<"push.finished">> {
  const app = await getApp();
  const payload: PushJobPayload = {
    kind: "push",
    runId: id,
    decisionId: crypto.randomUUID(),
    repo: { name: "envfiles", url: repo.url, credentialEnv: null, githubRepo: null },
    baseBranch: "main",
    branch: run.branch,
    headSha: run.headSha!,
    expectedRemoteSha: null,
    pullRequest: null,
    environment: environmentSpec.parse({ files: [{ path: ".env", env: VARIABLE }] }),
  };
  await app.reviewsQueue.add("push", payload, reviewJobOptions(reviewJobIds.push(payload.decisionId)));
  const events = await waitForEvents(app.eventLog, id, (all) => all.some((e) => e.type === "push.finished"), 30_000);
  return events.find((e): e is RunEventOf<"push.finished"> => e.type === "push.finished")!;
}

const decide = (id: string, body: unknown) => call(review, `/api/runs/${id}/review`, { as: alice, body, params: { id } });
const filesAt = async (sha: string) => (await git(repo.url, "ls-tree", "-r", "--name-only", sha).catch(() => "")).split("\n");

describe("the environment's secret file", () => {
  it("is there for the command, never in the run's commit, and what the run pushes holds none of it", async () => {
    // The command sees the file (and proves it by its size), then makes an ordinary change.
    const id = await runCommand(`test -f .env && wc -c < .env > size.txt && echo done > notes.md`);
    const run = await settled(id);
    expect(run.status, run.error ?? "").toBe("awaiting_review");
    const events = await allEvents((await getApp()).eventLog, id);
    const ready = events.find((e): e is RunEventOf<"diff.ready"> => e.type === "diff.ready")!;
    expect(ready.secretFindings).toEqual([]);
    expect(ready.files.map((f) => f.path).sort()).toEqual(["notes.md", "size.txt"]);

    const decided = await decide(id, { action: "push" });
    expect(decided.status).toBe(201);
    // The push job carries the environment, so its own scan knows the file's variable too.
    const { decision } = (await decided.json()) as { decision: { id: string } };
    const job = await (await getApp()).reviewsQueue.getJob(reviewJobIds.push(decision.id));
    expect(job?.data).toMatchObject({ kind: "push", environment: { files: [{ path: ".env", env: VARIABLE }] } });
    await eventually(async () => ((await settled(id)).status === "pushed" ? true : undefined), 60_000);
    const pushed = (await settled(id)).headSha!;
    expect(await filesAt(pushed)).not.toContain(".env");
    expect(await git(repo.url, "show", `${pushed}:size.txt`)).toBe(String(Buffer.byteLength(DOTENV)));
    expect(await git(repo.url, "log", "--all", "-p", "--text")).not.toContain(SECRET);
  });

  it("copied elsewhere by the command (cp .env leak.txt): found, masked in the review, and the push refused with secret_in_diff", async () => {
    const id = await runCommand("cp .env leak.txt");
    const run = await settled(id);
    expect(run.status, run.error ?? "").toBe("awaiting_review");
    const events = await allEvents((await getApp()).eventLog, id);
    const ready = events.find((e): e is RunEventOf<"diff.ready"> => e.type === "diff.ready")!;
    expect(ready.secretFindings).toEqual(expect.arrayContaining([{ file: "leak.txt", line: 1, secret: VARIABLE }]));
    expect(ready.files.map((f) => f.path)).toEqual(["leak.txt"]);
    expect(JSON.stringify(events)).not.toContain(SECRET);

    const res = await decide(id, { action: "push" });
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("secret_in_diff");
    expect(error.message).toContain("leak.txt line 1");
    expect(error.message).toContain(VARIABLE);
    expect(error.message).not.toContain(SECRET);
    expect(await repo.remoteSha(run.branch)).toBeNull();

    // The push job, reached without the web, finds it as well and sends nothing.
    const finished = await pushDirectly(id, run);
    expect(finished.ok).toBe(false);
    expect(finished.error).toContain("secret in diff");
    expect(finished.error).toContain("leak.txt line 1");
    expect(await repo.remoteSha(run.branch)).toBeNull();
  });

  it("un-ignored by the command's .gitignore: still never in the run's changes", async () => {
    const id = await runCommand("printf '!/.env\\n' > .gitignore && echo x > other.txt");
    const run = await settled(id);
    expect(run.status).toBe("awaiting_review");
    const ready = (await allEvents((await getApp()).eventLog, id)).find((e): e is RunEventOf<"diff.ready"> => e.type === "diff.ready")!;
    expect(ready.files.map((f) => f.path).sort()).toEqual([".gitignore", "other.txt"]);
  });
});
