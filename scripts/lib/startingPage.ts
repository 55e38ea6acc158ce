import http from "node:http";

/**
 * What the browser gets on PORT while `npm start` is still preparing (Redis, migrations, the
 * first build takes a minute): a page saying which step is running that reloads itself once
 * the real web answers, instead of "connection refused" and a tab the user has to retry.
 * /api/health answers 503 meanwhile, so nothing mistakes this for the web being up.
 */
export type StartingPage = {
  setStep(step: string): void;
  /** Frees the port for the web. */
  close(): Promise<void>;
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function page(step: string): string {
  // Polls /api/health and reloads on the real web's 200. While the web takes over the port a
  // poll may fail: the page stays and polls on, unlike a browser's own refresh.
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>AgentDesk is starting…</title>
<style>
  :root { color-scheme: light dark; }
  body { font-family: system-ui, sans-serif; display: grid; place-items: center; min-height: 100vh; margin: 0; background: Canvas; color: CanvasText; }
  main { max-width: 28rem; padding: 2rem; text-align: center; }
  .bar { height: 4px; border-radius: 2px; background: #7c3aed33; overflow: hidden; margin: 1.5rem 0; }
  .bar::after { content: ""; display: block; height: 100%; width: 40%; background: #7c3aed; animation: slide 1.4s ease-in-out infinite; }
  @keyframes slide { from { transform: translateX(-100%); } to { transform: translateX(250%); } }
  p { opacity: .75; line-height: 1.5; }
</style></head>
<body><main>
  <h1>AgentDesk is starting…</h1>
  <div class="bar" role="progressbar" aria-label="Starting"></div>
  <p id="step">${escapeHtml(step)}</p>
  <p>This page opens AgentDesk by itself when it is ready.</p>
</main>
<script>
  setInterval(async () => {
    try {
      const res = await fetch("/api/health", { cache: "no-store" });
      if (res.ok) location.reload();
      else {
        const body = await res.json().catch(() => null);
        if (body && body.step) document.getElementById("step").textContent = body.step;
      }
    } catch {}
  }, 1500);
</script>
</body></html>`;
}

export async function serveStartingPage(port: number, initialStep: string): Promise<StartingPage> {
  let step = initialStep;
  const server = http.createServer((req, res) => {
    const headers = { "cache-control": "no-store", "retry-after": "2" };
    if (req.url?.startsWith("/api/")) {
      res.writeHead(503, { ...headers, "content-type": "application/json" });
      res.end(JSON.stringify({ status: "starting", step }));
      return;
    }
    res.writeHead(503, { ...headers, "content-type": "text/html; charset=utf-8" });
    res.end(page(step));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve());
  });
  return {
    setStep: (next) => void (step = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A browser's keep-alive connection must not hold the port from the web.
        server.closeAllConnections();
      }),
  };
}
