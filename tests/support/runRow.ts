import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { repository, run } from "@/lib/db/schema";
import { getApp } from "./web";

/** A run row in a given status, written straight to the database (for admin checks that only count runs). */
export async function insertRunRow(userId: string, repositoryId: string, status: "running" | "completed" | "awaiting_review" | "failed"): Promise<string> {
  const { db } = await getApp();
  const id = crypto.randomUUID();
  const [repo] = await db.select({ teamId: repository.teamId }).from(repository).where(eq(repository.id, repositoryId));
  await db.insert(run).values({
    id,
    userId,
    repositoryId,
    teamId: repo!.teamId,
    title: "t",
    prompt: "p",
    executor: "cli",
    approvalMode: "auto",
    maxTurns: 1,
    timeoutSec: 60,
    priority: "normal",
    baseBranch: "main",
    branch: `agentdesk/t-${id.slice(0, 8)}`,
    status,
  });
  return id;
}
