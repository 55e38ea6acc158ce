import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteAgentRoute, PATCH as patchAgentRoute } from "@/app/api/admin/acp-agents/[name]/route";
import { POST as createAgentRoute } from "@/app/api/admin/acp-agents/route";
import { POST as addServerRoute } from "@/app/api/repos/[name]/mcp-servers/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import { acpAgent, run } from "@/lib/db/schema";
import { readRunEvents } from "@/lib/eventLog";
import type { RunJobPayload } from "@/lib/queue";
import { reconcileRun } from "@/lib/server/reconcileRun";
import { advertiseTestWorker, withdrawTestWorker } from "../support/adverts";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

const WORKER = "acp-runs-worker";

/** A live job process that runs the acp executor and says what it can do about each agent. */
const advertise = (agents: { name: string; available: boolean; reason?: string }[]) =>
  advertiseTestWorker(
    WORKER,
    [
      { name: "cli", available: true },
      { name: "acp", available: true },
    ],
    agents,
  );

describe("runs of executor acp", () => {
  let admin: Session;
  let alice: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-acp-runs-"));

  const createRun = (body: Record<string, unknown>, as: Session = alice) => call(createRunRoute, "/api/runs", { as, body });
  const jobOf = async (runId: string) => (await (await getApp()).queue.getJob(runId))?.data as RunJobPayload | undefined;

  beforeAll(async () => {
    admin = await signUp("acp-runs-admin@example.com");
    alice = await signUp("acp-runs-alice@example.com");
    expect((await registerRepo(admin, { name: "demo", url: repoDir })).status).toBe(201);
    const goose = { name: "goose", command: "goose", args: ["acp", "--with-builtin", "developer"], envNames: ["GOOSE_PROVIDER", "GOOSE_MODEL"] };
    expect((await call(createAgentRoute, "/api/admin/acp-agents", { as: admin, body: goose })).status).toBe(201);
    expect((await call(createAgentRoute, "/api/admin/acp-agents", { as: admin, body: { name: "gemini", command: "gemini", args: ["--experimental-acp"] } })).status).toBe(201);
    const server = { name: "files", transport: "stdio", command: "mcp-fs", args: ["--root", "."] };
    expect((await call(addServerRoute, "/api/repos/demo/mcp-servers", { as: admin, body: server, params: { name: "demo" } })).status).toBe(201);
  });

  afterEach(() => withdrawTestWorker(WORKER));

  it.each([
    [{ executor: "acp", prompt: "fix it" }, "acpAgent", /is required for the acp executor/],
    [{ executor: "agent", acpAgent: "goose", prompt: "fix it" }, "acpAgent", /applies only to the acp executor/],
    [{ command: "true", acpAgent: "goose" }, "acpAgent", /applies only to the acp executor, not cli/],
    [{ executor: "acp", acpAgent: "Goose!", prompt: "fix it" }, "acpAgent", /lowercase/],
    [{ executor: "acp", acpAgent: "goose" }, "prompt", /required/],
  ])("answers 400 naming the field for %j", async (body, field, message) => {
    await advertise([{ name: "goose", available: true }]);
    const res = await createRun({ repo: "demo", ...body });
    expect(res.status).toBe(400);
    const issue = (await errorOf(res)).issues?.find((i) => i.path === field);
    expect(issue?.message).toMatch(message);
  });

  it("answers 400 naming acpAgent for an agent that is not registered", async () => {
    await advertise([{ name: "goose", available: true }]);
    const res = await createRun({ repo: "demo", executor: "acp", acpAgent: "codex", prompt: "fix it" });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.issues?.[0]).toEqual({ path: "acpAgent", message: 'no ACP agent named "codex" is registered (registered: gemini, goose)' });
  });

  it("refuses an agent no live job process can start (422 naming acpAgent, with the job process's reason)", async () => {
    const agentRun = () => createRun({ repo: "demo", executor: "acp", acpAgent: "goose", prompt: "fix it" });
    const none = await agentRun();
    expect(none.status).toBe(422);
    expect(await errorOf(none)).toMatchObject({ issues: [{ path: "acpAgent" }], message: expect.stringMatching(/no job process is running/) });

    await advertise([
      { name: "goose", available: false, reason: '"goose" is not installed (not on the sandbox\'s PATH nor in AgentDesk\'s node_modules/.bin)' },
      { name: "gemini", available: true },
    ]);
    const missing = await agentRun();
    expect(missing.status).toBe(422);
    expect((await errorOf(missing)).message).toBe(
      `acpAgent: ACP agent goose is not available: "goose" is not installed (not on the sandbox's PATH nor in AgentDesk's node_modules/.bin)`,
    );
    // Another agent on the same job process is fine.
    expect((await createRun({ repo: "demo", executor: "acp", acpAgent: "gemini", prompt: "fix it" })).status).toBe(201);
    expect(await (await getApp()).db.select().from(run).where(eq(run.acpAgent, "goose"))).toEqual([]);
  });

  it("stores the agent with the run, shows it, and gives the job the agent's spec and the repository's MCP servers", async () => {
    await advertise([{ name: "goose", available: true }]);
    const res = await createRun({ repo: "demo", executor: "acp", acpAgent: "goose", prompt: "add a README" });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; executor: string; acpAgent: string | null };
    expect(created).toMatchObject({ executor: "acp", acpAgent: "goose" });
    const shown = await call(getRunRoute, `/api/runs/${created.id}`, { as: alice, params: { id: created.id } });
    expect(await shown.json()).toMatchObject({ executor: "acp", acpAgent: "goose" });

    const job = await jobOf(created.id);
    expect(job?.acpAgent).toEqual({ name: "goose", command: "goose", args: ["acp", "--with-builtin", "developer"], envNames: ["GOOSE_PROVIDER", "GOOSE_MODEL"] });
    expect(job?.mcpServers).toEqual([{ name: "files", transport: "stdio", command: "mcp-fs", args: ["--root", "."], envNames: [] }]);
    const events = await readRunEvents((await getApp()).eventLog, created.id, "0");
    expect(events.map((e) => e.event)).toEqual([expect.objectContaining({ type: "run.queued", executor: "acp" })]);

    // Other executors' runs carry no agent.
    const cli = await createRun({ repo: "demo", command: "true" });
    const cliRun = (await cli.json()) as { id: string; acpAgent: string | null };
    expect(cliRun.acpAgent).toBeNull();
    expect(await jobOf(cliRun.id)).not.toHaveProperty("acpAgent");
  });

  it("carries the run's model, turn limit and budget to the job; without a model the agent runs on its own", async () => {
    await advertise([{ name: "goose", available: true }]);
    const res = await createRun({ repo: "demo", executor: "acp", acpAgent: "goose", prompt: "fix it", model: "gpt-5-codex", maxTurns: 3, budgetUsd: 0.75 });
    expect(res.status).toBe(201);
    const limited = (await res.json()) as { id: string };
    expect(limited).toMatchObject({ model: "gpt-5-codex", maxTurns: 3, budgetUsd: 0.75 });
    expect(await jobOf(limited.id)).toMatchObject({ model: "gpt-5-codex", maxTurns: 3, budgetUsd: 0.75 });

    // No model: null (the agent's own), not AGENT_MODEL, which names one of our models; no budget: AGENT_BUDGET_USD in the job process.
    const plain = (await (await createRun({ repo: "demo", executor: "acp", acpAgent: "goose", prompt: "fix it" })).json()) as { id: string };
    expect(plain).toMatchObject({ model: null, maxTurns: 50, budgetUsd: null });
    expect(await jobOf(plain.id)).toMatchObject({ model: null, maxTurns: 50, budgetUsd: null });
  });

  it.each([
    [{ model: "claude-haiku-4-5" }, "model"],
    [{ budgetUsd: 2 }, "budgetUsd"],
  ])("refuses %j for a shell command with a 400 naming the field", async (change, field) => {
    await advertise([]);
    const res = await createRun({ repo: "demo", command: "make", ...change });
    expect(res.status).toBe(400);
    const issue = (await errorOf(res)).issues?.find((i) => i.path === field);
    expect(issue?.message).toBe("applies only to the agent, claude-code and acp executors, not cli");
  });

  it("refuses to delete an agent a queued run may still start, naming the run", async () => {
    await advertise([{ name: "gemini", available: true }]);
    const res = await createRun({ repo: "demo", executor: "acp", acpAgent: "gemini", prompt: "tidy up the docs" });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const refused = await call(deleteAgentRoute, "/api/admin/acp-agents/gemini", { as: admin, method: "DELETE", params: { name: "gemini" } });
    expect(refused.status).toBe(409);
    const message = (await errorOf(refused)).message;
    expect(message).toMatch(/ACP agent "gemini" is still in use by runs not finished yet/);
    expect(message).toContain(id.slice(0, 8));
    expect(message).toContain("tidy up the docs");
  });

  it("builds a requeued job from the agent as registered now, and fails a run whose agent is gone", async () => {
    await advertise([{ name: "goose", available: true }]);
    const app = await getApp();
    const res = await createRun({ repo: "demo", executor: "acp", acpAgent: "goose", prompt: "lost job" });
    const { id } = (await res.json()) as { id: string };
    // The admin changes the agent; then Redis loses the job of the still-queued run.
    const changed = await call(patchAgentRoute, "/api/admin/acp-agents/goose", { as: admin, method: "PATCH", body: { args: ["acp"] }, params: { name: "goose" } });
    expect(changed.status).toBe(200);
    await app.queue.remove(id);
    expect(await reconcileRun(app, id)).toBe("requeued");
    expect((await jobOf(id))?.acpAgent).toMatchObject({ name: "goose", args: ["acp"] });

    // An agent removed behind the service's back (a database restored from a backup, say):
    // the run cannot be queued again and fails saying why.
    const lost = await createRun({ repo: "demo", executor: "acp", acpAgent: "goose", prompt: "orphaned" });
    const lostId = ((await lost.json()) as { id: string }).id;
    await app.queue.remove(lostId);
    await app.db.update(run).set({ acpAgent: "vanished" }).where(eq(run.id, lostId));
    expect(await reconcileRun(app, lostId)).toBe("failed");
    const failed = (await readRunEvents(app.eventLog, lostId, "0")).find((e) => e.event.type === "run.failed");
    expect(failed?.event).toMatchObject({ error: expect.stringMatching(/could not be queued again \(the run's ACP agent "vanished" is no longer registered\)/) });
    expect(await app.db.select({ name: acpAgent.name }).from(acpAgent).where(eq(acpAgent.name, "goose"))).toHaveLength(1);
  });
});
