import fs from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { confinePath } from "../../agent/tools/confine";
import { openFolder, openForRead } from "../../agent/tools/confinedFile";
import { ToolFailure } from "../../agent/tools/failure";
import { configRelativePath, type ClaudeCodeState } from "./state";

/**
 * The Claude Code session's files as the executor carries them from one delivery to the next.
 * The CLI keeps a session under its config folder (CLAUDE_CONFIG_DIR, in the sandbox's HOME) in
 * `projects/<folder named after the cwd>/<session id>.jsonl`, and a subagent's transcript in
 * `projects/<…>/<session id>/…`. These are written by a process in the sandbox, so they are read
 * like the file tools read the workspace (confined, no symlink out, regular files only) and capped.
 */

/** The CLI's config folder, relative to the sandbox's HOME. */
export const CONFIG_FOLDER = ".claude";

/** A session that grew beyond this is not saved (a checkpoint is skipped; a follow-up starts afresh). */
export const MAX_SESSION_BYTES = 48 * 1024 * 1024;
/** Subagent transcripts are a level or two below the session's folder. */
const MAX_DEPTH = 3;

export class SessionFilesError extends Error {}

/** The project folder Claude Code files a session under: its cwd with every other character a dash. */
export const projectFolder = (cwd: string) => cwd.replace(/[^A-Za-z0-9]/g, "-");

/** Reads the session's transcript files from the config folder (a host path); gzipped, base64. */
export async function readSessionFiles(configDir: string, sessionId: string, cwd: string): Promise<Record<string, string>> {
  const base = `projects/${projectFolder(cwd)}`;
  const files: Record<string, string> = {};
  let total = 0;
  const add = async (relative: string) => {
    const data = await readConfined(configDir, relative, MAX_SESSION_BYTES - total);
    total += data.length;
    files[relative] = zlib.gzipSync(data).toString("base64");
  };
  try {
    await add(`${base}/${sessionId}.jsonl`);
    const walk = async (folder: string, depth: number): Promise<void> => {
      const target = await confinePath(configDir, folder);
      if (!target.exists) return;
      const { handle, entriesPath } = await openFolder(target);
      try {
        for (const entry of await fs.readdir(entriesPath, { withFileTypes: true })) {
          const relative = `${folder}/${entry.name}`;
          if (!configRelativePath.safeParse(relative).success) continue;
          if (entry.isDirectory() && depth < MAX_DEPTH) await walk(relative, depth + 1);
          else if (entry.isFile()) await add(relative);
        }
      } finally {
        await handle.close();
      }
    };
    await walk(`${base}/${sessionId}`, 1);
  } catch (e) {
    if (e instanceof ToolFailure) throw new SessionFilesError(`the Claude Code session's files cannot be read: ${e.message}`);
    throw e;
  }
  return files;
}

async function readConfined(root: string, relative: string, budget: number): Promise<Buffer> {
  const target = await confinePath(root, relative);
  const { handle, stat } = await openForRead(target);
  try {
    if (!stat.isFile()) throw new ToolFailure(`${relative} is not a regular file`);
    if (stat.size > budget) throw new SessionFilesError(`the Claude Code session is larger than ${MAX_SESSION_BYTES / 1024 / 1024} MiB`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Puts a saved session's files into a fresh config folder (made by openSandbox, not yet seen by
 * any sandboxed process), under the project folder of `cwd`, where the CLI looks when resuming.
 */
export async function restoreSessionFiles(configDir: string, state: Pick<ClaudeCodeState, "files" | "cwd">, cwd: string): Promise<void> {
  const from = `projects/${projectFolder(state.cwd)}/`;
  const to = `projects/${projectFolder(cwd)}/`;
  let total = 0;
  for (const [relative, packed] of Object.entries(state.files)) {
    const data = zlib.gunzipSync(Buffer.from(packed, "base64"), { maxOutputLength: MAX_SESSION_BYTES - total + 1 });
    total += data.length;
    if (total > MAX_SESSION_BYTES) throw new SessionFilesError("the saved Claude Code session is too large to restore");
    const placed = relative.startsWith(from) ? to + relative.slice(from.length) : relative;
    const file = path.join(configDir, placed);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, data, { flag: "wx" });
  }
}

/** Whether the session's transcript records the result of tool call `callId` yet (the CLI writes it a little later). */
export async function transcriptHasResult(configDir: string, sessionId: string, cwd: string, callId: string): Promise<boolean> {
  try {
    const data = await readConfined(configDir, `projects/${projectFolder(cwd)}/${sessionId}.jsonl`, MAX_SESSION_BYTES);
    return data.includes(`"tool_use_id":"${callId}"`);
  } catch (e) {
    if (e instanceof ToolFailure || e instanceof SessionFilesError) return false;
    throw e;
  }
}
