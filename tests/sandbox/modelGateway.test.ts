import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runProcessGroup } from "../../jobs/executors/processGroup";
import { newGatewayToken, startModelGateway, type ModelGateway } from "../../jobs/sandbox/modelGateway";
import { openSandbox, runSandboxed, type SandboxModelEndpoint } from "../../jobs/sandbox/sandbox";
import type { SandboxSettings, SandboxSpec } from "../../jobs/sandbox/spec";
import { startFakeAnthropic, turn, type FakeAnthropic } from "../support/fakeAnthropic";

const REAL_KEY = "sk-ant-real-key-that-must-stay-outside-0123456789";
const ON: SandboxSettings = { mode: "on", allowPrivateNetwork: true };
let base: string;
let workspace: string;
let fake: FakeAnthropic;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-gateway-test-")));
  workspace = path.join(base, "workspace");
  await fs.mkdir(workspace);
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake?.close();
  await fs.rm(base, { recursive: true, force: true });
});
beforeEach(() => fake.setScript(() => turn.text("hello from the model")));

const messagesBody = JSON.stringify({ model: "claude-test", max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] });

async function inSandbox(
  command: string,
  spec: Partial<SandboxSpec> = {},
  settings: SandboxSettings = ON,
  extraEnv: (model: SandboxModelEndpoint) => Record<string, string> = () => ({}),
) {
  const sandbox = await openSandbox(
    { workspace, readOnlyPaths: [], networkHosts: [], modelAccess: { upstreamUrl: fake.url, apiKey: REAL_KEY }, ...spec },
    settings,
  );
  try {
    const model = sandbox.model!;
    const wrapped = sandbox.command("bash", ["-c", command], {
      env: { ANTHROPIC_BASE_URL: model.baseUrl, ANTHROPIC_API_KEY: model.token, ...extraEnv(model) },
    });
    let out = "";
    const outcome = await runProcessGroup({
      ...wrapped,
      signal: new AbortController().signal,
      onOutput: (_s, chunk) => (out += chunk.toString()),
    });
    return { out, outcome, model };
  } finally {
    await sandbox.close();
  }
}

