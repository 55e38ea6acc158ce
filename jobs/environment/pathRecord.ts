import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { PermanentRunError } from "../errors";
import { readFileOrNull } from "../fsUtil";
import { writeFileAtomic } from "../git/platformRepo";

const record = z.object({ paths: z.array(z.string().min(1)) });

/**
 * A list of workspace paths kept in the run's repository (`info/<name>`), which nothing the run
 * executes can write: what the environment put into the workspace, read by every commit of the
 * run. A record that cannot be read refuses the commit (nothing committed), the safe reading.
 */
export function pathRecord(name: string, what: string) {
  const file = (gitDir: string) => path.join(gitDir, "info", name);
  return {
    async write(gitDir: string, paths: readonly string[]): Promise<void> {
      await fs.mkdir(path.dirname(file(gitDir)), { recursive: true });
      await writeFileAtomic(file(gitDir), JSON.stringify(record.parse({ paths: [...paths] })));
    },
    async read(gitDir: string): Promise<string[]> {
      const text = await readFileOrNull(file(gitDir));
      if (text === null) return [];
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON: refused below like any other unreadable record.
      }
      const parsed = record.safeParse(json);
      if (!parsed.success) throw new PermanentRunError(`the run's list of ${what} is unreadable; nothing was committed`);
      return parsed.data.paths;
    },
  };
}
