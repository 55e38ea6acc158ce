import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PATCH as updateRepo } from "@/app/api/repos/[name]/route";
import { DELETE as removeServerRoute } from "@/app/api/repos/[name]/mcp-servers/[server]/route";
import { GET as listServersRoute, POST as addServerRoute } from "@/app/api/repos/[name]/mcp-servers/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import type { RunJobPayload } from "@/lib/queue";
import { call, createTokenFor, getApp, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
type ServerJson = { name: string; transport: string; command?: string; args?: string[]; url?: string; envNames: string[]; createdBy: string | null; warning?: string };

const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

describe("MCP servers of a repository (admin API)", () => {
  let admin: Session;
  let member: Session;
  let memberToken: string;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-mcp-repo-"));

  const add = (as: Session | string, repo: string, body: unknown) =>
    call(addServerRoute, `/api/repos/${repo}/mcp-servers`, { as, body, params: { name: repo } });
  const list = async (repo: string, as: Session | string = admin) => {
    const res = await call(listServersRoute, `/api/repos/${repo}/mcp-servers`, { as, params: { name: repo } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { servers: ServerJson[] }).servers;
  };
  const remove = (as: Session | string, repo: string, server: string) =>
    call(removeServerRoute, `/api/repos/${repo}/mcp-servers/${server}`, { as, method: "DELETE", params: { name: repo, server } });

  beforeAll(async () => {
    admin = await signUp("mcp-admin@example.com");
    member = await signUp("mcp-member@example.com");
    memberToken = await createTokenFor(member);
    for (const name of ["tools", "other"]) expect((await registerRepo(admin, { name, url: repoDir })).status).toBe(201);
  });

  it("is for admins only: a member gets 403 on every route, a stranger 401", async () => {
    expect((await add(admin, "tools", { name: "guarded", transport: "stdio", command: "guarded" })).status).toBe(201);
    for (const as of [member, memberToken]) {
      const attempts = [
        await call(listServersRoute, "/api/repos/tools/mcp-servers", { as, params: { name: "tools" } }),
        await add(as, "tools", { name: "sneaky", transport: "stdio", command: "sh" }),
        await remove(as, "tools", "guarded"),
      ];
      for (const res of attempts) expect(res.status).toBe(403);
    }
    expect((await call(listServersRoute, "/api/repos/tools/mcp-servers", { params: { name: "tools" } })).status).toBe(401);
    expect((await list("tools")).map((s) => s.name)).toEqual(["guarded"]);
    expect((await remove(admin, "tools", "guarded")).status).toBe(204);
  });

  it("answers 404 for a repository that is not registered", async () => {
    expect((await call(listServersRoute, "/api/repos/nope/mcp-servers", { as: admin, params: { name: "nope" } })).status).toBe(404);
    expect((await add(admin, "nope", { name: "x", transport: "stdio", command: "x" })).status).toBe(404);
    expect((await remove(admin, "nope", "x")).status).toBe(404);
  });

  it.each([
    [{ transport: "stdio", command: "mcp-fs" }, "name"],
    [{ name: "Files", transport: "stdio", command: "mcp-fs" }, "name"],
    [{ name: "files", command: "mcp-fs" }, "transport"],
    [{ name: "files", transport: "sse", command: "mcp-fs" }, "transport"],
    [{ name: "files", transport: "stdio" }, "command"],
    [{ name: "files", transport: "stdio", command: "npx mcp-fs" }, "command"],
    [{ name: "files", transport: "stdio", command: "mcp-fs", args: ["a\nb"] }, "args.0"],
    [{ name: "files", transport: "stdio", command: "mcp-fs", envNames: ["REDIS_URL"] }, "envNames.0"],
    [{ name: "web", transport: "http" }, "url"],
    [{ name: "web", transport: "http", url: "ftp://mcp.example.com" }, "url"],
    [{ name: "web", transport: "http", url: "not a url" }, "url"],
    [{ name: "web", transport: "http", url: "https://user:token@mcp.example.com/mcp" }, "url"],
    [{ name: "web", transport: "http", url: "https://mcp.example.com", envNames: ["1BAD"] }, "envNames.0"],
  ])("answers 400 naming the field for %j", async (body, field) => {
    const res = await add(admin, "tools", body);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_request");
    expect(error.issues?.map((i) => i.path)).toContain(field);
  });

  it("adds, lists and removes servers of one repository only; a name is unique per repository", async () => {
    const stdio = await add(admin, "tools", { name: "files", transport: "stdio", command: "mcp-fs", args: ["--root", "."], envNames: ["FS_TOKEN"] });
    expect(stdio.status).toBe(201);
    expect(await stdio.json()).toMatchObject({ name: "files", transport: "stdio", command: "mcp-fs", args: ["--root", "."], envNames: ["FS_TOKEN"], createdBy: admin.email });
    const http = await add(admin, "tools", { name: "docs", transport: "http", url: "https://mcp.example.com/mcp", envNames: ["DOCS_TOKEN"] });
    expect(http.status).toBe(201);
    // Not among the repository's network hosts: the proxy would refuse it, and the admin is told.
    expect(((await http.json()) as ServerJson).warning).toMatch(/runs cannot reach mcp\.example\.com/);

    const duplicate = await add(admin, "tools", { name: "files", transport: "http", url: "https://x.example.com" });
    expect(duplicate.status).toBe(409);
    expect((await errorOf(duplicate)).issues?.[0]?.path).toBe("name");
    // The same name on another repository is another server.
    expect((await add(admin, "other", { name: "files", transport: "stdio", command: "other-fs" })).status).toBe(201);

    const listed = await list("tools");
    expect(listed.map((s) => [s.name, s.transport])).toEqual([["docs", "http"], ["files", "stdio"]]);
    expect(listed[0]).not.toHaveProperty("command");
    expect(listed[1]).not.toHaveProperty("url");

    // Once the host is allowed the warning goes.
    const opened = await call(updateRepo, "/api/repos/tools", { as: admin, method: "PATCH", body: { networkHosts: ["mcp.example.com"] }, params: { name: "tools" } });
    expect(opened.status).toBe(200);
    expect((await list("tools")).find((s) => s.name === "docs")).not.toHaveProperty("warning");

    expect((await remove(admin, "tools", "files")).status).toBe(204);
    expect((await remove(admin, "tools", "files")).status).toBe(404);
    expect((await list("tools")).map((s) => s.name)).toEqual(["docs"]);
    expect((await list("other")).map((s) => s.name)).toEqual(["files"]);
    expect((await remove(admin, "tools", "docs")).status).toBe(204);
  });

  it("gives every run on the repository its servers, whatever the executor", async () => {
    expect((await add(admin, "other", { name: "search", transport: "http", url: "http://10.0.0.5:8080/mcp", envNames: ["SEARCH_KEY"] })).status).toBe(201);
    const res = await call(createRunRoute, "/api/runs", { as: member, body: { repo: "other", command: "true" } });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const job = await (await getApp()).queue.getJob(id);
    expect((job?.data as RunJobPayload).mcpServers).toEqual([
      { name: "files", transport: "stdio", command: "other-fs", args: [], envNames: [] },
      { name: "search", transport: "http", url: "http://10.0.0.5:8080/mcp", envNames: ["SEARCH_KEY"] },
    ]);
    // A repository without servers: an empty list.
    const plain = await call(createRunRoute, "/api/runs", { as: member, body: { repo: "tools", command: "true" } });
    const plainJob = await (await getApp()).queue.getJob(((await plain.json()) as { id: string }).id);
    expect((plainJob?.data as RunJobPayload).mcpServers).toEqual([]);
  });
});
