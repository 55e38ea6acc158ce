import path from "node:path";
import { RequestError, type ReadTextFileRequest, type WriteTextFileRequest } from "@agentclientprotocol/sdk/unstable";
import type { ApprovalAction } from "../../../lib/approval";
import type { GateOutcome } from "../../approval/gate";
import { confinePath } from "../../agent/tools/confine";
import { openForRead, openForWrite, replaceContents } from "../../agent/tools/confinedFile";
import { ToolFailure } from "../../agent/tools/failure";
import { READ_MAX_FILE_BYTES } from "../../agent/tools/readFile";
import { isInside } from "../../sandbox/bwrapArgs";
import { maskSecrets } from "../../secrets";

export type FilesOptions = {
  /** The workspace on this machine. */
  workspace: string;
  /** The workspace as the agent sees it (the paths it sends are under this). */
  seenAs: string;
  secrets: readonly string[];
  /** The one policy on a write about to happen (may ask a person). */
  gate(action: ApprovalAction, input: { path: string; content: string }): Promise<GateOutcome>;
};

// What an approval card shows of a file's new content.
const CARD_CONTENT_CHARS = 8 * 1024;

/**
 * The client side of ACP's `fs/read_text_file` and `fs/write_text_file`: only files of the
 * workspace, through the same confinement as our own file tools (real paths, symlinks out
 * refused, nothing in .git, swaps caught after opening). A write is judged by the run's
 * policy as a write of that path first. Refusals are JSON-RPC errors the agent sees.
 */
export class AcpFiles {
  constructor(private readonly options: FilesOptions) {}

  async read(params: ReadTextFileRequest): Promise<{ content: string }> {
    const relative = this.relative(params.path);
    const text = await refusing(async () => {
      const target = await confinePath(this.options.workspace, relative);
      const { handle, stat } = await openForRead(target);
      try {
        if (!stat.isFile()) throw new ToolFailure(`${target.display} is a folder, not a file`);
        if (stat.size > READ_MAX_FILE_BYTES) throw new ToolFailure(`${target.display} is ${stat.size} bytes, too big to read (limit ${READ_MAX_FILE_BYTES})`);
        return (await handle.readFile()).toString("utf8");
      } finally {
        await handle.close();
      }
    });
    const masked = maskSecrets(text, this.options.secrets);
    if (params.line == null && params.limit == null) return { content: masked };
    const lines = masked.split("\n");
    const from = Math.max(1, params.line ?? 1) - 1;
    const to = params.limit == null ? lines.length : from + Math.max(0, params.limit);
    return { content: lines.slice(from, to).join("\n") };
  }

  async write(params: WriteTextFileRequest): Promise<Record<string, never>> {
    const relative = this.relative(params.path);
    const shown = params.content.length > CARD_CONTENT_CHARS ? `${params.content.slice(0, CARD_CONTENT_CHARS)}\n[… ${params.content.length - CARD_CONTENT_CHARS} more characters]` : params.content;
    const gate = await this.options.gate({ kind: "write", path: relative }, { path: relative, content: shown });
    if (!gate.run) throw RequestError.invalidRequest({ refused: gate.output }, gate.output);
    await refusing(async () => {
      const target = await confinePath(this.options.workspace, relative);
      const file = await openForWrite(target);
      try {
        await replaceContents(file.handle, Buffer.from(params.content, "utf8"));
      } finally {
        await file.handle.close();
      }
    });
    return {};
  }

  /** The workspace-relative form of an agent's absolute path; anything outside is refused. */
  private relative(requested: string): string {
    const workspace = this.options.seenAs;
    if (!path.isAbsolute(requested)) throw RequestError.invalidParams({ path: requested }, `the path must be absolute (inside ${workspace})`);
    const resolved = path.resolve(requested);
    if (!isInside(resolved, workspace)) throw RequestError.invalidParams({ path: requested }, `refused: ${requested} is outside the workspace ${workspace}`);
    return path.relative(workspace, resolved) || ".";
  }
}

/** A refusal of the file tools (a ToolFailure) as a JSON-RPC error naming it. */
async function refusing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ToolFailure) throw RequestError.invalidParams(undefined, e.message);
    throw e;
  }
}
