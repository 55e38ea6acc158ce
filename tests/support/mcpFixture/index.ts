import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { McpServerSpec } from "../../../lib/contracts/executorSpecs";

/**
 * The test MCP server (server.mjs, a real server on @modelcontextprotocol/sdk) as a run's
 * repository would have it configured. Its script lies outside any workspace, so the sandbox
 * must show it read-only: jobs/mcp/serverLaunch.ts does that for MCP server processes (it binds
 * the folder of a script named in the arguments, and AgentDesk's node_modules).
 *
 *   const spec = fixtureServer({ tag });          // { name: "fixture", transport: "stdio", command: "/usr/bin/node", args: [...] }
 *   payload.mcpServers = [spec];                  // the model then sees mcp__fixture__echo, …
 */
export const FIXTURE_SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "server.mjs");
export const FIXTURE_NODE = "/usr/bin/node";

export type FixtureOptions = {
  name?: string;
  /** Put on the command line, so a test finds the server's processes (fixtureProcesses). */
  tag?: string;
  /** The server writes this to stderr (`$NAME` replaced by that variable's value) and exits 3 before speaking MCP. */
  failStart?: string;
  /** Also offer tools with names a client must refuse. */
  badToolNames?: boolean;
  envNames?: string[];
};

export function fixtureServer(options: FixtureOptions = {}): Extract<McpServerSpec, { transport: "stdio" }> {
  const args = [FIXTURE_SERVER_SCRIPT];
  if (options.tag) args.push("--tag", options.tag);
  if (options.failStart) args.push("--fail-start", options.failStart);
  if (options.badToolNames) args.push("--bad-tool-names");
  return { name: options.name ?? "fixture", transport: "stdio", command: FIXTURE_NODE, args, envNames: options.envNames ?? [] };
}

/** A fresh tag for one test's server. */
export const fixtureTag = () => `mcp-fixture-${crypto.randomBytes(6).toString("hex")}`;

/** Host PIDs of live processes whose command line holds `tag` (the server and its sandbox). */
export function fixtureProcesses(tag: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const state = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.[0];
      if (cmdline.split("\0").includes(tag) && state !== "Z") pids.push(Number(entry));
    } catch {
      // Ended while we looked.
    }
  }
  return pids;
}

/** The fixture as a Streamable HTTP server on loopback (from the job process, not sandboxed). */
export async function startFixtureHttpServer(options: { token?: string } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const args = [FIXTURE_SERVER_SCRIPT, "--http", "0", ...(options.token ? ["--token", options.token] : [])];
  const child: ChildProcess = spawn(FIXTURE_NODE, args, { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`the fixture HTTP server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