describe("the model gateway inside a sandbox", () => {
  it("forwards a streamed message with the real key, which the sandbox never sees", async () => {
    const before = fake.requests.length;
    const { out, model } = await inSandbox(
      `env; echo ---; curl -sS -N "$ANTHROPIC_BASE_URL/v1/messages?beta=true" -H "x-api-key: $ANTHROPIC_API_KEY" -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' -d '${messagesBody}'`,
    );
    const [env, answer] = out.split("---\n");
    expect(env).not.toContain(REAL_KEY);
    expect(env).toContain(`ANTHROPIC_BASE_URL=http://127.0.0.1:`);
    expect(model.token).not.toBe(REAL_KEY);
    // The answer arrives as the API's own server-sent events, in order.
    expect(answer).toMatch(/event: message_start[\s\S]*text_delta[\s\S]*event: message_stop/);
    expect(answer).toContain("hello ");
    expect(fake.requests.length).toBe(before + 1);
    const seen = fake.requests.at(-1)!;
    expect(seen.headers["x-api-key"]).toBe(REAL_KEY);
    expect(seen.headers["anthropic-version"]).toBe("2023-06-01");
    expect(seen.body.model).toBe("claude-test");
  });

  it("reaches the gateway directly, not through the filtering proxy, when the repository allows hosts", async () => {
    const { out } = await inSandbox(
      `curl -sS "$ANTHROPIC_BASE_URL/v1/messages" -H "x-api-key: $ANTHROPIC_API_KEY" -H 'content-type: application/json' -d '${messagesBody.replace('"stream":true', '"stream":false')}'`,
      { networkHosts: ["example.com"] },
    );
    expect(JSON.parse(out)).toMatchObject({ type: "message", role: "assistant" });
  });

  it("refuses the job process's real key, any other token, path or method, and the upstream sees none of it", async () => {
    const before = fake.requests.length;
    const post = (auth: string, url = "$ANTHROPIC_BASE_URL/v1/messages") =>
      `curl -s -o /dev/null -w '%{http_code}\\n' ${url} ${auth} -H 'content-type: application/json' -d '${messagesBody}'`;
    const { out } = await inSandbox(
      [
        post(""),
        post(`-H 'x-api-key: ${REAL_KEY}'`),
        post(`-H "x-api-key: \${ANTHROPIC_API_KEY}x"`),
        post(`-H "authorization: Bearer wrong"`),
        post(`-H "x-api-key: $ANTHROPIC_API_KEY"`, "$ANTHROPIC_BASE_URL/v1/models"),
        post(`-H "x-api-key: $ANTHROPIC_API_KEY"`, "$ANTHROPIC_BASE_URL/v1/messages/batches"),
        post(`-H "x-api-key: $ANTHROPIC_API_KEY"`, "$ANTHROPIC_BASE_URL/v1/messages/../files"),
        `curl -s -o /dev/null -w '%{http_code}\\n' -H "x-api-key: $ANTHROPIC_API_KEY" $ANTHROPIC_BASE_URL/v1/messages`,
        `curl -s -o /dev/null -w '%{http_code}\\n' -X PUT -H "x-api-key: $ANTHROPIC_API_KEY" $ANTHROPIC_BASE_URL/v1/messages`,
        // A proxy request for another host through the gateway's port goes nowhere either.
        `curl -s -o /dev/null -w '%{http_code}\\n' -x $ANTHROPIC_BASE_URL -H "x-api-key: $ANTHROPIC_API_KEY" http://example.com/v1/messages -d '{}'`,
      ].join("; "),
    );
    expect(out.trim().split("\n")).toEqual(["401", "401", "401", "401", "404", "404", "404", "405", "405", "404"]);
    expect(fake.requests.length).toBe(before);
  });

  it("with SANDBOX=off still keeps the key out of the program's environment", async () => {
    const { out } = await inSandbox(
      `env | grep -c '${REAL_KEY}'; curl -s -o /dev/null -w '%{http_code}\\n' "$ANTHROPIC_BASE_URL/v1/messages" -H "x-api-key: $ANTHROPIC_API_KEY" -H 'content-type: application/json' -d '${messagesBody}'`,
      {},
      { mode: "off", allowPrivateNetwork: true },
    );
    expect(out.trim().split("\n")).toEqual(["0", "200"]);
  });

  it("is gone once the sandbox is closed", async () => {
    const sandbox = await openSandbox(
      { workspace, readOnlyPaths: [], networkHosts: [], modelAccess: { upstreamUrl: fake.url, apiKey: REAL_KEY } },
      { mode: "off", allowPrivateNetwork: true },
    );
    const url = sandbox.model!.baseUrl;
    await sandbox.close();
    await expect(fetch(`${url}/v1/messages`, { method: "POST" })).rejects.toThrow();
  });

  it("gives a sandbox without model access no gateway and no route to the model", async () => {
    let out = "";
    await runSandboxed({
      program: "bash",
      args: ["-c", "ls /run; (exec 3<>/dev/tcp/127.0.0.1/3129) 2>/dev/null && echo reached || echo unreachable"],
      spec: { workspace, readOnlyPaths: [], networkHosts: [] },
      settings: ON,
      signal: new AbortController().signal,
      onOutput: (_s, chunk) => (out += chunk.toString()),
    });
    expect(out).not.toContain("agentdesk-model");
    expect(out).toContain("unreachable");
  });
});

describe("an agent's shell commands run through the isolation wrapper", () => {
  it("cannot reach the gateway, see its token, or read the agent's process, yet reach allowed hosts", async () => {
    const allowed = http.createServer((_req, res) => res.end("allowed-host-answered\n"));
    await new Promise<void>((resolve) => allowed.listen(0, "127.0.0.1", resolve));
    const port = (allowed.address() as { port: number }).port;
    try {
      // The "agent" (bash here) holds the token and runs a tool command through the wrapper,
      // as Claude Code does with CLAUDE_CODE_SHELL_PREFIX.
      const tool = [
        "id -u",
        "env | grep -c -e ANTHROPIC_ -e agentdesk-sandbox- || true",
        "(exec 3<>/dev/tcp/127.0.0.1/3129) 2>/dev/null && echo gateway-reached || echo gateway-unreachable",
        "ls /run/agentdesk-model | grep -c . || true",
        "cat /proc/$AGENT_PID/environ >/dev/null 2>&1 && echo environ-readable || echo environ-unreadable",
        "ls /proc/$AGENT_PID/root/run/agentdesk-model 2>/dev/null || echo root-unreadable",
        `curl -s -m 5 --noproxy '' -x http://127.0.0.1:3128 http://127.0.0.1:${port}/`,
        "exit 7",
      ].join("; ");
      const { out, outcome } = await inSandbox(
        `export AGENT_PID=$$; "$PREFIX" ${shellQuoted(tool)}; echo "exit $?"; echo agent-still-has-token-$(env | grep -c agentdesk-sandbox-)`,
        { networkHosts: [`127.0.0.1:${port}`] },
        ON,
        (model) => ({ PREFIX: model.toolShellPrefix! }),
      );
      expect(outcome.exitCode).toBe(0);
      expect(out.trim().split("\n")).toEqual([
        "1000",
        "0",
        "gateway-unreachable",
        "0",
        "environ-unreadable",
        "root-unreadable",
        "allowed-host-answered",
        "exit 7",
        "agent-still-has-token-1",
      ]);
    } finally {
      allowed.close();
    }
  });
});

