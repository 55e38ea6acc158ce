import { z } from "zod";

/**
 * A repository's network allow-list: the hosts a run's sandbox may reach through the job
 * process's filtering proxy. An entry is `name` (ports 80 and 443) or `name:port` (that port
 * only); names are DNS names or IPv4 addresses, compared lowercase, no wildcards. Both the web
 * (which validates what admins enter) and the job process (whose proxy enforces it) use this.
 */
const HOST_ENTRY = /^(?<name>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)(?::(?<port>\d{1,5}))?$/;

/** Ports a bare host name allows: HTTP and HTTPS. */
export const DEFAULT_HOST_PORTS = [80, 443] as const;

export const networkHost = z
  .string()
  .trim()
  .toLowerCase()
  .max(260)
  .refine((entry) => {
    const match = HOST_ENTRY.exec(entry);
    if (!match) return false;
    const port = match.groups?.port;
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  }, "must be a host name or IPv4 address, optionally with :port (e.g. registry.npmjs.org or 10.0.0.5:8080)");

export const networkHosts = z
  .array(networkHost)
  .max(100, "at most 100 hosts")
  .transform((hosts) => [...new Set(hosts)]);

/** Whether `host:port` (as a client asked for it) is on the allow-list. */
export function hostAllowed(allowList: readonly string[], host: string, port: number): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return allowList.some((entry) => {
    const match = HOST_ENTRY.exec(entry.toLowerCase());
    if (!match?.groups) return false;
    if (match.groups.name !== name) return false;
    const entryPort = match.groups.port;
    return entryPort === undefined ? (DEFAULT_HOST_PORTS as readonly number[]).includes(port) : Number(entryPort) === port;
  });
}
