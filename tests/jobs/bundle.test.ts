import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEventLog } from "@/lib/eventLog";
import { createRedis } from "@/lib/redis";
import { bundleBranch, deleteRunBundle, loadRunBundle, restoreBranch, saveRunBundle } from "@/jobs/git/bundle";
import { createTestRepo, git } from "../support/gitRepo";

describe("branch bundles", () => {
  const redis = createRedis(process.env.REDIS_URL!, "worker", "bundle-test");
  const log = createEventLog(redis, process.env.REDIS_PREFIX);
  afterAll(() => redis.disconnect());

  it("carries a branch's commits from one mirror to another through Redis", async () => {
    const repo = await createTestRepo({ files: { "a.txt": "a\n" } });
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "bundle-"));
    try {
      const one = path.join(tmp, "one.git");
      const two = path.join(tmp, "two.git");
      await git(tmp, "clone", "--quiet", "--bare", repo.url, one);
      await git(tmp, "clone", "--quiet", "--bare", repo.url, two);
      const baseSha = await git(one, "rev-parse", "main");
      // Two commits on a run branch in the first mirror only.
      const work = path.join(tmp, "work");
      await git(tmp, "clone", "--quiet", one, work);
      await git(work, "checkout", "--quiet", "-b", "agentdesk/x-1");
      for (const n of [1, 2]) {
        await fs.writeFile(path.join(work, `f${n}.txt`), `${n}\n`);
        await git(work, "add", ".");
        await git(work, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", `c${n}`);
      }
      await git(work, "push", "--quiet", "origin", "agentdesk/x-1");
      const headSha = await git(one, "rev-parse", "agentdesk/x-1");

      expect(await bundleBranch({ gitDir: one, branch: "agentdesk/x-1", baseSha: headSha })).toBeNull();
      const made = await bundleBranch({ gitDir: one, branch: "agentdesk/x-1", baseSha });
      const runId = crypto.randomUUID();
      await saveRunBundle(log, runId, made!);
      const loaded = await loadRunBundle(log, runId);
      expect(loaded!.meta).toEqual({ branch: "agentdesk/x-1", baseSha, headSha });
      expect(Buffer.compare(loaded!.bundle, made!.bundle)).toBe(0);

      expect(await restoreBranch({ gitDir: two, ...loaded! })).toBe(headSha);
      expect(await git(two, "log", "--format=%s", "agentdesk/x-1")).toBe("c2\nc1\ninitial commit");
      await deleteRunBundle(log, runId);
      expect(await loadRunBundle(log, runId)).toBeNull();
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
      await repo.remove();
    }
  });
});
