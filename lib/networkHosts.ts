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
  .superRefine((entry, ctx) => {
    const match = HOST_ENTRY.exec(entry);
    const port = match?.groups?.port;
    if (!match || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
      ctx.addIssue({
        code: "custom",
        message: `"${entry}" is not a host name or IPv4 address with an optional :port (e.g. registry.npmjs.org or 10.0.0.5:8080)`,
      });
    }
  });

/**
 * The list as the API takes it (a JSON array) or a form sends it (one text: entries separated
 * by spaces, commas or new lines). Duplicates collapse.
 */
export const networkHosts = z.preprocess(
  (value) => (typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : value),
  z
    .array(networkHost)
    .max(100, "at most 100 hosts")
    .transform((hosts) => [...new Set(hosts)]),
);

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
