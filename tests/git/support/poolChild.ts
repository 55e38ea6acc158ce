import { fillPool } from "../../../jobs/git/workspacePool";
import { silentLogger } from "../../../jobs/logger";
import { prepareWorkspace, type PrepareWorkspaceOptions } from "../../../jobs/workspace";

/**
 * A job process's share of the workspace pool, in a process of its own so a test can SIGKILL
 * it part way: `fill <json>` fills a pool (fillPool's options), `prepare <json>` prepares a
 * run's workspace from the pool (prepareWorkspace's options). Prints "done" when finished.
 */
const [mode, json] = process.argv.slice(2);
const options = JSON.parse(json ?? "{}") as Record<string, unknown>;
if (mode === "fill") {
  await fillPool({ ...(options as { dataDir: string; mirror: string; baseBranch: string; size: number }), logger: silentLogger });
} else if (mode === "prepare") {
  await prepareWorkspace({ ...(options as PrepareWorkspaceOptions), pool: { size: 1, logger: silentLogger } });
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.stdout.write("done\n");
