import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteAgentRoute, PATCH as patchAgentRoute } from "@/app/api/admin/acp-agents/[name]/route";
import { GET as listAgentsRoute, POST as createAgentRoute } from "@/app/api/admin/acp-agents/route";
import { GET as executorsRoute } from "@/app/api/executors/route";
import { readAcpAgentRegistry } from "@/lib/acpAgentRegistry";
import { acpAgentRegistryKey } from "@/lib/contracts/executorSpecs";
import { acpAgent } from "@/lib/db/schema";
import { toErrorResponse } from "@/lib/http/route";
import { createRedis } from "@/lib/redis";
import { createAcpAgent, publishAcpAgents, republishAcpAgentsIfLost } from "@/lib/services/acpAgents";
import type { Principal } from "@/lib/services/principal";
import { advertiseTestWorker, withdrawTestWorker } from "../support/adverts";
import { call, createTokenFor, getApp, principalFor, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
type AgentJson = {
  name: string;
  description: string;
  command: string;
  args: string[];
  envNames: string[];
  createdBy: string | null;
  available?: boolean;
  unavailableReason?: string;
  offeredBy?: string[];
};

const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;
const goose = { name: "goose", description: "Block's Goose", command: "goose", args: ["acp", "--with-builtin", "developer"], envNames: ["GOOSE_PROVIDER", "OPENAI_API_KEY"] };

describe("ACP agent registry (admin API)", () => {
  let admin: Session;
  let member: Session;
  let memberToken: string;

  const create = (as: Session | string, body: unknown) => call(createAgentRoute, "/api/admin/acp-agents", { as, body });
  const list = async (as: Session = admin) => {
    const res = await call(listAgentsRoute, "/api/admin/acp-agents", { as });
    expect(res.status).toBe(200);
    return ((await res.json()) as { agents: AgentJson[] }).agents;
  };
  const patch = (as: Session | string, name: string, body: unknown) =>
    call(patchAgentRoute, `/api/admin/acp-agents/${name}`, { as, method: "PATCH", body, params: { name } });
  const remove = (as: Session | string, name: string) =>
    call(deleteAgentRoute, `/api/admin/acp-agents/${name}`, { as, method: "DELETE", params: { name } });
  const published = async () => {
    const app = await getApp();
    return readAcpAgentRegistry(app.redis, app.config.redisPrefix);
  };

  beforeAll(async () => {
    admin = await signUp("acp-admin@example.com");
    member = await signUp("acp-member@example.com");
    memberToken = await createTokenFor(member);
  });

  afterEach(() => withdrawTestWorker("acp-test-worker"));

  it("is for admins only: a member gets 403 on every route, a stranger 401", async () => {
    expect((await create(admin, { name: "guarded", command: "guarded" })).status).toBe(201);
    for (const as of [member, memberToken]) {
      const attempts = [
        await call(listAgentsRoute, "/api/admin/acp-agents", { as }),
        await create(as, { name: "sneaky", command: "sh" }),
        await patch(as, "guarded", { command: "sh" }),
        await remove(as, "guarded"),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect((await errorOf(res)).code).toBe("forbidden");
      }
    }
    expect((await call(listAgentsRoute, "/api/admin/acp-agents")).status).toBe(401);
    // Nothing changed: the member's attempts neither registered nor altered an agent.
    const names = (await list()).map((a) => a.name);
    expect(names).toContain("guarded");
    expect(names).not.toContain("sneaky");
    expect((await list()).find((a) => a.name === "guarded")?.command).toBe("guarded");
  });

  it.each([
    [{ command: "goose" }, "name"],
    [{ name: "Goose", command: "goose" }, "name"],
    [{ name: "-goose", command: "goose" }, "name"],
    [{ name: "g".repeat(41), command: "goose" }, "name"],
    [{ name: "a1" }, "command"],
    [{ name: "a2", command: "   " }, "command"],
    [{ name: "a3", command: "goose acp" }, "command"],
    [{ name: "a4", command: "goose\u001b[2J" }, "command"],
    [{ name: "a5", command: "goose", args: [1] }, "args.0"],
    [{ name: "a6", command: "goose", args: ["acp\nrm -rf /"] }, "args.0"],
    [{ name: "a7", command: "goose", envNames: ["NOT-A-NAME"] }, "envNames.0"],
    [{ name: "a8", command: "goose", envNames: ["OPENAI_API_KEY", "DATABASE_URL"] }, "envNames.1"],
    [{ name: "a9", command: "goose", envNames: ["BETTER_AUTH_SECRET"] }, "envNames.0"],
    [{ name: "a10", command: "goose", description: "x".repeat(501) }, "description"],
  ])("answers 400 naming the field for %j", async (body, field) => {
    const res = await create(admin, body);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_request");
    expect(error.issues?.map((i) => i.path)).toContain(field);
  });

  it("takes lists as a form sends them: arguments one per line, names split by spaces or commas", async () => {
    const res = await create(admin, { name: "from-text", command: "goose", args: "acp\n  --with-builtin \n\ndeveloper", envNames: "GOOSE_PROVIDER, GOOSE_MODEL\nOPENAI_API_KEY" });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ args: ["acp", "--with-builtin", "developer"], envNames: ["GOOSE_PROVIDER", "GOOSE_MODEL", "OPENAI_API_KEY"] });
  });

  it("refuses a NUL character in the command, naming the field", async () => {
    const res = await create(admin, { name: "nul", command: "goo\u0000se" });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).issues?.map((i) => i.path)).toEqual(["command"]);
  });

  it("registers, lists, changes and removes an agent, publishing each change to Redis", async () => {
    const res = await create(admin, goose);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ ...goose, createdBy: admin.email });
    expect((await published())?.find((a) => a.name === "goose")).toEqual({
      name: "goose",
      command: "goose",
      args: ["acp", "--with-builtin", "developer"],
      envNames: ["GOOSE_PROVIDER", "OPENAI_API_KEY"],
    });

    const duplicate = await create(admin, { name: "goose", command: "other" });
    expect(duplicate.status).toBe(409);
    expect((await errorOf(duplicate)).issues?.[0]?.path).toBe("name");

    // No job process runs in this test: the list says so for every agent.
    const listed = (await list()).find((a) => a.name === "goose");
    expect(listed).toMatchObject({ ...goose, available: false, offeredBy: [] });
    expect(listed?.unavailableReason).toMatch(/no job process is running/);

    const changed = await patch(admin, "goose", { args: ["acp"], envNames: ["GOOSE_PROVIDER", "GOOSE_MODEL", "GOOSE_MODEL"] });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ name: "goose", command: "goose", args: ["acp"], envNames: ["GOOSE_PROVIDER", "GOOSE_MODEL"], description: goose.description });
    expect((await published())?.find((a) => a.name === "goose")).toMatchObject({ args: ["acp"], envNames: ["GOOSE_PROVIDER", "GOOSE_MODEL"] });

    const badChange = await patch(admin, "goose", { command: "" });
    expect(badChange.status).toBe(400);
    expect((await errorOf(badChange)).issues?.[0]?.path).toBe("command");
    expect((await patch(admin, "nobody", { command: "x" })).status).toBe(404);

    expect((await remove(admin, "goose")).status).toBe(204);
    expect((await published())?.map((a) => a.name)).not.toContain("goose");
    expect((await list()).map((a) => a.name)).not.toContain("goose");
    expect((await remove(admin, "goose")).status).toBe(404);
  });

  it("shows which job processes can start an agent, and why the others cannot", async () => {
    expect((await create(admin, { name: "gemini", command: "gemini", args: ["--experimental-acp"], envNames: ["GEMINI_API_KEY"] })).status).toBe(201);
    const advertise = (agents: { name: string; available: boolean; reason?: string }[]) =>
      advertiseTestWorker("acp-test-worker", [{ name: "acp", available: true }], agents);

    await advertise([]);
    expect((await list()).find((a) => a.name === "gemini")?.unavailableReason).toMatch(/no job process has checked it yet/);

    await advertise([{ name: "gemini", available: false, reason: "GEMINI_API_KEY is not set on the job process" }]);
    const missing = (await list()).find((a) => a.name === "gemini");
    expect(missing).toMatchObject({ available: false, offeredBy: [] });
    expect(missing?.unavailableReason).toBe("ACP agent gemini is not available: GEMINI_API_KEY is not set on the job process");

    await advertise([{ name: "gemini", available: true }]);
    expect((await list()).find((a) => a.name === "gemini")).toMatchObject({ available: true, offeredBy: ["acp-test-worker"] });
    expect((await list()).find((a) => a.name === "gemini")).not.toHaveProperty("unavailableReason");

    // Any user (an API token too) can ask what a run may use now, with the same reasons.
    const res = await call(executorsRoute, "/api/executors", { as: memberToken });
    expect(res.status).toBe(200);
    const choices = (await res.json()) as { executors: { name: string; available: boolean }[]; acpAgents: { name: string; available: boolean }[] };
    expect(choices.executors.find((e) => e.name === "acp")).toMatchObject({ available: true });
    expect(choices.acpAgents.find((a) => a.name === "gemini")).toMatchObject({ available: true });
    expect((await call(executorsRoute, "/api/executors", {})).status).toBe(401);
  });

  it("publishes the whole registry again at start-up, over whatever Redis held, and when Redis lost it", async () => {
    expect((await create(admin, { name: "codex", command: "codex-acp", envNames: ["OPENAI_API_KEY"] })).status).toBe(201);
    const app = await getApp();
    // Redis lost the key (a restart without persistence), then held garbage.
    await app.redis.del(acpAgentRegistryKey(app.config.redisPrefix));
    expect(await published()).toBeNull();
    await app.redis.set(acpAgentRegistryKey(app.config.redisPrefix), "{not json");
    expect(await published()).toBeNull();

    const count = await publishAcpAgents(app);
    const rows = await app.db.select({ name: acpAgent.name }).from(acpAgent);
    expect(count).toBe(rows.length);
    expect((await published())?.map((a) => a.name).sort()).toEqual(rows.map((r) => r.name).sort());

    // The web's periodic check puts back a registry Redis lost, and leaves one it holds alone.
    expect(await republishAcpAgentsIfLost(app)).toBe(false);
    await app.redis.del(acpAgentRegistryKey(app.config.redisPrefix));
    expect(await republishAcpAgentsIfLost(app)).toBe(true);
    expect((await published())?.map((a) => a.name).sort()).toEqual(rows.map((r) => r.name).sort());
  });

  it("undoes a change Redis cannot take, answering 503", async () => {
    const app = await getApp();
    const principal: Principal = await principalFor(admin);
    // Nothing listens on port 1: the web's fail-fast client gives up at once.
    const deadRedis = createRedis("redis://127.0.0.1:1", "web", "dead");
    deadRedis.on("error", () => {});
    try {
      const error = await createAcpAgent({ ...app, redis: deadRedis }, principal, { name: "unpublished", command: "goose" }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(toErrorResponse(error, "test").status).toBe(503);
      expect(await app.db.select().from(acpAgent).where(eq(acpAgent.name, "unpublished"))).toEqual([]);
    } finally {
      deadRedis.disconnect();
    }
  });
});
