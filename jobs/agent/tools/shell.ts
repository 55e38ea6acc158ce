import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { runBashCommand } from "../../executors/bashCommand";
import type { ProcessOutcome } from "../../executors/processGroup";
import { StreamMasker } from "../../secrets";
import { HeadTailText } from "./capping";
import type { AgentTool, ToolContext } from "./types";

export const SHELL_DEFAULT_TIMEOUT_SEC = 120;
export const SHELL_MAX_TIMEOUT_SEC = 1800;
/** The result keeps this much of the start and this much of the end of the combined output. */
export const SHELL_HEAD_BYTES = 10 * 1024;
export const SHELL_TAIL_BYTES = 20 * 1024;

const input = z.object({
  command: z.string().min(1).describe("A bash command line, run with `bash -c` in the workspace root"),
  timeoutSec: z
    .number()
    .int()
    .min(1)
    .max(SHELL_MAX_TIMEOUT_SEC)
    .optional()
    .describe(`Seconds before the command is killed (default ${SHELL_DEFAULT_TIMEOUT_SEC}, max ${SHELL_MAX_TIMEOUT_SEC})`),
});

type Streams = "stdout" | "stderr";

export const shellTool: AgentTool<z.infer<typeof input>> = {
  name: "shell",
  description:
    "Runs a bash command in the workspace root (`bash -c`), e.g. to run tests, builds or git log. No terminal " +
    "and no stdin (interactive programs get end of input); a minimal environment (PATH, a fresh empty HOME, " +
    "LANG, TZ, CI=1) without credentials. It runs in a sandbox: only the workspace, HOME and /tmp are writable, " +
    "and the network is off except hosts the repository allows (through HTTP_PROXY, when set). Killed, with everything it started, after timeoutSec (default " +
    `${SHELL_DEFAULT_TIMEOUT_SEC} s, max ${SHELL_MAX_TIMEOUT_SEC}); background processes do not survive the ` +
    `command. Returns the exit code and stdout+stderr interleaved; long output keeps the first ` +
    `${SHELL_HEAD_BYTES / 1024} KB and the last ${SHELL_TAIL_BYTES / 1024} KB. Prefer read_file, ` +
    "edit_file, list_directory and search for files.",
  input,
  kind: "shell",
  async run({ command, timeoutSec = SHELL_DEFAULT_TIMEOUT_SEC }, ctx) {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error(`timed out after ${timeoutSec} s`)), timeoutSec * 1000);
    const output = new MaskedOutput(ctx);
    let outcome: ProcessOutcome;
    try {
      outcome = await runBashCommand({
        command,
        sandbox: ctx.sandbox,
        signal: AbortSignal.any([ctx.signal, timeout.signal]),
        onOutput: (stream, chunk) => output.push(stream, chunk),
      });
    } finally {
      clearTimeout(timer);
      output.end();
    }
    // The run was cancelled: not a result for the model, the loop stops.
    ctx.signal.throwIfAborted();

    const { text, truncated } = output.combined.result();
    const status = timeout.signal.aborted
      ? `timed out after ${timeoutSec} s; the command and everything it started were killed`
      : outcome.exitCode !== null
        ? `exit code ${outcome.exitCode}`
        : `killed by ${outcome.signal ?? "a signal"}`;
    const body = text === "" ? "(no output)" : text;
    return { ok: outcome.exitCode === 0 && !timeout.signal.aborted, output: `${status}\n${body}`, truncated };
  },
};

/**
 * Decodes and masks each stream as it arrives (a secret split across two reads is still
 * masked), hands it to the live output, and keeps the combined text, capped, for the result.
 */
class MaskedOutput {
  readonly combined = new HeadTailText(SHELL_HEAD_BYTES, SHELL_TAIL_BYTES);
  private readonly decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  private readonly maskers: Record<Streams, StreamMasker>;

  constructor(private readonly ctx: ToolContext) {
    this.maskers = { stdout: new StreamMasker(ctx.secrets), stderr: new StreamMasker(ctx.secrets) };
  }

  push(stream: Streams, chunk: Buffer): void {
    this.emit(stream, this.maskers[stream].push(this.decoders[stream].write(chunk)));
  }

  end(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      this.emit(stream, this.maskers[stream].push(this.decoders[stream].end()) + this.maskers[stream].end());
    }
  }

  private emit(stream: Streams, text: string): void {
    if (text === "") return;
    this.combined.push(text);
    this.ctx.onOutput?.(stream, text);
  }
}
