import dns from "node:dns";
import net from "node:net";
import { z } from "zod";
import { isPrivateAddress } from "../privateAddress";

/**
 * Where a webhook may point. A user's URL is fetched by the web process, so without a check it
 * could reach what only the server can (its own Redis, a cloud metadata endpoint, the
 * intranet). The rule: an absolute http(s) URL without user name or password, to a host whose
 * every address is public; private, loopback, link-local, shared and reserved ranges only when
 * the operator allows them (ALLOW_PRIVATE_WEBHOOKS=1: an internal chat server, tests). The URL
 * is checked when saved and the address again when each message is sent (lookupPublic), so a
 * name that later resolves elsewhere is still refused.
 */
export const MAX_WEBHOOK_URL_LENGTH = 2_000;

export const webhookUrlSyntax = z
  .string()
  .trim()
  .max(MAX_WEBHOOK_URL_LENGTH, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`)
  .pipe(z.url({ protocol: /^https?$/, message: "must be an absolute http:// or https:// URL" }))
  // zod runs a refinement after a failed check too: a text that is no URL is left to that check.
  .refine((text) => {
    const url = URL.parse(text);
    return !url || (url.username === "" && url.password === "");
  }, "must not carry a user name or password (put a secret in the path, as Slack's URLs do)");

export type LookupAll = (host: string) => Promise<{ address: string; family: number }[]>;
const lookupAll: LookupAll = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/**
 * Why a webhook URL cannot be used, or null: its host is a private address, or a name that
 * resolves to one (or to nothing). Only the syntax is checked when private addresses are allowed.
 */
export async function webhookUrlProblem(text: string, opts: { allowPrivate: boolean; lookup?: LookupAll }): Promise<string | null> {
  if (opts.allowPrivate) return null;
  const host = new URL(text).hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) return isPrivateAddress(host) ? privateMessage(host) : null;
  if (host === "localhost" || host.endsWith(".localhost")) return privateMessage(host);
  let addresses: { address: string }[];
  try {
    addresses = await (opts.lookup ?? lookupAll)(host);
  } catch {
    return `its host ${host} could not be found`;
  }
  if (addresses.length === 0) return `its host ${host} could not be found`;
  const inside = addresses.find((a) => isPrivateAddress(a.address));
  return inside ? `its host ${host} resolves to ${inside.address}, ${privateWords}` : null;
}

const privateWords = "a private, loopback or reserved address (an operator may allow these with ALLOW_PRIVATE_WEBHOOKS=1)";
const privateMessage = (host: string) => `${host} is ${privateWords}`;

/**
 * A `lookup` for http.request that refuses private addresses: the address checked is the one
 * connected to (no second resolution in between that could answer differently).
 */
export function lookupPublic(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as dns.LookupAddress[];
      const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (refused) {
        const error = Object.assign(new Error(`${hostname} resolves to ${refused.address}, ${privateWords}`), { code: "EPRIVATE" });
        return callback(error, "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      callback(null, first.address, first.family);
    });
  };
}
