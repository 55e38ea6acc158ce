import http from "node:http";

/**
 * A child process of the event-latency bench holding a share of its SSE viewers. One process
 * running 500 viewers stamps the last of them late simply because it reads 500 sockets in
 * turn on one thread, which would measure the bench, not the server; so the viewers are
 * spread over processes, each reading with plain node:http (lighter than fetch), stamping
 * arrivals with the monotonic clock the parent stamps appends with (shared across processes).
 *
 * Protocol (IPC): parent sends {open: {url, token, count}}; child answers {connected: true}
 * once every response's headers are in; parent sends {report: true}; child answers
 * {samples: [n, atMs][], duplicates, errors} and exits.
 */

type OpenRequest = { url: string; token: string; count: number };
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const MARKER = /"message":"bench:(\d+)"/;

const samples: [number, number][] = [];
const errors: string[] = [];
let duplicates = 0;
const requests: http.ClientRequest[] = [];

function openViewer(url: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const seen = new Set<number>();
    const req = http.get(url, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE ${res.statusCode}`));
        res.resume();
        return;
      }
      resolve();
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk: string) => {
        const at = nowMs();
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const m = MARKER.exec(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (!m) continue;
          const n = Number(m[1]);
          if (seen.has(n)) duplicates++;
          else {
            seen.add(n);
            samples.push([n, at]);
          }
        }
      });
    });
    req.on("error", (err) => {
      if ((err as NodeJS.ErrnoException).code !== "ECONNRESET") errors.push(err.message);
      reject(err);
    });
    requests.push(req);
  });
}

process.on("message", (msg: { open?: OpenRequest; report?: true }) => {
  if (msg.open) {
    const { url, token, count } = msg.open;
    Promise.all(Array.from({ length: count }, () => openViewer(url, token))).then(
      () => process.send!({ connected: true }),
      (err: Error) => process.send!({ failed: err.message }),
    );
  }
  if (msg.report) {
    for (const req of requests) req.destroy();
    process.send!({ samples, duplicates, errors }, () => process.exit(0));
  }
});
