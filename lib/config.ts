import path from "node:path";
import { z } from "zod";
import { ssoTeamRules, SSO_TEAM_RULES_EXAMPLE, type SsoTeamRule } from "./ssoRules";

/**
 * The one place that reads the environment. Every other module receives a typed `Config`
 * (or asks `getConfig()`), so a bad value stops start-up here with the variable named.
 */
const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

const positiveInt = (def: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(def);

// A size in bytes, or with a binary unit ("500MiB", "10G"); what caches on disk may use.
const BYTE_UNITS: Record<string, number> = { "": 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
const byteSize = (def: number) =>
  z
    .string()
    .transform((text, ctx) => {
      const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
      if (!m) {
        ctx.addIssue({ code: "custom", message: "must be a size in bytes, or with a unit like 500MiB or 10GiB" });
        return z.NEVER;
      }
      return Math.floor(Number(m[1]) * BYTE_UNITS[m[2]!.toUpperCase()]!);
    })
    .pipe(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER))
    .default(def);

/** A variable holding JSON: parsed, or an issue showing the shape it should have. */
const jsonText = (example: string) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: `must be JSON like ${example}` });
      return z.NEVER;
    }
  });

const price = z.number().nonnegative().max(10_000);
const modelPrice = z.strictObject({ input: price, output: price, cacheRead: price, cacheWrite: price });
/** USD per million tokens. */
export type ModelPrice = z.infer<typeof modelPrice>;

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  APP_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  DATA_DIR: z.string().min(1).default("./.data"),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .default("redis://127.0.0.1:6379"),
  // Prefix for every Redis key (event streams, queue): lets tests and side-by-side installs
  // share one Redis without seeing each other. Empty in a normal install.
  REDIS_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9_.-]+:)?$/, "must be empty or like name: (letters, digits, _ . - then a colon)")
    .default(""),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString.pipe(z.url().optional()),
  AGENT_MODEL: z.string().min(1).default("claude-sonnet-4-6"),
  AGENT_MAX_TOKENS: positiveInt(8192, 128_000),
  AGENT_BUDGET_USD: z.coerce.number().positive().max(100_000).default(5),
  // Per-model prices in USD per million tokens, merged over the built-in table.
  AGENT_PRICES: optionalString.pipe(
    jsonText('{"model": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75}}')
      .pipe(z.record(z.string().min(1), modelPrice))
      .optional(),
  ),
  // The model is a local scripted fake (`npm run demo`): the web labels it "demo model".
  AGENT_DEMO: flag,
  // The sample repository `npm run demo` makes; the web registers it as "demo" at start-up.
  DEMO_REPO_PATH: z.preprocess((v) => (v === "" ? undefined : v), z.string().startsWith("/", "must be an absolute path").optional()),
  WORKER_CONCURRENCY: positiveInt(2, 64),
  // Pushes and discards at once per job process, on their own queue: they never wait for a run slot.
  REVIEW_CONCURRENCY: positiveInt(2, 64),
  GLOBAL_CONCURRENCY: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(1).max(1000).optional(),
  ),
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  AUTH_SECRET: optionalString.pipe(
    z.string().min(32, "must be at least 32 characters (try: openssl rand -hex 32)").optional(),
  ),
  GIT_AUTHOR_NAME: z.string().min(1).default("AgentDesk"),
  GIT_AUTHOR_EMAIL: z.email().default("agentdesk@localhost"),
  ALLOW_LOCAL_REPOS: flag,
  // Users' notification webhooks may point at private, loopback and link-local addresses (an
  // internal chat server, tests). Off: only public addresses, so a webhook cannot be used to
  // reach the web's own network.
  ALLOW_PRIVATE_WEBHOOKS: flag,
  // GitHub's REST API, for pull requests; a GitHub Enterprise server's is https://<host>/api/v3.
  GITHUB_API_URL: z.url({ protocol: /^https?$/ }).default("https://api.github.com"),
  RUN_TIMEOUT_MAX_SEC: positiveInt(6 * 3600, 7 * 24 * 3600),
  SHUTDOWN_DEADLINE_MS: positiveInt(10_000, 600_000),
  // The sandbox around everything a run executes (bubblewrap). "off" only by the operator's
  // explicit choice (e.g. macOS development): every page then warns, and only admins may start runs.
  SANDBOX: z.enum(["on", "off"]).default("on"),
  // How many reverse proxies sit in front of the web; only then is X-Forwarded-For believed
  // (the client address is the one that many hops from the right). 0: the header is ignored.
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  // Each job process's cache of set-up repository environments (jobs/environment/): an entry
  // not used for this many days goes, and the least recently used go while the total is larger.
  ENV_CACHE_MAX_AGE_DAYS: z.coerce.number().positive().max(3650).default(14),
  ENV_CACHE_MAX_BYTES: byteSize(10 * 2 ** 30),
  // Prepared checkouts each job process keeps per repository (jobs/git/workspacePool.ts), so a
  // run's workspace is a rename plus the files changed since instead of a checkout of every
  // file. Each takes the disk of one checkout; 0 turns the pool off.
  WORKSPACE_POOL_SIZE: z.coerce.number().int().min(0).max(16).default(1),
  // Left-over run workspaces each job process keeps (jobs/workspaces/sweep.ts): one not changed
  // for this many hours goes, then the oldest while all run workspaces take more than the size.
  // A run running or suspended on the job process is never swept.
  WORKSPACE_MAX_AGE_HOURS: z.coerce.number().positive().max(24 * 3650).default(7 * 24),
  WORKSPACE_MAX_BYTES: byteSize(50 * 2 ** 30),
  // Anyone reaching the URL may sign up; by default only the first account signs up freely,
  // later ones need an admin's invitation link.
  OPEN_SIGNUP: flag,
  // "off": the server refuses email + password sign-in and sign-up; people sign in through the
  // single sign-on providers below (start-up refuses "off" without one).
  PASSWORD_SIGN_IN: z.enum(["on", "off"]).default("on"),
  // OpenID Connect sign-in (lib/auth.ts): the issuer's discovery document is read from
  // <issuer>/.well-known/openid-configuration. Set all three or none.
  OIDC_ISSUER: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  // The button says "Sign in with <OIDC_NAME>".
  OIDC_NAME: z.string().trim().min(1).max(40).default("SSO"),
  OIDC_SCOPES: z
    .string()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, "must be scope names separated by single spaces")
    .refine((s) => s.split(" ").includes("openid"), "must include openid")
    .default("openid email profile"),
  // The claim (ID token or userinfo) listing the person's groups, for SSO_TEAM_RULES.
  SSO_GROUPS_CLAIM: z.string().trim().min(1).max(100).default("groups"),
  // GitHub sign-in: an OAuth app's client id and secret. GITHUB_URL is GitHub's web address
  // (a GitHub Enterprise server's own); its API is GITHUB_API_URL.
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  GITHUB_URL: z.url({ protocol: /^https?$/ }).default("https://github.com"),
  // Who a new single sign-on user may be and which team they join (lib/ssoRules.ts).
  SSO_TEAM_RULES: optionalString.pipe(jsonText(SSO_TEAM_RULES_EXAMPLE).pipe(ssoTeamRules).optional()),
});

