import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as runEvents } from "@/app/api/runs/[id]/events/route";
import { GET as getRun } from "@/app/api/runs/[id]/route";
import { GET as listRuns, POST as createRun } from "@/app/api/runs/route";
import { parseActionForm } from "@/lib/http/action";
import { NUL_MESSAGE } from "@/lib/http/zodIssues";
import { createRunInput } from "@/lib/services/runs";
import { call, registerRepo, signUp, type Session } from "../support/web";

/**
 * A NUL character in any API input is a 400 naming the field (issue 8), checked once at the
 * boundary (lib/http/route.ts, lib/http/action.ts), never a 500 from the database.
 */
let user: Session;
const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));

beforeAll(async () => {
  user = await signUp(`nul-${crypto.randomUUID()}@example.com`);
  expect((await registerRepo(user, { name: "demo", url: repoDir })).status).toBe(201);
});
afterAll(() => fs.rmSync(repoDir, { recursive: true, force: true }));

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };

async function expectNulRefused(res: Response, field: string) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe("invalid_request");
  expect(body.error.issues).toEqual([{ path: field, message: NUL_MESSAGE }]);
  expect(body.error.message).toContain(`${field}: ${NUL_MESSAGE}`);
}

async function runCount(): Promise<number> {
  const res = await call(listRuns, "/api/runs?limit=100", { as: user });
  return ((await res.json()) as { runs: unknown[] }).runs.length;
}

describe("route handlers", () => {
  it("POST /api/runs with a NUL in the prompt is a 400 naming `prompt`, and creates nothing", async () => {
    const before = await runCount();
    // A cli run, so that nothing but the NUL stands between this request and the database.
    const body = { repo: "demo", command: "true", prompt: "fix\u0000this" };
    await expectNulRefused(await call(createRun, "/api/runs", { as: user, body }), "prompt");
    expect(await runCount()).toBe(before);
  });

  it("names a nested field, an array element and a key holding the NUL", async () => {
    await expectNulRefused(
      await call(createRun, "/api/runs", { as: user, body: { repo: "demo", prompt: "ok", extra: { list: ["a", "b\u0000"] } } }),
      "extra.list.1",
    );
    await expectNulRefused(await call(createRun, "/api/runs", { as: user, body: { repo: "demo", prompt: "ok", ["pro\u0000mpt"]: "x" } }), "pro\u2400mpt");
    // Raw JSON with the escape, as curl would send it.
    await expectNulRefused(
      await call(createRun, "/api/runs", { as: user, rawBody: '{"repo":"demo","command":"echo \\u0000"}', headers: { "content-type": "application/json" } }),
      "command",
    );
  });

  it("refuses a NUL in the query (also one the handler reads itself) and in path parameters", async () => {
    await expectNulRefused(await call(listRuns, "/api/runs?status=%00", { as: user }), "status");
    const created = await call(createRun, "/api/runs", { as: user, body: { repo: "demo", command: "true" } });
    const { id } = (await created.json()) as { id: string };
    await expectNulRefused(await call(runEvents, `/api/runs/${id}/events?after=1-0%00`, { as: user, params: { id } }), "after");
    await expectNulRefused(await call(getRun, "/api/runs/x%00", { as: user, params: { id: "x\u0000" } }), "id");
  });

  it("still accepts the same input without the NUL", async () => {
    const res = await call(createRun, "/api/runs", { as: user, body: { repo: "demo", command: "true", prompt: "fix this", extra: { list: ["a", "b"] } } });
    expect(res.status).toBe(201);
  });
});

describe("server actions", () => {
  const form = (fields: Record<string, string>) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    return f;
  };

  it("a NUL in a form field is refused naming the field, before the schema", () => {
    const result = parseActionForm(createRunInput, form({ repo: "demo", prompt: "fix\u0000this" }));
    expect(result).toEqual({ ok: false, error: "Please correct the fields marked below.", fieldErrors: { prompt: NUL_MESSAGE } });
  });

  it("also in a field the schema does not know, or one that holds nothing else", () => {
    expect(parseActionForm(createRunInput, form({ repo: "demo", prompt: "ok", other: "\u0000" }))).toMatchObject({
      ok: false,
      fieldErrors: { other: NUL_MESSAGE },
    });
  });

  it("passes a clean form on to the schema", () => {
    expect(parseActionForm(createRunInput, form({ repo: "demo", prompt: "fix this" }))).toMatchObject({
      ok: true,
      data: { repo: "demo", prompt: "fix this", executor: "agent" },
    });
    expect(parseActionForm(createRunInput, form({ prompt: "fix this" }))).toMatchObject({ ok: false, fieldErrors: { repo: expect.any(String) } });
  });
});
