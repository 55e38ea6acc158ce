import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSandbox, runSandboxed } from "../../jobs/sandbox/sandbox";
import type { SandboxSettings, SandboxSpec } from "../../jobs/sandbox/spec";
import { eventually } from "../jobs/helpers";
import { hostProcessesWith, sleepProcess, uniqueSleep } from "./support/processes";

const root = path.resolve(import.meta.dirname, "../..");
const ON: SandboxSettings = { mode: "on", allowPrivateNetwork: true };
let base: string;
let workspace: string;
let server: http.Server;
let port: number;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-sandbox-test-")));
  workspace = path.join(base, "workspace");
  await fs.mkdir(workspace);
  server = http.createServer((_req, res) => res.end("allowed-server-answered\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server?.close();
  await fs.rm(base, { recursive: true, force: true });
});

const spec = (extra: Partial<SandboxSpec> = {}): SandboxSpec => ({ workspace, readOnlyPaths: [], networkHosts: [], ...extra });

async function bash(command: string, options: { spec?: SandboxSpec; settings?: SandboxSettings; signal?: AbortSignal } = {}) {
  let stdout = "";
  let stderr = "";
  const outcome = await runSandboxed({
    program: "bash",
    args: ["-c", command],
    spec: options.spec ?? spec(),
    settings: options.settings ?? ON,
    signal: options.signal ?? new AbortController().signal,
    onOutput: (stream, chunk) => {
      if (stream === "stdout") stdout += chunk.toString();
      else stderr += chunk.toString();
    },
  });
  return { ...outcome, stdout, stderr };
}

const gone = (marker: string) => async () => ((await hostProcessesWith(marker)).length === 0 ? true : undefined);

