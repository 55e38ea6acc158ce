import crypto from "node:crypto";
import { run } from "@/lib/db/schema";
import { getApp } from "./web";

/** A run row in a given status, written straight to the database (for admin checks that only count runs). */
export async function insertRunRow(userId: string, repositoryId: string, status: "running" | "completed" | "awaiting_review"): Promise<string> {
  const { db } = await getApp();
  const id = crypto.randomUUID();
  await db.insert(run).values({
    id,
    userId,
    repositoryId,
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
