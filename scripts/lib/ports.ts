import net from "node:net";
import { StartError } from "./startError";

/**
 * Fails early, naming the variable, when a port is taken: otherwise the web or the worker
 * would die a few seconds in with EADDRINUSE buried in its output.
 */
export async function assertPortFree(port: number, variable: string): Promise<void> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        reject(
          new StartError(
            `Port ${port} is already in use (is AgentDesk already running?). Stop that process or set ${variable} to a free port.`,
          ),
        );
      } else {
        reject(new StartError(`Cannot use port ${port} (${variable}): ${err.message}`));
      }
    });
    server.listen(port, () => server.close(() => resolve()));
  });
}
