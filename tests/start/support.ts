import { spawn } from "node:child_process";
import net from "node:net";
import { probeRedis } from "../../scripts/lib/redisForStart";

/** A port nothing listens on right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A Redis run by the test, the way a user's own Redis would be; returns how to kill it. */
export async function startOwnRedis(port: number, policy: string, password?: string): Promise<() => void> {
  const child = spawn(
    "redis-server",
    [
      "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", policy,
      ...(password ? ["--requirepass", password] : []),
    ],
    { stdio: "ignore" },
  );
  const kill = () => {
    child.kill("SIGKILL");
  };
  for (let i = 0; i < 200; i++) {
    const probe = await probeRedis(`redis://${password ? `:${password}@` : ""}127.0.0.1:${port}`, 200);
    if (probe.redis) {
      probe.redis.disconnect();
      return kill;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  kill();
  throw new Error(`test redis-server did not start on port ${port}`);
}
