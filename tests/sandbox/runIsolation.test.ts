import fs from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mirrorPath } from "../../jobs/git/mirror";
import { runRepoPath } from "../../jobs/git/runRepo";
import { loadConfig } from "../../lib/config";
import type { RunEvent } from "../../lib/events";
import { runJobOptions, type RunJobPayload } from "../../lib/queue";
import { withInProcessWorker } from "../support/inProcessWorker";
import { hasEnded, makeRunPayload, waitForEvents } from "../jobs/helpers";

/**
 * Attacks from inside a real run: a `cli` run through the real pipeline (BullMQ worker,
 * workspace, sandbox), each trying to reach something the sandbox must keep from it. The job
 * process here is this test process, so its environment holds the secrets an attacker wants.
 */
const SECRETS = {
  AGENTDESK_SANDBOX_TEST_TOKEN: "repo-token-4f1d9c7e2b",
  ANTHROPIC_API_KEY: "sk-ant-sandbox-test-9a8b7c",
};
for (const [name, value] of Object.entries(SECRETS)) process.env[name] = value;

const config = loadConfig();
const pipeline = withInProcessWorker();
let hostServer: http.Server;
let hostPort: number;

beforeAll(async () => {
  hostServer = http.createServer((_req, res) => res.end("host-server-answered\n"));
  await new Promise<void>((resolve) => hostServer.listen(0, "127.0.0.1", resolve));
  hostPort = (hostServer.address() as { port: number }).port;
});

afterAll(async () => {
  hostServer?.close();
});

/** Runs `command` as a cli run (credential named, so the job process knows it as a secret). */
async function runCommand(command: string, overrides: Partial<RunJobPayload> = {}) {
  const payload = makeRunPayload(pipeline.repo.url, {
    command,
    repo: { name: "test-repo", url: pipeline.repo.url, credentialEnv: "AGENTDESK_SANDBOX_TEST_TOKEN", networkHosts: [] },
    ...overrides,
  });
  await pipeline.queue.add("run", payload, runJobOptions(payload.runId, "normal"));
  const events = await waitForEvents(pipeline.log, payload.runId, hasEnded, 30_000);
  return { events, payload, stdout: streamText(events, "stdout"), stderr: streamText(events, "stderr") };
}

function streamText(events: RunEvent[], stream: "stdout" | "stderr"): string {
  return events.map((e) => (e.type === "log" && e.stream === stream ? e.message : "")).join("");
}

/** Output the attacker base64-encodes: the job's masking of literal secrets cannot hide a leak. */
const decoded = (stdout: string) => Buffer.from(stdout.trim(), "base64").toString("utf8");

