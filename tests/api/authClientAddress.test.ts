import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientAddress, PEER_HEADER, peerStampValue, withClientAddress } from "@/lib/server/clientAddress";
import { installRequestHook } from "@/lib/server/requestHook";

/**
 * The client address on a real HTTP server with the stamp installed, as instrumentation.ts
 * installs it in `next start`: the server answers with the address clientAddress() decides.
 */
describe("client address", () => {
  let server: http.Server;
  let port: number;
  const hops = { value: 0 };

  beforeAll(async () => {
    installRequestHook();
    // Created after the stamp is installed, like Next's server is prepared after register().
    server = http.createServer((req, res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      res.end(JSON.stringify({ address: clientAddress(headers, hops.value) }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // A raw request, so the test controls every header byte (fetch would add its own).
  function ask(headers: Record<string, string>, host = "127.0.0.1"): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host, port, path: "/", headers }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve((JSON.parse(body) as { address: string | null }).address));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("is the socket's address by default, whatever forwarding headers and stamps a client sends", async () => {
    hops.value = 0;
    expect(await ask({})).toBe("127.0.0.1");
    expect(
      await ask({
        "x-forwarded-for": "198.51.100.9",
        "x-real-ip": "198.51.100.10",
        [PEER_HEADER]: "guessed 198.51.100.11",
        [CLIENT_ADDRESS_HEADER]: "198.51.100.12",
      }),
    ).toBe("127.0.0.1");
  });

  it("replaces even a correctly signed stamp a client copied from somewhere", async () => {
    hops.value = 0;
    expect(await ask({ [PEER_HEADER]: peerStampValue("198.51.100.13") })).toBe("127.0.0.1");
  });

  it("believes X-Forwarded-For only as many hops from the right as the operator says", async () => {
    hops.value = 1;
    expect(await ask({ "x-forwarded-for": "198.51.100.1, 203.0.113.5" })).toBe("203.0.113.5");
    hops.value = 2;
    expect(await ask({ "x-forwarded-for": "198.51.100.1, 203.0.113.5, 10.0.0.1" })).toBe("203.0.113.5");
    // A shorter chain than the hops: the left-most entry there is.
    expect(await ask({ "x-forwarded-for": "203.0.113.6" })).toBe("203.0.113.6");
    // No header at all (a request that bypassed the proxy): the socket.
    expect(await ask({})).toBe("127.0.0.1");
    // Garbage where an address should be: unknown, never the garbage.
    hops.value = 1;
    expect(await ask({ "x-forwarded-for": "203.0.113.7, not-an-ip" })).toBeNull();
  });

  it("unwraps IPv4-mapped IPv6 and gives better-auth only the resolved address", async () => {
    const headers = new Headers({ [PEER_HEADER]: peerStampValue("::ffff:192.0.2.44"), [CLIENT_ADDRESS_HEADER]: "198.51.100.99" });
    expect(clientAddress(headers, 0)).toBe("192.0.2.44");
    const req = withClientAddress(new Request("http://localhost/api/auth/sign-in/email", { method: "POST", headers, body: "{}" }), 0);
    expect(req.headers.get(CLIENT_ADDRESS_HEADER)).toBe("192.0.2.44");
    expect(await req.text()).toBe("{}");
    const unknown = withClientAddress(new Request("http://localhost/", { headers: { [CLIENT_ADDRESS_HEADER]: "198.51.100.99" } }), 0);
    expect(unknown.headers.get(CLIENT_ADDRESS_HEADER)).toBeNull();
  });
});
