import type http from "node:http";

/**
 * One client's end of a live stream, as the run feed (runEventStream.ts) writes to it. On the
 * Node server it is the response itself, so a chunk shared by every viewer goes straight to
 * each socket (lib/server/directStreams.ts); Next's route and tests read the same bytes as a
 * web ReadableStream. Both hold at most `queueBytes` the client has not taken: past that,
 * `hasRoom()` is false and the writer stops (a viewer leaves live delivery).
 */
export interface SseConnection {
  write(bytes: Uint8Array): void;
  /** Whether fewer than the limit's bytes wait for the client. */
  hasRoom(): boolean;
  end(): void;
  /** `listener` runs whenever the client took bytes and there is room again. */
  onRoom(listener: () => void): void;
  /** `listener` runs once when the client goes away or the stream ended. */
  onClose(listener: () => void): void;
}

/** The response of a Node request as the connection: bytes queue in the response, then the socket. */
export function nodeSseConnection(res: http.ServerResponse, queueBytes: number): SseConnection {
  return {
    write: (bytes) => {
      if (!res.writableEnded && !res.destroyed) res.write(bytes);
    },
    // Past the response's own high-water mark a write returns false and "drain" follows once
    // everything queued has gone, so a writer waiting for room is always woken.
    hasRoom: () => res.writableLength < queueBytes,
    end: () => {
      if (!res.writableEnded) res.end();
    },
    onRoom: (listener) => void res.on("drain", listener),
    onClose: (listener) => void res.once("close", listener),
  };
}

/** A connection read as a web stream; `signal` (the request's) aborting counts as the client going away. */
export function webSseConnection(queueBytes: number, signal?: AbortSignal): { connection: SseConnection; stream: ReadableStream<Uint8Array> } {
  const roomListeners: (() => void)[] = [];
  const closeListeners: (() => void)[] = [];
  let closed = false;
  const gone = () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      // Called whenever the reader took bytes and the queue has room again.
      pull: () => {
        for (const listener of roomListeners) listener();
      },
      cancel: gone,
    },
    new ByteLengthQueuingStrategy({ highWaterMark: queueBytes }),
  );
  if (signal?.aborted) queueMicrotask(gone);
  else signal?.addEventListener("abort", gone, { once: true });
  const connection: SseConnection = {
    write: (bytes) => {
      if (!closed) controller.enqueue(bytes);
    },
    hasRoom: () => (controller.desiredSize ?? 0) > 0,
    end: () => {
      if (closed) return;
      try {
        controller.close();
      } catch {
        // already closed by the client going away
      }
      gone();
    },
    onRoom: (listener) => void roomListeners.push(listener),
    onClose: (listener) => void closeListeners.push(listener),
  };
  return { connection, stream };
}
