import { z } from "zod";

/**
 * What a run job carries about the external programs its executor may start: the ACP agent a
 * run of executor `acp` uses, and its repository's MCP servers. Written by the web when it
 * builds the job (lib/services/runPayload.ts) from the `acp_agent` and `mcp_server` tables;
 * the job process never reads the database. Values of environment variables never travel:
 * only their names, looked up in the job process's own environment.
 */

/** A name a person types and a run refers to: lowercase letters, digits and dashes. */
export const slugName = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "use lowercase letters, digits and dashes, starting with a letter or digit");

/** The name of an environment variable of the job process. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

export const acpAgentSpec = z.object({
  name: slugName,
  /** The program, found on the sandbox's PATH or given as an absolute path. */
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Variables of the job process the agent receives (e.g. GOOGLE_API_KEY for gemini). */
  envNames: z.array(envName).default([]),
});
export type AcpAgentSpec = z.infer<typeof acpAgentSpec>;

export const mcpServerSpec = z.discriminatedUnion("transport", [
  z.object({
    name: slugName,
    transport: z.literal("stdio"),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    envNames: z.array(envName).default([]),
  }),
  z.object({
    name: slugName,
    transport: z.literal("http"),
    url: z.url({ protocol: /^https?$/ }),
    /** The first named variable, if any, is sent as `Authorization: Bearer <value>`. */
    envNames: z.array(envName).default([]),
  }),
]);
export type McpServerSpec = z.infer<typeof mcpServerSpec>;

/** How an executor names an MCP server's tool, in our loop and in the feed: `mcp__<server>__<tool>`. */
export const mcpToolName = (server: string, tool: string) => `mcp__${server}__${tool}`;

/**
 * Variables of AgentDesk itself that no agent or MCP server may be given, whatever an admin
 * names: they open the database, the queue or the sessions of every user. (Model keys and
 * repository credentials are the job process's business: it hands them over only in the
 * forms DESIGN.md "Isolation" allows, such as a model gateway instead of ANTHROPIC_API_KEY.)
 */
export const reservedEnvNames = ["DATABASE_URL", "REDIS_URL", "AUTH_SECRET", "BETTER_AUTH_SECRET"] as const;

/**
 * The ACP agent registry as the web publishes it for the job processes (they never read the
 * database): the whole registry, replaced on every change and at web start-up, under one
 * Redis key. Each job process reads it at every advert tick and says which agents it can start.
 */
export const acpAgentRegistry = z.object({
  agents: z.array(acpAgentSpec),
  publishedAt: z.iso.datetime(),
});
export type AcpAgentRegistry = z.infer<typeof acpAgentRegistry>;

export const acpAgentRegistryKey = (redisPrefix: string) => `${redisPrefix}acp-agents`;
