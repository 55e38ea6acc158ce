import http from "node:http";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { serveStartingPage } from "../../scripts/lib/startingPage";
import { freePort } from "./support";

describe("npm start's starting page", () => {
  it("answers 503 with the step in progress, page and health alike, and frees the port for the web even with a browser connection open", async () => {
    const port = await freePort();
    const starting = await serveStartingPage(port, "Starting Redis…");
    const pageRes = await fetch(`http://127.0.0.1:${port}/runs/abc`);
    expect(pageRes.status).toBe(503);
    expect(pageRes.headers.get("retry-after")).toBe("2");
    const html = await pageRes.text();
    expect(html).toContain("AgentDesk is starting");
    expect(html).toContain("Starting Redis…");
    // The page polls the health route and reloads on the real web's answer.
    expect(html).toContain('fetch("/api/health"');

    starting.setStep("Building AgentDesk <first start>…");
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "starting", step: "Building AgentDesk <first start>…" });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain("Building AgentDesk &lt;first start&gt;…");

    // A keep-alive connection, as a browser holds one.
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve) => http.get({ port, host: "127.0.0.1", path: "/", agent }, (res) => res.resume().on("end", resolve)));
    await starting.close();
    const web = net.createServer();
    await new Promise<void>((resolve, reject) => {
      web.once("error", reject);
      web.listen(port, resolve);
    });
    await new Promise<void>((resolve) => web.close(() => resolve()));
    agent.destroy();
  });
});
