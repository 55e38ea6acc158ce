import crypto from "node:crypto";
import { isNull } from "drizzle-orm";
import type { App } from "../server/app";
import { repository } from "../db/schema";
import { normalizeRepoUrl } from "./repos";
import { firstTeam } from "./teams";

export const DEMO_REPO_NAME = "demo";

/**
 * Registers `npm run demo`'s sample repository as "demo", so a newcomer's first New run has a
 * repository to pick instead of a path to copy from the terminal, in the first team (the first
 * account owns it). Nobody registered it (no creator); an existing repository of that name in
 * that team, the demo's or an admin's, is left alone.
 */
export async function ensureDemoRepository(app: Pick<App, "db">, path: string): Promise<boolean> {
  const inserted = await app.db
    .insert(repository)
    .values({
      id: crypto.randomUUID(),
      teamId: (await firstTeam(app)).id,
      name: DEMO_REPO_NAME,
      url: normalizeRepoUrl(path, true),
      defaultBranch: "main",
      credentialEnv: null,
      githubRepo: null,
      networkHosts: [],
      createdBy: null,
    })
    .onConflictDoNothing({ target: [repository.teamId, repository.name], where: isNull(repository.deletedAt) })
    .returning({ id: repository.id });
  return inserted.length > 0;
}