export type Config = {
  nodeEnv: "development" | "production" | "test";
  port: number;
  appUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string;
  redisPrefix: string;
  anthropicApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  agentModel: string;
  /** Most tokens one model response may have. */
  agentMaxTokens: number;
  /** Cost budget of one agent run. */
  agentBudgetUsd: number;
  /** Price overrides by model id (AGENT_PRICES). */
  agentPrices: Record<string, ModelPrice>;
  /** The model is the demo's scripted fake; shown as "demo model". */
  agentDemo: boolean;
  /** The demo's sample repository (DEMO_REPO_PATH), registered as "demo" at start-up. */
  demoRepoPath: string | undefined;
  workerConcurrency: number;
  /** Push and discard jobs at once per job process (the `reviews` queue). */
  reviewConcurrency: number;
  globalConcurrency: number | undefined;
  workerPort: number;
  authSecret: string | undefined;
  gitAuthor: { name: string; email: string };
  allowLocalRepos: boolean;
  /** Webhooks may reach private, loopback and link-local addresses (ALLOW_PRIVATE_WEBHOOKS). */
  allowPrivateWebhooks: boolean;
  githubApiUrl: string;
  runTimeoutMaxSec: number;
  shutdownDeadlineMs: number;
  /** Whether runs execute inside the sandbox; "off" is the operator's explicit choice. */
  sandbox: "on" | "off";
  trustProxyHops: number;
  openSignup: boolean;
  /** Cached environments not used for this many days are removed. */
  envCacheMaxAgeDays: number;
  /** The most bytes this job process's cached environments may take together. */
  envCacheMaxBytes: number;
  /** Prepared checkouts per repository (0: off). */
  workspacePoolSize: number;
  /** Left-over run workspaces not changed for this many hours are removed. */
  workspaceMaxAgeHours: number;
  /** The most bytes this job process's run workspaces may take together (left-over ones go first, oldest first). */
  workspaceMaxBytes: number;
  /** Email + password sign-in and sign-up (PASSWORD_SIGN_IN); false: single sign-on only. */
  passwordSignIn: boolean;
  /** OpenID Connect sign-in, when configured. */
  oidc: { issuer: string; clientId: string; clientSecret: string; name: string; scopes: string[] } | undefined;
  /** GitHub sign-in, when configured; `url` is GitHub's web address, the API is githubApiUrl. */
  githubSignIn: { clientId: string; clientSecret: string; url: string } | undefined;
  /** The claim that lists an SSO user's groups. */
  ssoGroupsClaim: string;
  /** Which new SSO users are admitted and the teams they join (SSO_TEAM_RULES). */
  ssoTeamRules: SsoTeamRule[];
};

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      "Invalid configuration:\n" +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // `VAR=` (as compose files and .env templates write it) means "use the default".
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        variable: String(i.path[0] ?? "environment"),
        message: i.message,
      })),
    );
  }
  const e = parsed.data;
  const problems = signInProblems(e);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    appUrl: (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL,
    agentModel: e.AGENT_MODEL,
    agentMaxTokens: e.AGENT_MAX_TOKENS,
    agentBudgetUsd: e.AGENT_BUDGET_USD,
    agentPrices: e.AGENT_PRICES ?? {},
    agentDemo: e.AGENT_DEMO,
    demoRepoPath: e.DEMO_REPO_PATH,
    workerConcurrency: e.WORKER_CONCURRENCY,
    reviewConcurrency: e.REVIEW_CONCURRENCY,
    globalConcurrency: e.GLOBAL_CONCURRENCY,
    workerPort: e.WORKER_PORT,
    authSecret: e.AUTH_SECRET,
    gitAuthor: { name: e.GIT_AUTHOR_NAME, email: e.GIT_AUTHOR_EMAIL },
    allowLocalRepos: e.ALLOW_LOCAL_REPOS,
    allowPrivateWebhooks: e.ALLOW_PRIVATE_WEBHOOKS,
    githubApiUrl: e.GITHUB_API_URL.replace(/\/+$/, ""),
    runTimeoutMaxSec: e.RUN_TIMEOUT_MAX_SEC,
    shutdownDeadlineMs: e.SHUTDOWN_DEADLINE_MS,
    sandbox: e.SANDBOX,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    openSignup: e.OPEN_SIGNUP,
    envCacheMaxAgeDays: e.ENV_CACHE_MAX_AGE_DAYS,
    envCacheMaxBytes: e.ENV_CACHE_MAX_BYTES,
    workspacePoolSize: e.WORKSPACE_POOL_SIZE,
    workspaceMaxAgeHours: e.WORKSPACE_MAX_AGE_HOURS,
    workspaceMaxBytes: e.WORKSPACE_MAX_BYTES,
    passwordSignIn: e.PASSWORD_SIGN_IN === "on",
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? {
            issuer: e.OIDC_ISSUER.replace(/\/+$/, ""),
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            name: e.OIDC_NAME,
            scopes: e.OIDC_SCOPES.split(" "),
          }
        : undefined,
    githubSignIn:
      e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET
        ? { clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET, url: e.GITHUB_URL.replace(/\/+$/, "") }
        : undefined,
    ssoGroupsClaim: e.SSO_GROUPS_CLAIM,
    ssoTeamRules: e.SSO_TEAM_RULES ?? [],
  };
}

