import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckSpec } from "../../lib/contracts/environment";
import type { RunEvent } from "../../lib/events";
import { TEST_API_KEY, lastEvent, ofType, startAgentHarness, type AgentHarness } from "../agent/agentHarness";
import { spec } from "../environment/support";

/**
 * Hooks never see what they were not given (real bubblewrap, the real worker): a hook that
 * prints its environment, reads every process's environ, asks for the model key and the
 * repository's credential, tries the network and writes outside the workspace gets nothing;
 * an admin cannot hand them AgentDesk's secrets or the credential either. The probes print
 * counts and yes/no answers, not values, so masking cannot hide a leak from the test.
 */
const CREDENTIAL = "HOOK_TEST_CREDENTIAL";
const CREDENTIAL_VALUE = "cred_7f3e9a1b2c4d";
const TOKEN_VALUE = "hooktok_91c2e7d4a8";
let h: AgentHarness;
let server: http.Server;
let port: number;
let requests = 0;
const outside = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-outside-"));

beforeAll(async () => {
  process.env[CREDENTIAL] = CREDENTIAL_VALUE;
  process.env.HOOK_TEST_TOKEN = TOKEN_VALUE;
  server = http.createServer((_req, res) => {
    requests++;
    res.end("reached");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  h = await startAgentHarness({ executor: "cli" });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await new Promise((resolve) => server?.close(resolve));
  fs.rmSync(outside, { recursive: true, force: true });
  delete process.env[CREDENTIAL];
  delete process.env.HOOK_TEST_TOKEN;
});

const check = (name: string, command: string): CheckSpec => ({ name, command, timeoutSec: 30 });
const outputOf = (events: RunEvent[], name: string) => {
  const started = ofType(events, "check.started").find((e) => e.name === name)!;
  return ofType(events, "log")
    .filter((e) => e.callId === started.checkId && e.stream)
    .map((e) => e.message)
    .join("");
};

describe("what a hook can see and reach", () => {
  it("sees only the allow-listed environment and its own variables: no model key, no credential, no network, no writes outside", async () => {
    const secretPattern = `-e ${TEST_API_KEY} -e ${CREDENTIAL_VALUE} -e ${h.config.redisUrl.replace(/^redis:\/\//, "")}`;
    const { events } = await h.run([], {
      command: "echo made > made.txt",
      repo: { name: "test-repo", url: h.repo.url, credentialEnv: CREDENTIAL, networkHosts: [] },
      environment: spec({
        checkEnvNames: ["HOOK_TEST_TOKEN"],
        checks: {
          pre: [],
          onError: [],
          post: [
            check("env-names", "env | cut -d= -f1 | sort | tr '\\n' ' '"),
            check("proc-environ", `n=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c ${secretPattern} || true); echo "leaks=$n"`),
            check("asks", `echo "key=[\${ANTHROPIC_API_KEY:-}] cred=[\${${CREDENTIAL}:-}] redis=[\${REDIS_URL:-}] token-set=$(test -n "$HOOK_TEST_TOKEN" && echo yes)"; echo "token=$HOOK_TEST_TOKEN"`),
            check("network", `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo net=REACHED || echo net=blocked`),
            check(
              "writes",
              [
                `(echo pwned > ${outside}/pwned.txt) 2>/dev/null && echo outside=WRITTEN || echo outside=refused`,
                `(echo pwned > ${h.config.dataDir}/pwned.txt) 2>/dev/null && echo datadir=WRITTEN || echo datadir=refused`,
                `echo inside=$( (echo ok > inside.txt) && echo ok)`,
              ].join("\n"),
            ),
          ],
        },
      }),
    });
    expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });

    const names = outputOf(events, "env-names").trim().split(/\s+/);
    for (const forbidden of ["ANTHROPIC_API_KEY", CREDENTIAL, "REDIS_URL", "DATABASE_URL", "AUTH_SECRET", "DATA_DIR"]) expect(names).not.toContain(forbidden);
    expect(names).toContain("HOOK_TEST_TOKEN");
    expect(outputOf(events, "proc-environ")).toContain("leaks=0");
    const asks = outputOf(events, "asks");
    expect(asks).toContain("key=[] cred=[] redis=[] token-set=yes");
    // The variable it was given is masked in everything the run shows.
    expect(asks).toContain("token=***");
    expect(JSON.stringify(events)).not.toContain(TOKEN_VALUE);
    expect(outputOf(events, "network")).toContain("net=blocked");
    expect(requests).toBe(0);
    const writes = outputOf(events, "writes");
    expect(writes).toContain("outside=refused");
    // DATA_DIR is hidden (under a private, throwaway folder): whatever a write there did, the host's is untouched.
    expect(writes).toContain("inside=ok");
    expect(fs.existsSync(path.join(outside, "pwned.txt"))).toBe(false);
    expect(fs.existsSync(path.join(h.config.dataDir, "pwned.txt"))).toBe(false);
  });

  it("reaches the hosts of checkHosts through the proxy and no other; the run's own command does not get them", async () => {
    const other = http.createServer((_req, res) => res.end("other-server-answered\n"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherPort = (other.address() as AddressInfo).port;
    const before = requests;
    try {
      const { events } = await h.run([], {
        // The run's command has no hosts of its own: the check's list is the check's.
        command: `curl -s -m 5 http://127.0.0.1:${port}/ > run-net.txt || echo blocked > run-net.txt`,
        repo: { name: "test-repo", url: h.repo.url, credentialEnv: null, networkHosts: [] },
        environment: spec({
          checkHosts: [`127.0.0.1:${port}`],
          checks: {
            pre: [],
            onError: [],
            post: [
              check(
                "fetch",
                [
                  `echo "allowed=$(curl -s -m 5 http://127.0.0.1:${port}/)"`,
                  `curl -s -m 5 -w ' status=%{http_code}\n' http://127.0.0.1:${otherPort}/`,
                  `curl -s -m 3 --noproxy '*' http://127.0.0.1:${port}/ || echo direct-blocked`,
                ].join("; "),
              ),
            ],
          },
        }),
      });
      expect(lastEvent(events)).toMatchObject({ type: "run.awaiting_review" });
      const fetched = outputOf(events, "fetch");
      expect(fetched).toContain("allowed=reached");
      expect(fetched).not.toContain("other-server-answered");
      expect(fetched).toContain("status=403");
      expect(fetched).toContain("direct-blocked");
      // One request reached the host: the check's through the proxy, not the run's command's.
      expect(requests - before).toBe(1);
    } finally {
      other.close();
    }
  });

  it("refuses to give a hook the repository's credential or AgentDesk's own secrets, naming them", async () => {
    for (const name of [CREDENTIAL, "ANTHROPIC_API_KEY", "AUTH_SECRET"]) {
      const { events } = await h.run([], {
        command: "echo made > made.txt",
        repo: { name: "test-repo", url: h.repo.url, credentialEnv: CREDENTIAL, networkHosts: [] },
        environment: spec({ checkEnvNames: [name], checks: { pre: [check("leak", `echo "got=$${name}"`)], post: [], onError: [] } }),
      });
      const failed = lastEvent(events);
      expect(failed).toMatchObject({ type: "run.failed" });
      expect((failed as { error: string }).error).toContain(`the repository's checks may not be given ${name}`);
      expect(ofType(events, "check.finished")[0]).toMatchObject({ ok: false, exitCode: null });
      expect(outputOf(events, "leak")).toBe("");
      expect(ofType(events, "tool.started")).toEqual([]);
    }
  });
});
