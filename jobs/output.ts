import { StringDecoder } from "node:string_decoder";
import type { RunEmit } from "./executors/types";
import { StreamMasker } from "./secrets";
import { OrderedEmitter } from "./orderedEmitter";

export type OutputStreamName = "stdout" | "stderr";

export type OutputLimits = {
  /** Pending output is sent after this long… */
  flushMs: number;
  /** …or once this many bytes are pending, whichever comes first; also the most one event carries. */
  eventBytes: number;
  /** Output beyond this is not streamed (one warning says how much was cut). */
  maxTotalBytes: number;
  /** How much of the end of the output `tail()` keeps, for `tool.finished`. */
  tailBytes: number;
};

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  flushMs: 100,
  eventBytes: 8 * 1024,
  maxTotalBytes: 1024 * 1024,
  tailBytes: 8 * 1024,
};

type Segment = { stream: OutputStreamName; text: string };

/**
 * Turns a command's stdout and stderr into `log` events: coalesced (a chatty command makes
 * a few events per second, not one per write), in arrival order, masked for secrets (a
 * secret split across two reads is still caught), and capped in total.
 */
export class CommandOutput {
  private readonly decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  private readonly maskers: Record<OutputStreamName, StreamMasker>;
  private pending: Segment[] = [];
  private pendingBytes = 0;
  private streamedBytes = 0;
  private droppedBytes = 0;
  private tailText = "";
  private totalChars = 0;
  private timer: NodeJS.Timeout | undefined;
  // Events go out one after another, in order; the first failure is reported by `end()`.
  private readonly out: OrderedEmitter;

  constructor(
    emit: RunEmit,
    private readonly callId: string,
    secrets: readonly string[],
    private readonly limits: OutputLimits = DEFAULT_OUTPUT_LIMITS,
  ) {
    this.maskers = { stdout: new StreamMasker(secrets), stderr: new StreamMasker(secrets) };
    this.out = new OrderedEmitter(emit);
  }

  push(stream: OutputStreamName, chunk: Buffer): void {
    this.add(stream, this.maskers[stream].push(this.decoders[stream].write(chunk)));
  }

  /** Sends everything still held; resolves when every event is written. */
  async end(): Promise<void> {
    for (const stream of ["stdout", "stderr"] as const) {
      this.add(stream, this.maskers[stream].push(this.decoders[stream].end()) + this.maskers[stream].end());
    }
    this.flush();
    if (this.droppedBytes > 0) {
      const cut = this.droppedBytes;
      this.out.send({
        type: "log",
        level: "warn",
        callId: this.callId,
        message: `output truncated: ${cut} more bytes were not streamed (limit ${this.limits.maxTotalBytes} bytes)`,
      });
    }
    await this.out.settled();
  }

  /** The last `tailBytes` of the output (masked), and whether that is not all of it. */
  tail(): { output: string; truncated: boolean } {
    return { output: this.tailText, truncated: this.totalChars > this.tailText.length };
  }

  private add(stream: OutputStreamName, text: string): void {
    if (text.length === 0) return;
    this.totalChars += text.length;
    this.tailText = lastBytes(this.tailText + text, this.limits.tailBytes);

    const bytes = Buffer.byteLength(text);
    const room = this.limits.maxTotalBytes - this.streamedBytes - this.pendingBytes;
    if (room <= 0) {
      this.droppedBytes += bytes;
      return;
    }
    const kept = bytes <= room ? text : firstBytes(text, room);
    const keptBytes = Buffer.byteLength(kept);
    this.droppedBytes += bytes - keptBytes;

    const last = this.pending[this.pending.length - 1];
    if (last && last.stream === stream) last.text += kept;
    else this.pending.push({ stream, text: kept });
    this.pendingBytes += keptBytes;

    if (this.pendingBytes >= this.limits.eventBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.flushMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const { stream, text } of this.pending) {
      for (const piece of splitBytes(text, this.limits.eventBytes)) {
        this.out.send({ type: "log", level: "info", stream, callId: this.callId, message: piece });
      }
    }
    this.streamedBytes += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }

}

/** The longest prefix of `text` of at most `max` UTF-8 bytes, without cutting a character. */
export function firstBytes(text: string, max: number): string {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= max) return text;
  let end = max;
  // Back up over continuation bytes (10xxxxxx) to a character boundary.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString("utf8");
}

/** The longest suffix of `text` of at most `max` UTF-8 bytes, without cutting a character. */
export function lastBytes(text: string, max: number): string {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= max) return text;
  let start = buf.length - max;
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString("utf8");
}

function splitBytes(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > max) {
    const piece = firstBytes(rest, max);
    pieces.push(piece);
    rest = rest.slice(piece.length);
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}
