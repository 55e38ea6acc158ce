import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { run } from "@/lib/db/schema";
import { createEventLog } from "@/lib/eventLog";
import { toErrorResponse } from "@/lib/http/route";
import { createRunsQueue } from "@/lib/queue";
import { createRedis } from "@/lib/redis";
import { createRun, createRunInput } from "@/lib/services/runs";
import { createRepo } from "@/lib/services/repos";
import { getApp, principalFor, signUp } from "../support/web";

describe("submitting while Redis is down", () => {
  it("answers 503 at once instead of hanging, and leaves no run behind", async () => {
    const app = await getApp();
    const session = await signUp("admin@example.com");
    const principal = await principalFor(session);
    await createRepo(app, principal, { name: "demo", url: fs.mkdtempSync(path.join(os.tmpdir(), "repo-")) });

    // Nothing listens on port 1: the web's fail-fast client must give up, not queue the command.
    const deadRedis = createRedis("redis://127.0.0.1:1", "web", "dead");
    deadRedis.on("error", () => {});
    const offline = { ...app, redis: deadRedis, eventLog: createEventLog(deadRedis, "dead:"), queue: createRunsQueue(deadRedis, "dead:") };
    offline.queue.on("error", () => {});
    const started = Date.now();
    const error = await createRun(offline, principal, createRunInput.parse({ repo: "demo", command: "true" })).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
    const res = toErrorResponse(error, "test");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    expect(await app.db.select().from(run).where(eq(run.userId, session.userId))).toEqual([]);
    deadRedis.disconnect();
  });
});
