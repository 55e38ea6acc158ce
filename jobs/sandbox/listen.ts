import type http from "node:http";
import type net from "node:net";

/** Where a sandbox's server listens: a unix socket (bridged into the sandbox) or a loopback TCP port (0: any). */
export type ListenOn = { socketPath: string } | { port: number };

export type ListeningServer = {
  /** The loopback port when listening on TCP. */
  port?: number;
  /** Stops listening and cuts every open connection (a sandbox's streams end with it). */
  close(): Promise<void>;
};

/**
 * Starts `server` for one sandbox (the filtering proxy, the model gateway): a client that hangs
 * up mid-request is no reason to fail, and closing does not wait for connections a sandboxed
 * process keeps open.
 */
export async function listenForSandbox(server: http.Server, on: ListenOn): Promise<ListeningServer> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_e, socket: net.Socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const listening = () => {
      server.off("error", reject);
      resolve();
    };
    if ("socketPath" in on) server.listen(on.socketPath, listening);
    else server.listen(on.port, "127.0.0.1", listening);
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