describe("a run inside the sandbox", () => {
  it("reads no secret of the job process from /proc (parent, PID 1, any process)", async () => {
    const { stdout } = await runCommand(
      `{ for f in /proc/$PPID/environ /proc/1/environ /proc/*/environ; do echo "== $f"; tr '\\0' '\\n' < "$f"; done; } 2>&1 | base64 -w0`,
    );
    const seen = decoded(stdout);
    expect(seen).toContain("== /proc/1/environ");
    for (const value of [...Object.values(SECRETS), process.env.AUTH_SECRET!]) expect(seen).not.toContain(value);
    for (const name of ["REDIS_URL", "REDIS_PREFIX", "DATA_DIR", "AUTH_SECRET", "ANTHROPIC_API_KEY", "AGENTDESK_SANDBOX_TEST_TOKEN"]) {
      expect(seen).not.toContain(`${name}=`);
    }
    // Its own PID namespace: a handful of processes, not the host's.
    const { stdout: count } = await runCommand("ls /proc | grep -c '^[0-9]'");
    expect(Number(count.trim())).toBeLessThan(6);
  });

  it("gets an environment of the allow-list only", async () => {
    const { stdout } = await runCommand("env -0 | base64 -w0");
    const names = decoded(stdout)
      .split("\0")
      .filter(Boolean)
      .map((line) => line.slice(0, line.indexOf("=")));
    const allowed = ["PATH", "HOME", "LANG", "TERM", "TZ", "CI", "PWD", "SHLVL", "_"];
    expect(names.filter((n) => !allowed.includes(n))).toEqual([]);
  });

  it("sees nothing of DATA_DIR but its own workspace and the object stores it borrows: no database, mirror config or other run", async () => {
    // Decoys where the platform keeps its state, planted before the run.
    const decoys = [
      path.join(config.dataDir, "worktrees", "other-run-decoy", "secret.txt"),
      path.join(config.dataDir, "runs", "other-run-decoy", "secret.txt"),
      path.join(config.dataDir, "pglite", "PG_VERSION"),
    ];
    for (const decoy of decoys) {
      await fs.mkdir(path.dirname(decoy), { recursive: true });
      await fs.writeFile(decoy, "decoy-content-never-seen\n");
    }
    const { stdout, payload } = await runCommand(
      `{ echo "workspace:$PWD"; find ${config.dataDir} 2>&1; cat ${decoys.join(" ")} 2>&1; } | base64 -w0`,
    );
    const seen = decoded(stdout);
    const workspace = /^workspace:(.*)$/m.exec(seen)![1]!;
    expect(seen).not.toContain("decoy-content-never-seen");
    const found = seen.split("\n").filter((line) => line.startsWith(config.dataDir));
    // Only the folders leading to its workspace and to the object stores its `.git` borrows
    // (read-only: its own repository's and the mirror's), and what is inside them.
    const visible = [workspace, path.join(runRepoPath(config.dataDir, payload.runId), "objects"), path.join(mirrorPath(config.dataDir, pipeline.repo.url), "objects")];
    for (const entry of found) {
      expect(visible.some((v) => v === entry || v.startsWith(`${entry}/`) || entry.startsWith(`${v}/`)), entry).toBe(true);
    }
    expect(found).not.toContainEqual(expect.stringContaining("other-run-decoy"));
    expect(found).not.toContainEqual(expect.stringContaining("pglite"));
  });

  it("cannot change the repository's mirror, DATA_DIR or the system", async () => {
    const mirror = mirrorPath(config.dataDir, pipeline.repo.url);
    await runCommand("true"); // the mirror exists from here on
    const mirrorConfig = await fs.readFile(path.join(mirror, "config"), "utf8");
    const { stdout } = await runCommand(
      [
        `printf '[url "http://attacker/"]\\n\\tinsteadOf = x\\n' >> ${mirror}/config 2>/dev/null && echo appended-at-mirror-config-path`,
        `echo x > ${mirror}/objects/planted 2>/dev/null && echo wrote-mirror`,
        `echo x > ${config.dataDir}/planted 2>/dev/null && echo wrote-data-dir`,
        `echo x > /usr/planted 2>/dev/null && echo wrote-usr`,
        `echo x > /etc/planted 2>/dev/null && echo wrote-etc`,
        `echo x > /planted 2>/dev/null && echo wrote-root`,
        `ls /work /root /var/lib 2>/dev/null && echo saw-host-dirs`,
        `echo x > inside.txt && echo wrote-workspace`,
        "true",
      ].join("; "),
    );
    expect(stdout).toContain("wrote-workspace");
    for (const bad of ["wrote-mirror", "wrote-usr", "wrote-etc", "wrote-root", "saw-host-dirs"]) expect(stdout).not.toContain(bad);
    // Whatever it wrote at DATA_DIR's path inside (the mirror's config path included: only the
    // mirror's objects are there, read-only) landed in its own private /tmp, not on the host.
    await expect(fs.stat(path.join(config.dataDir, "planted"))).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(path.join(mirror, "config"), "utf8")).toBe(mirrorConfig);
  });

  it("cannot read /etc/shadow", async () => {
    const { stdout } = await runCommand("cat /etc/shadow /etc/gshadow 2>&1 | base64 -w0");
    expect(decoded(stdout)).not.toMatch(/^root:/m);
  });

  it("reaches neither Redis nor a server on the host, by bash or by node", async () => {
    // The Redis this job process uses (the tests' own, password-protected), on the host's loopback.
    const redisUrl = new URL(config.redisUrl);
    const redisHost = redisUrl.hostname;
    const redisPort = Number(redisUrl.port || 6379);
    const { stdout } = await runCommand(
      [
        `(exec 3<>/dev/tcp/${redisHost}/${redisPort}) 2>/dev/null && echo bash-redis-reached || echo bash-redis-blocked`,
        `(exec 3<>/dev/tcp/127.0.0.1/${hostPort}) 2>/dev/null && echo bash-host-reached || echo bash-host-blocked`,
        `node -e "const s=require('net').connect(${redisPort},'${redisHost}');s.on('connect',()=>{console.log('node-redis-reached');process.exit()});s.on('error',e=>console.log('node-redis-blocked',e.code))"`,
        `curl -s -m 3 http://127.0.0.1:${hostPort}/ || echo curl-host-blocked`,
      ].join("; "),
    );
    expect(stdout).toContain("bash-redis-blocked");
    expect(stdout).toContain("bash-host-blocked");
    expect(stdout).toContain("node-redis-blocked");
    expect(stdout).toContain("curl-host-blocked");
    expect(stdout).not.toContain("reached");
    expect(stdout).not.toContain("host-server-answered");
  });

  it("reaches a host on the repository's allow-list through the proxy, and no other", async () => {
    const other = http.createServer((_req, res) => res.end("other-server-answered\n"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherPort = (other.address() as { port: number }).port;
    try {
      const { stdout } = await runCommand(
        [
          `echo "proxy:$HTTP_PROXY"`,
          `curl -s -m 5 http://127.0.0.1:${hostPort}/`,
          // CONNECT, as HTTPS clients do.
          `curl -s -m 5 --proxytunnel http://127.0.0.1:${hostPort}/`,
          `curl -s -m 5 -w ' status=%{http_code}\\n' http://127.0.0.1:${otherPort}/`,
          `curl -s -m 5 --proxytunnel http://127.0.0.1:${otherPort}/ 2>&1 || echo connect-refused`,
          // Around the proxy: still no network.
          `curl -s -m 3 --noproxy '*' http://127.0.0.1:${hostPort}/ || echo direct-blocked`,
        ].join("; "),
        { repo: { name: "test-repo", url: pipeline.repo.url, credentialEnv: null, networkHosts: [`127.0.0.1:${hostPort}`] } },
      );
      expect(stdout).toContain("proxy:http://127.0.0.1:3128");
      expect(stdout.match(/host-server-answered/g)).toHaveLength(2);
      expect(stdout).not.toContain("other-server-answered");
      expect(stdout).toContain(`127.0.0.1:${otherPort} is not on this repository's network allow-list`);
      expect(stdout).toContain("status=403");
      expect(stdout).toContain("connect-refused");
      expect(stdout).toContain("direct-blocked");
    } finally {
      other.close();
    }
  });
});