/**
 * A provider needs all of its settings (a half-configured one is a typo, not a choice), and
 * password sign-in may be off only when a provider is there to sign in with: otherwise nobody,
 * not even the first account, could get in.
 */
function signInProblems(e: z.infer<typeof envSchema>): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  const needAll = (group: Record<string, string | undefined>) => {
    const set = Object.entries(group).filter(([, v]) => v !== undefined);
    if (set.length === 0 || set.length === Object.keys(group).length) return set.length > 0;
    for (const [name, v] of Object.entries(group)) {
      if (v === undefined) problems.push({ variable: name, message: `must be set too when ${set.map(([n]) => n).join(" and ")} ${set.length > 1 ? "are" : "is"} set` });
    }
    return false;
  };
  const oidc = needAll({ OIDC_ISSUER: e.OIDC_ISSUER, OIDC_CLIENT_ID: e.OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: e.OIDC_CLIENT_SECRET });
  const github = needAll({ GITHUB_CLIENT_ID: e.GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET: e.GITHUB_CLIENT_SECRET });
  if (e.PASSWORD_SIGN_IN === "off" && !oidc && !github && problems.length === 0) {
    problems.push({
      variable: "PASSWORD_SIGN_IN",
      message: "can be off only with single sign-on configured (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, or GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET): otherwise nobody could sign in",
    });
  }
  return problems;
}

