import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postWebhook } from "@/lib/services/notificationsPost";
import { isPrivateAddress } from "@/lib/privateAddress";
import { webhookUrlProblem, webhookUrlSyntax, type LookupAll } from "@/lib/services/notificationsUrl";

/**
 * Where a webhook may point: public addresses only unless the operator allows private ones,
 * checked when the URL is saved and again on the address each message connects to.
 */
const resolvesTo =
  (...addresses: string[]): LookupAll =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("webhook URLs", () => {
  it("knows private, loopback, link-local and reserved addresses from public ones", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1"]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect(isPrivateAddress(a), a).toBe(false);
  });

  it("accepts absolute http(s) URLs only, without credentials", () => {
    expect(webhookUrlSyntax.safeParse("https://hooks.slack.com/services/T0/B0/xyz").success).toBe(true);
    for (const bad of ["hooks.slack.com/x", "ftp://example.com/", "javascript:alert(1)", "https://user:pw@example.com/", "https://" + "a".repeat(2_000) + ".com"]) {
      expect(webhookUrlSyntax.safeParse(bad).success, bad).toBe(false);
    }
  });

  it("refuses hosts that are, or resolve to, private addresses unless they are allowed", async () => {
    const strict = { allowPrivate: false };
    expect(await webhookUrlProblem("http://127.0.0.1:8080/hook", strict)).toMatch(/127\.0\.0\.1 is a private/);
    expect(await webhookUrlProblem("http://[::1]/hook", strict)).toMatch(/private/);
    expect(await webhookUrlProblem("http://169.254.169.254/latest/meta-data", strict)).toMatch(/private/);
    expect(await webhookUrlProblem("http://localhost:3000/hook", strict)).toMatch(/private/);
    expect(await webhookUrlProblem("https://chat.internal/hook", { ...strict, lookup: resolvesTo("93.184.216.34", "10.0.0.5") })).toMatch(
      /resolves to 10\.0\.0\.5/,
    );
    expect(await webhookUrlProblem("https://chat.example/hook", { ...strict, lookup: async () => Promise.reject(new Error("ENOTFOUND")) })).toMatch(
      /could not be found/,
    );
    expect(await webhookUrlProblem("https://hooks.example/hook", { ...strict, lookup: resolvesTo("93.184.216.34") })).toBeNull();
    expect(await webhookUrlProblem("https://93.184.216.34/hook", strict)).toBeNull();
    expect(await webhookUrlProblem("http://127.0.0.1:8080/hook", { allowPrivate: true })).toBeNull();
  });
});

describe("sending", () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === "/redirect") res.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" }).end();
      else if (req.url === "/gone") res.writeHead(404).end("no such hook");
      else res.writeHead(200).end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it("never connects to a private address when they are not allowed, by IP or by a name resolving to one", async () => {
    const before = hits;
    const opts = { allowPrivate: false, userAgent: "test" };
    expect(await postWebhook(`http://127.0.0.1:${port}/hook`, { text: "x" }, opts)).toMatchObject({ ok: false, retry: false });
    expect(await postWebhook(`http://localhost:${port}/hook`, { text: "x" }, opts)).toMatchObject({ ok: false, retry: false, error: expect.stringMatching(/private/) });
    expect(hits).toBe(before);
  });

  it("delivers when allowed, follows no redirect, and says which failures are worth another try", async () => {
    const opts = { allowPrivate: true, userAgent: "test" };
    expect(await postWebhook(`http://localhost:${port}/hook`, { text: "x" }, opts)).toEqual({ ok: true, status: 200 });
    expect(await postWebhook(`http://127.0.0.1:${port}/redirect`, { text: "x" }, opts)).toMatchObject({ ok: false, status: 302, retry: false });
    expect(await postWebhook(`http://127.0.0.1:${port}/gone`, { text: "x" }, opts)).toMatchObject({ ok: false, status: 404, error: "HTTP 404: no such hook", retry: false });
    expect(await postWebhook(`http://127.0.0.1:1/closed`, { text: "x" }, opts)).toMatchObject({ ok: false, status: null, retry: true });
  });
});
