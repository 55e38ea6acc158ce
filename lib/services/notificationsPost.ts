import http from "node:http";
import https from "node:https";
import net from "node:net";
import { isPrivateAddress } from "../privateAddress";
import { lookupPublic } from "./notificationsUrl";

/** What one POST to a webhook came to. `retry`: whether trying again later may help. */
export type PostOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string; retry: boolean };

const TIMEOUT_MS = 10_000;
// A receiver's answer is only for the log; more than this is not read.
const MAX_ANSWER_BYTES = 2_000;

/**
 * POSTs a JSON body (a value, or its text as signed) to a webhook URL, to a public address only unless `allowPrivate`
 * (lib/services/notificationsUrl.ts), within 10 s, following no redirect (a redirect could
 * lead anywhere). 2xx is delivered; 408, 429 and 5xx and network failures are worth another
 * try; other 4xx and refused addresses are not.
 */
export function postWebhook(
  urlText: string,
  body: unknown,
  opts: { allowPrivate: boolean; userAgent: string; headers?: Record<string, string> },
): Promise<PostOutcome> {
  const url = new URL(urlText);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!opts.allowPrivate && net.isIP(host) && isPrivateAddress(host)) {
    return Promise.resolve({ ok: false, status: null, error: `${host} is a private, loopback or reserved address`, retry: false });
  }
  // A text body is sent as it is (a signed one must reach the receiver byte for byte).
  const payload = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const client = url.protocol === "https:" ? https : http;
  return new Promise<PostOutcome>((resolve) => {
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { ...opts.headers, "content-type": "application/json", "content-length": payload.length, "user-agent": opts.userAgent },
        lookup: lookupPublic(opts.allowPrivate),
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let answer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (answer.length < MAX_ANSWER_BYTES) answer += chunk;
        });
        res.on("error", () => {});
        res.on("end", () => {
          if (status >= 200 && status < 300) return resolve({ ok: true, status });
          const said = answer.replace(/\s+/g, " ").trim().slice(0, 200);
          resolve({
            ok: false,
            status,
            error: `HTTP ${status}${said ? `: ${said}` : ""}`,
            retry: status === 408 || status === 429 || status >= 500,
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      resolve({ ok: false, status: null, error: err.message, retry: err.code !== "EPRIVATE" });
    });
    req.end(payload);
  });
}