describe("the model gateway itself", () => {
  let gateway: ModelGateway;
  const token = newGatewayToken();

  async function withGateway(upstreamUrl: string, run: (url: string) => Promise<void>) {
    gateway = await startModelGateway({ upstreamUrl, apiKey: REAL_KEY, token, listen: { port: 0 } });
    try {
      await run(`http://127.0.0.1:${gateway.port}`);
    } finally {
      await gateway.close();
    }
  }

  it("accepts the token as a bearer token too, and keeps the upstream URL's path prefix", async () => {
    const seen: { url?: string; key?: string; auth?: string }[] = [];
    const upstream = http.createServer((req, res) => {
      seen.push({ url: req.url, key: req.headers["x-api-key"] as string, auth: req.headers.authorization });
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"input_tokens":3}'));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    try {
      const port = (upstream.address() as { port: number }).port;
      await withGateway(`http://127.0.0.1:${port}/anthropic/`, async (url) => {
        const res = await fetch(`${url}/v1/messages/count_tokens?beta=true`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: "{}",
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ input_tokens: 3 });
      });
      expect(seen).toEqual([{ url: "/anthropic/v1/messages/count_tokens?beta=true", key: REAL_KEY, auth: undefined }]);
    } finally {
      upstream.close();
    }
  });

  it("answers 502 in the API's error shape when the upstream cannot be reached", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await withGateway(`http://127.0.0.1:${port}`, async (url) => {
      const res = await fetch(`${url}/v1/messages`, { method: "POST", headers: { "x-api-key": token }, body: "{}" });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ type: "error", error: { type: "api_error" } });
    });
  });

  it("stops the upstream request when the agent hangs up mid-stream", async () => {
    fake.setScript([turn.text("a long answer that never finishes", { hangAfterEvents: 3 })]);
    const hung = fake.hung();
    await withGateway(fake.url, async (url) => {
      const controller = new AbortController();
      const res = await fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": token, "content-type": "application/json" },
        body: messagesBody,
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      await hung;
      const upstreamSockets = () => countConnectionsTo(new URL(fake.url).port);
      expect(await upstreamSockets()).toBeGreaterThan(0);
      controller.abort();
      await expect.poll(upstreamSockets, { timeout: 5_000 }).toBe(0);
    });
  });

  it("refuses a body announced larger than the limit before forwarding it", async () => {
    const before = fake.requests.length;
    await withGateway(fake.url, async (url) => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${url}/v1/messages`, {
          method: "POST",
          headers: { "x-api-key": token, "content-type": "application/json", "content-length": String(64 * 1024 * 1024) },
        });
        req.on("response", (res) => resolve(res.statusCode ?? 0));
        req.on("error", reject);
        req.write("{");
      });
      expect(status).toBe(413);
    });
    expect(fake.requests.length).toBe(before);
  });

  it("refuses an upstream URL that is not http(s)", async () => {
    await expect(startModelGateway({ upstreamUrl: "file:///etc/passwd", apiKey: REAL_KEY, token, listen: { port: 0 } })).rejects.toThrow(
      /must be http/,
    );
  });
});

const shellQuoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Established TCP connections of this process to 127.0.0.1:<port> (from /proc/net/tcp). */
async function countConnectionsTo(port: string): Promise<number> {
  const hex = Number(port).toString(16).toUpperCase().padStart(4, "0");
  const table = await fs.readFile("/proc/net/tcp", "utf8");
  return table.split("\n").filter((line) => {
    const [, local, remote, state] = line.trim().split(/\s+/);
    return state === "01" && (remote?.endsWith(`:${hex}`) ?? false) && local !== undefined;
  }).length;
}
