/** PATH inside the sandbox: the system's own directories, never the job process's PATH. */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A sandboxed process's whole environment: an allow-list, never the job process's variables
 * minus some names, so no credential, API key or database/Redis URL can reach it. `extra` is
 * what the caller gives this process on purpose (e.g. a proxy address, an agent's own key).
 */
export function sandboxEnv(opts: {
  home: string;
  path: string;
  extra?: Record<string, string>;
  source?: Record<string, string | undefined>;
}): Record<string, string> {
  const source = opts.source ?? process.env;
  const env: Record<string, string> = {
    PATH: opts.path,
    HOME: opts.home,
    LANG: source.LANG ?? "C.UTF-8",
    TERM: "dumb",
    TZ: source.TZ ?? "UTC",
    CI: "1",
  };
  for (const [name, value] of Object.entries(opts.extra ?? {})) {
    if (!ENV_NAME.test(name)) throw new Error(`sandbox environment variable name "${name}" is not valid`);
    env[name] = value;
  }
  return env;
}
