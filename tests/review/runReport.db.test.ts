import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as answerRoute } from "@/app/api/runs/[id]/inputs/[requestId]/route";
import { GET as reportRoute } from "@/app/api/runs/[id]/report/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import type { RunReportInput } from "@/lib/runReport";
import { startFakeAnthropic, turn, type FakeAnthropic } from "../support/fakeAnthropic";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { call, otherTeam, registerRepo, signUp, signUpInto, type Session } from "../support/web";
import { startWebWorker } from "../support/webWorker";

/**
 * The run report through the real pipeline: web API, queue, a job process running the agent
 * against the fake model API, real git and sandbox, the recorder and the database. A run that
 * asked for an approval and changed a file reports its prompt, the changed file, its cost and
 * the approval (who, what); before its work is over there is no report (409); another team,
 * or a member who may not see the run, gets 404.
 */
type ErrorBody = { error: { code: string; message: string; issues?: { path: string }[] } };

let admin: Session;
let alice: Session;
let repo: TestRepo;
let fake: FakeAnthropic;
let jobProcess: Awaited<ReturnType<typeof startWebWorker>>;

const PROMPT = "Add a notes file.\n```\n<script>alert(1)</script>\n```";

beforeAll(async () => {
  fake = await startFakeAnthropic();
  process.env.ANTHROPIC_API_KEY = "sk-ant-report-fake-key";
  process.env.ANTHROPIC_BASE_URL = fake.url;
  admin = await signUp("admin-report@example.com");
  alice = await signUpInto(admin, "member", "alice-report@example.com");
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  expect((await registerRepo(admin, { name: "reported", url: repo.url })).status).toBe(201);
  jobProcess = await startWebWorker("report-test");
}, 120_000);

afterAll(async () => {
  await jobProcess?.stop();
  await fake?.close();
  await repo?.remove();
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.ANTHROPIC_BASE_URL;
});

const report = (id: string, as: Session, query = "") => call(reportRoute, `/api/runs/${id}/report${query}`, { as, params: { id } });

async function waitFor(id: string, predicate: (run: { status: string; pendingInputs: { requestId: string }[] }) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = (await (await call(getRunRoute, `/api/runs/${id}`, { as: alice, params: { id } })).json()) as { status: string; error: string | null; pendingInputs: { requestId: string }[] };
    if (predicate(current)) return current;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${current.status} (${current.error})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the run report", () => {
  it("of a finished agent run holds the prompt, the changed file, the cost and the approval, as a Markdown download", async () => {
    fake.setScript([
      turn.tool("shell", { command: "printf 'remember the milk\\n' > notes.md" }, { id: "toolu_notes", usage: { input_tokens: 1200, output_tokens: 80 } }),
      turn.text("Added notes.md.", { usage: { input_tokens: 1400, output_tokens: 20 } }),
    ]);
    const res = await call(createRunRoute, "/api/runs", { as: alice, body: { repo: "reported", prompt: PROMPT, executor: "agent", approvalMode: "all", model: "claude-sonnet-4-6" } });
    expect(res.status, await res.clone().text()).toBe(201);
    const id = ((await res.json()) as { id: string }).id;

    // While it waits for the approval, there is no report yet.
    const asking = await waitFor(id, (r) => r.pendingInputs.length > 0);
    const requestId = asking.pendingInputs[0]!.requestId;
    const early = await report(id, alice);
    expect(early.status).toBe(409);
    expect(((await early.json()) as ErrorBody).error.message).toMatch(/no report yet/);

    const approved = await call(answerRoute, `/api/runs/${id}/inputs/${requestId}`, { as: admin, body: { decision: "approve", note: "fine by me" }, params: { id, requestId } });
    expect(approved.status, await approved.clone().text()).toBe(200);
    await waitFor(id, (r) => r.status === "awaiting_review");

    const download = await report(id, alice);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="agentdesk-run-${id}.md"`);
    const md = await download.text();
    expect(md).toContain(`\`\`\`\`text\n${PROMPT}\n\`\`\`\``);
    expect(md).toContain("Repository: reported, base branch `main`");
    expect(md).toContain("Requested by alice-report@example.com");
    expect(md).toContain("Status: **Awaiting review**");
    expect(md).toMatch(/- `notes\.md`: added, \+1 −0/);
    expect(md).toContain(`/api/runs/${id}/diff?format=patch`);
    expect(md).toMatch(/Tokens: 2,600 in, 100 out/);
    expect(md).toMatch(/- \$0\.\d{4}\n/);
    expect(md).toContain("Model turns: 2");
    expect(md).toMatch(/Approval of `shell` \(asked .*\): \*\*approved by admin-report@example\.com at /);
    expect(md).toContain("note: fine by me");
    expect(md).toContain("No checks ran.");

    const json = await report(id, alice, "?format=json");
    expect(json.status).toBe(200);
    const input = (await json.json()) as RunReportInput;
    expect(input.run.usage.costUsd).toBeGreaterThan(0);
    expect(input.inputs).toEqual([expect.objectContaining({ requestId, decision: "approve", by: "admin-report@example.com" })]);
    expect((await report(id, alice, "?format=pdf")).status).toBe(400);

    // Another team's owner: not found, as for the run itself.
    const stranger = (await otherTeam()).owner;
    expect((await report(id, stranger)).status).toBe(404);
    expect((await call(reportRoute, `/api/runs/${id}/report`, { params: { id } })).status).toBe(401);
  }, 120_000);
});
