import dns from "node:dns/promises";
import http from "node:http";
import net from "node:net";
import { hostAllowed } from "../../lib/networkHosts";
import { listenForSandbox } from "./listen";
import { isPrivateAddress } from "../../lib/privateAddress";

export type FilteringProxyOptions = {
  /** Unix socket the proxy listens on (bind-mounted into the sandbox, bridged to a port there). */
  socketPath: string;
  /** The repository's allow-list (lib/networkHosts.ts). */
  hosts: readonly string[];
  /** ALLOW_LOCAL_REPOS: loopback and private targets allowed (development, tests). */
  allowPrivate: boolean;
};

export type FilteringProxy = { close(): Promise<void> };

type Target = { host: string; port: number };

class Refused extends Error {}

/**
 * An HTTP proxy (CONNECT for HTTPS and anything else over TCP, plus absolute-URL plain HTTP)
 * that lets a sandboxed run reach exactly the hosts on its repository's allow-list. The name
 * is resolved here and the connection goes to the address checked, so a name that resolves to
 * this machine or a private network is refused too (unless local repositories are allowed).
 */
export async function startFilteringProxy(options: FilteringProxyOptions): Promise<FilteringProxy> {
  // A request the proxy cannot even forward (e.g. a header node refuses) ends that connection only.
  const server = http.createServer((req, res) => {
    forwardRequest(options, req, res).catch(() => res.destroy());
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnel(options, req, client, head).catch(() => client.destroy());
  });
  return listenForSandbox(server, { socketPath: options.socketPath });
}

/** The address to connect to for `target`, or Refused saying why in words a user can act on. */
async function admit(options: FilteringProxyOptions, target: Target): Promise<string> {
  const shown = `${target.host}:${target.port}`;
  if (!hostAllowed(options.hosts, target.host, target.port)) {
    const allowed = options.hosts.length > 0 ? options.hosts.join(", ") : "none";
    throw new Refused(
      `AgentDesk sandbox: ${shown} is not on this repository's network allow-list (allowed: ${allowed}); an admin can add it on the Repositories page`,
    );
  }
  let addresses: { address: string }[];
  try {
    addresses = net.isIP(target.host) ? [{ address: target.host }] : await dns.lookup(target.host, { all: true });
  } catch (e) {
    throw new Refused(`AgentDesk sandbox: ${target.host} could not be resolved (${(e as Error).message})`);
  }
  const usable = options.allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
  if (usable.length === 0) {
    throw new Refused(
      `AgentDesk sandbox: ${shown} resolves to a loopback or private address (${addresses.map((a) => a.address).join(", ")}), which runs may not reach (only with ALLOW_LOCAL_REPOS=1)`,
    );
  }
  return usable[0]!.address;
}

function parseAuthority(authority: string | undefined): Target | null {
  if (!authority) return null;
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(authority);
  if (!match) return null;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host: match[1]!, port } : null;
}

async function tunnel(options: FilteringProxyOptions, req: http.IncomingMessage, client: net.Socket, head: Buffer) {
  client.on("error", () => client.destroy());
  const target = parseAuthority(req.url);
  if (!target) return refuseRaw(client, 400, `AgentDesk sandbox: CONNECT needs host:port, got "${req.url ?? ""}"`);
  let address: string;
  try {
    address = await admit(options, target);
  } catch (e) {
    if (e instanceof Refused) return refuseRaw(client, 403, e.message);
    throw e;
  }
  const upstream = net.connect({ host: address, port: target.port });
  upstream.once("connect", () => {
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on("error", (e) => {
    if (client.writable && !upstream.readableEnded && upstream.bytesRead === 0) {
      refuseRaw(client, 502, `AgentDesk sandbox: could not connect to ${target.host}:${target.port} (${e.message})`);
    } else {
      client.destroy();
    }
  });
  client.on("close", () => upstream.destroy());
}

async function forwardRequest(options: FilteringProxyOptions, req: http.IncomingMessage, res: http.ServerResponse) {
  let url: URL;
  try {
    url = new URL(req.url ?? "");
  } catch {
    return refuse(res, 400, `AgentDesk sandbox: this is a proxy; ask for an absolute http:// URL, got "${req.url ?? ""}"`);
  }
  if (url.protocol !== "http:") {
    return refuse(res, 400, `AgentDesk sandbox: only http:// URLs are proxied as requests; use CONNECT for ${url.protocol}`);
  }
  const target = { host: url.hostname.replace(/^\[|\]$/g, ""), port: url.port ? Number(url.port) : 80 };
  let address: string;
  try {
    address = await admit(options, target);
  } catch (e) {
    if (e instanceof Refused) return refuse(res, 403, e.message);
    throw e;
  }
  const headers = { ...req.headers };
  delete headers["proxy-connection"];
  delete headers["proxy-authorization"];
  const upstream = http.request(
    { host: address, port: target.port, method: req.method, path: `${url.pathname}${url.search}`, headers, setHost: false },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (e) => {
    if (!res.headersSent) refuse(res, 502, `AgentDesk sandbox: could not reach ${target.host}:${target.port} (${e.message})`);
    else res.destroy();
  });
  req.pipe(upstream);
}

function refuse(res: http.ServerResponse, status: number, message: string) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" });
  res.end(`${message}\n`);
}

function refuseRaw(client: net.Socket, status: number, message: string) {
  const body = `${message}\n`;
  const reason = http.STATUS_CODES[status] ?? "Error";
  client.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
