import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { findBwrap, runSandboxed } from "./sandbox";
import type { SandboxSettings } from "./spec";

const PROBE_TIMEOUT_MS = 15_000;

export const SANDBOX_OFF_HINT =
  "fix that, or set SANDBOX=off to run commands without a sandbox (every page then shows a warning and only admins may start runs)";

/**
 * Checks, at the job process's start, that the sandbox really works here: bwrap is on PATH,
 * it can create its namespaces, the process inside sees its own PID namespace, and the network
 * is really gone (a port listening on this machine's loopback cannot be reached from inside).
 * Returns what failed, or null.
 */
export async function probeSandbox(settings: SandboxSettings): Promise<string | null> {
  if (!findBwrap()) return "bwrap (the bubblewrap package) is not on PATH";
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-probe-"));
  const listener = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const port = (listener.address() as net.AddressInfo).port;
  let output = "";
  try {
    // Each line names one property; the caller sees which one did not hold.
    const script = [
      `echo "processes:$(ls /proc | grep -c '^[0-9]')"`,
      `if (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null; then echo network:reachable; else echo network:unreachable; fi`,
      `echo "uid:$(id -u)"`,
    ].join("\n");
    const outcome = await runSandboxed({
      program: "bash",
      args: ["-c", script],
      spec: { workspace, readOnlyPaths: [], networkHosts: [] },
      settings: { ...settings, mode: "on" },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      onOutput: (_stream, chunk) => {
        output += chunk.toString("utf8");
      },
    });
    const said = (key: string) => new RegExp(`^${key}:(.*)$`, "m").exec(output)?.[1];
    if (outcome.exitCode !== 0) {
      const detail = output.trim().split("\n").slice(-3).join(" / ") || "no output";
      return `bwrap could not start a sandbox (exit ${outcome.exitCode ?? outcome.signal}): ${detail}`;
    }
    const processes = Number(said("processes"));
    // bwrap's init, bash and its `ls`: a handful. The host's PID namespace shows far more.
    if (!Number.isFinite(processes) || processes > 5) return `the sandbox does not get its own PID namespace (it sees ${processes} processes)`;
    if (said("network") !== "unreachable") return "the sandbox's network is not isolated (it reached a port on this machine's loopback)";
    if (said("uid") === "0") return "the sandbox runs as root inside";
    return null;
  } catch (e) {
    return `bwrap could not start a sandbox: ${(e as Error).message}`;
  } finally {
    listener.close();
    await fs.rm(workspace, { recursive: true, force: true });
  }
}