describe("runSandboxed", () => {
  it("runs as a non-root user without capabilities, with a private HOME and /tmp", async () => {
    const decoy = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-host-tmp-decoy-"));
    const { stdout, exitCode } = await bash(
      "id -u; grep CapEff /proc/self/status; echo $HOME; touch $HOME/h /tmp/t && echo writable; ls /tmp",
    );
    await fs.rm(decoy, { recursive: true });
    expect(exitCode).toBe(0);
    const [uid, caps, home] = stdout.split("\n");
    expect(uid).not.toBe("0");
    expect(caps).toMatch(/CapEff:\s+0+$/);
    expect(home).toBe("/home/agentdesk");
    expect(stdout).toContain("writable");
    // The host's /tmp is not what the sandbox sees.
    expect(stdout).not.toContain("agentdesk-host-tmp-decoy-");
  });

  it("shows readOnlyPaths read-only at the same place, and nothing else beside the workspace", async () => {
    const objects = path.join(base, "objects");
    const secret = path.join(base, "secret");
    await fs.mkdir(objects);
    await fs.mkdir(secret);
    await fs.writeFile(path.join(objects, "pack"), "borrowed-objects\n");
    await fs.writeFile(path.join(secret, "key"), "sibling-secret\n");
    const { stdout } = await bash(
      `cat ${objects}/pack; echo x > ${objects}/pack 2>/dev/null && echo wrote-objects; cat ${secret}/key 2>/dev/null || echo no-secret`,
      { spec: spec({ readOnlyPaths: [objects] }) },
    );
    expect(stdout).toBe("borrowed-objects\nno-secret\n");
    expect(await fs.readFile(path.join(objects, "pack"), "utf8")).toBe("borrowed-objects\n");
  });

  it("keeps a read-only path inside the workspace read-only", async () => {
    const hooks = path.join(workspace, "protected");
    await fs.mkdir(hooks, { recursive: true });
    const { stdout } = await bash(`echo x > ${hooks}/f 2>/dev/null && echo wrote || echo refused`, {
      spec: spec({ readOnlyPaths: [hooks] }),
    });
    expect(stdout).toBe("refused\n");
  });

  it("refuses a read-only path that would cover the workspace, and a working directory outside it", async () => {
    await expect(bash("true", { spec: spec({ readOnlyPaths: [base] }) })).rejects.toThrow(/contains the workspace/);
    await expect(openSandbox(spec(), ON).then((s) => s.command("true", [], { cwd: base }))).rejects.toThrow(/outside the workspace/);
  });

  it("refuses loopback and private targets through the proxy unless local repositories are allowed", async () => {
    const { stdout } = await bash(`curl -s -m 5 http://127.0.0.1:${port}/`, {
      spec: spec({ networkHosts: [`127.0.0.1:${port}`] }),
      settings: { mode: "on", allowPrivateNetwork: false },
    });
    expect(stdout).toMatch(/loopback or private address/);
    expect(stdout).not.toContain("allowed-server-answered");
    const { stdout: connect } = await bash(`curl -sS -m 5 --proxytunnel http://localhost:${port}/ 2>&1`, {
      spec: spec({ networkHosts: [`localhost:${port}`] }),
      settings: { mode: "on", allowPrivateNetwork: false },
    });
    expect(connect).toMatch(/403/);
    expect(connect).not.toContain("allowed-server-answered");
  });

  it("kills everything it started on cancel, setsid and nohup included", async () => {
    const a = uniqueSleep();
    const b = uniqueSleep();
    const controller = new AbortController();
    const running = bash(`setsid ${a.command} & nohup ${b.command} >/dev/null 2>&1 & sleep 100`, { signal: controller.signal });
    await eventually(() => sleepProcess(a.marker));
    await eventually(() => sleepProcess(b.marker));
    controller.abort(new Error("cancelled"));
    await running;
    await eventually(gone(a.marker), 3_000);
    await eventually(gone(b.marker), 3_000);
  });

  it("leaves nothing behind when the job process is SIGKILLed", async () => {
    const a = uniqueSleep();
    const b = uniqueSleep();
    // node itself (not the tsx wrapper, which would leave its own child alive) is the parent.
    const holder = spawn(
      process.execPath,
      ["--import", "tsx", "tests/sandbox/support/holdSandbox.ts", `setsid ${a.command} & ${b.command}`, workspace],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await eventually(() => sleepProcess(a.marker));
      await eventually(() => sleepProcess(b.marker));
      const bwraps = (await hostProcessesWith(b.marker)).filter((p) => p.argv[0]?.endsWith("bwrap"));
      expect(bwraps.length).toBeGreaterThan(0);
      const parentOf = async (pid: number) => Number((await fs.readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ")[1]);
      expect(await Promise.all(bwraps.map((p) => parentOf(p.pid)))).toContain(holder.pid);
      holder.kill("SIGKILL");
      await eventually(gone(a.marker), 5_000);
      await eventually(gone(b.marker), 5_000);
    } finally {
      if (holder.exitCode === null) holder.kill("SIGKILL");
    }
  });

  it("shows the workspace at its view instead of its own path, with read-only paths inside it moved along", async () => {
    const inner = path.join(workspace, "view-protected");
    await fs.mkdir(inner, { recursive: true });
    await fs.writeFile(path.join(workspace, "seen.txt"), "seen\n");
    const { stdout } = await bash(
      `pwd; cat /workspace/seen.txt; echo made > made.txt; ls ${workspace} 2>/dev/null || echo no-real-path; echo x > /workspace/view-protected/f 2>/dev/null || echo protected-refused`,
      { spec: spec({ workspaceView: "/workspace", readOnlyPaths: [inner] }) },
    );
    expect(stdout).toBe("/workspace\nseen\nno-real-path\nprotected-refused\n");
    expect(await fs.readFile(path.join(workspace, "made.txt"), "utf8")).toBe("made\n");
    const sandbox = await openSandbox(spec({ workspaceView: "/workspace" }), ON);
    try {
      expect(sandbox.workspace).toBe("/workspace");
      expect(sandbox.command("true", [], { cwd: "/workspace/sub" }).cwd).toBe(path.join(workspace, "sub"));
      expect(() => sandbox.command("true", [], { cwd: workspace })).toThrow(/outside the workspace/);
    } finally {
      await sandbox.close();
    }
    for (const view of ["/usr/workspace", "/tmp", "/home/agentdesk/w", "relative", "/", base]) {
      await expect(bash("true", { spec: spec({ workspaceView: view, readOnlyPaths: [base] }) })).rejects.toThrow(/workspace view/);
    }
  });

  it("with SANDBOX=off runs the program itself, with the allow-listed environment", async () => {
    process.env.AGENTDESK_SANDBOX_OFF_SECRET = "off-secret-value";
    try {
      const { stdout } = await bash("env; ls / | grep -c .", { settings: { mode: "off", allowPrivateNetwork: true } });
      expect(stdout).not.toContain("off-secret-value");
      expect(stdout).toMatch(/^HOME=.*agentdesk-sandbox-/m);
    } finally {
      delete process.env.AGENTDESK_SANDBOX_OFF_SECRET;
    }
  });
});
