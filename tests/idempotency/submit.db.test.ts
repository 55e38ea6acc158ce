import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as createRun } from "@/app/api/runs/route";
import { run } from "@/lib/db/schema";
import { readRunEvents } from "@/lib/eventLog";
import { call, createTokenFor, getApp, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };

describe("POST /api/runs with an Idempotency-Key", () => {
  let alice: Session;
  let bob: Session;
  let aliceToken: string;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-idem-"));
  const body = { repo: "idem", command: "echo once > once.txt", timeoutSec: 60 };

  beforeAll(async () => {
    const admin = await signUp("idem-admin@example.com");
    alice = await signUp("idem-alice@example.com");
    bob = await signUp("idem-bob@example.com");
    aliceToken = await createTokenFor(alice);
    expect((await registerRepo(admin, { name: "idem", url: repoDir, defaultBranch: "main" })).status).toBe(201);
  });

  const submit = (as: Session | string, key: string | undefined, payload: Record<string, unknown> = body) =>
    call(createRun, "/api/runs", { as, body: payload, headers: key === undefined ? {} : { "Idempotency-Key": key } });

  async function runsWithKey(userId: string, key: string) {
    const app = await getApp();
    return app.db.select().from(run).where(and(eq(run.userId, userId), eq(run.idempotencyKey, key)));
  }

  it("answers a repeated submit with the same run, 201 both times, and queues one job", async () => {
    const key = `k-${crypto.randomUUID()}`;
    const first = await submit(aliceToken, key);
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const created = (await first.json()) as { id: string; status: string };

    // The same request, through the cookie session this time, with a default written out.
    const again = await submit(alice, key, { ...body, priority: "normal" });
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(((await again.json()) as { id: string }).id).toBe(created.id);

    expect(await runsWithKey(alice.userId, key)).toHaveLength(1);
    const app = await getApp();
    const events = await readRunEvents(app.eventLog, created.id, "0");
    expect(events.map((e) => e.event.type)).toEqual(["run.queued"]);
    expect((await app.queue.getJob(created.id))?.data).toMatchObject({ runId: created.id });
  });

  it("refuses the same key with a different body with 422 naming the key; the first run stands", async () => {
    const key = `k-${crypto.randomUUID()}`;
    const first = (await (await submit(aliceToken, key)).json()) as { id: string };
    const other = await submit(aliceToken, key, { ...body, command: "echo twice > twice.txt" });
    expect(other.status).toBe(422);
    const error = ((await other.json()) as ErrorBody).error;
    expect(error.code).toBe("unprocessable");
    expect(error.issues?.map((i) => i.path)).toEqual(["Idempotency-Key"]);
    expect(error.message).toContain(key);
    const rows = await runsWithKey(alice.userId, key);
    expect(rows.map((r) => [r.id, r.command])).toEqual([[first.id, body.command]]);
  });

  it("keeps keys per user: another user's identical key makes that user's own run", async () => {
    const key = `shared-${crypto.randomUUID()}`;
    const mine = (await (await submit(alice, key)).json()) as { id: string };
    const theirs = await submit(bob, key);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("Idempotent-Replayed")).toBeNull();
    expect(((await theirs.json()) as { id: string }).id).not.toBe(mine.id);
  });

  it("makes exactly one run of many identical submits racing with one key", async () => {
    const key = `race-${crypto.randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 8 }, () => submit(aliceToken, key)));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    expect(answers.filter((r) => r.headers.get("Idempotent-Replayed") === null)).toHaveLength(1);
    const rows = await runsWithKey(alice.userId, key);
    expect(rows).toHaveLength(1);
    const app = await getApp();
    const events = await readRunEvents(app.eventLog, rows[0]!.id, "0");
    expect(events.map((e) => e.event.type)).toEqual(["run.queued"]);
  });

  it("still makes a new run for each submit without a key", async () => {
    const a = (await (await submit(aliceToken, undefined)).json()) as { id: string };
    const b = (await (await submit(aliceToken, undefined)).json()) as { id: string };
    expect(a.id).not.toBe(b.id);
  });

  it.each([
    ["an empty key", ""],
    ["a key over 255 characters", "x".repeat(256)],
    ["a key with a control character", "abc\tdef"],
  ])("answers 400 naming the header for %s", async (_what, key) => {
    const res = await submit(aliceToken, key);
    expect(res.status).toBe(400);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.issues?.map((i) => i.path)).toEqual(["Idempotency-Key"]);
  });
});