let cached: Config | undefined;

export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Names of environment variables that may hold a repository credential. */
export const credentialEnvName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,63}$/, "must be an environment variable name like GITHUB_TOKEN");

/**
 * A repository credential, read by name from the job process's own environment. Only the
 * job process calls this; the value never leaves that process except into git's environment.
 */
export function readCredential(
  name: string,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (!credentialEnvName.safeParse(name).success) return undefined;
  const value = env[name];
  return value && value.length > 0 ? value : undefined;
}

/** A secret the job process holds, with the variable it comes from (findings name the variable, never the value). */
export type NamedSecret = { name: string; value: string };

function urlPassword(value: string): string | null {
  try {
    const password = new URL(value).password;
    return password ? decodeURIComponent(password) : null;
  } catch {
    return null;
  }
}

/**
 * Secrets the job process holds: every variable whose name says it is a secret, the named
 * repository credentials, and the password inside a connection URL (REDIS_URL, DATABASE_URL).
 * One entry per value, longest first; when several variables hold the same value, the named
 * credential (else the first name alphabetically) names it.
 */
export function knownSecrets(
  extraNames: string[] = [],
  env: Record<string, string | undefined> = process.env,
): NamedSecret[] {
  const secretName = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIAL)/i;
  const byValue = new Map<string, string>();
  const names = Object.keys(env).sort((a, b) => Number(extraNames.includes(b)) - Number(extraNames.includes(a)) || a.localeCompare(b));
  for (const name of names) {
    const value = env[name];
    if (value && value.length >= 6 && (secretName.test(name) || extraNames.includes(name)) && !byValue.has(value)) {
      byValue.set(value, name);
    }
    // The password inside a connection URL is a secret of its own.
    if (value && /_URL$/.test(name)) {
      const password = urlPassword(value);
      if (password && password.length >= 6 && !byValue.has(password)) byValue.set(password, name);
    }
  }
  return [...byValue].map(([value, name]) => ({ name, value })).sort((a, b) => b.value.length - a.value.length);
}

/** The values of `knownSecrets()`: what must never appear in anything the job process emits. */
export function knownSecretValues(
  extraNames: string[] = [],
  env: Record<string, string | undefined> = process.env,
): string[] {
  return knownSecrets(extraNames, env).map((s) => s.value);
}
