#!/usr/bin/env node
// A real MCP server for the tests, built on @modelcontextprotocol/sdk's server. Run it with
// /usr/bin/node inside a run's sandbox (stdio, the default) or as a Streamable HTTP server
// (`--http <port>`, for the HTTP transport). Plain JavaScript: it runs without a build step.
//
// Tools:
//   echo {text, envVar?}   its input back, with facts about where it runs: uid, gid, cwd, pid,
//                          hostname, the names of its environment variables, whether `envVar` is set
//   write_note {name, text} writes `text` to the file `name` in its working directory
//   slow {ms}              answers after `ms` milliseconds (to stop a run mid-call)
//   fail {message}         answers with an error result
//
// Options (argv):
//   --tag <text>           ignored; lets a test find this server's processes by their command line
//   --fail-start <message> writes the message to stderr ($NAME replaced by that variable's value) and exits 3 before speaking MCP
//   --bad-tool-names       also offers tools whose names a client must refuse
//   --http <port>          serves Streamable HTTP on 127.0.0.1:<port>; `--token <t>` requires `Authorization: Bearer <t>`
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};

const failStart = option("--fail-start");
if (failStart !== undefined) {
  const said = failStart.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name) => process.env[name] ?? "");
  process.stderr.write(`fixture MCP server: ${said}\n`);
  process.exit(3);
}

const text = (value) => ({ content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value) }] });

function createServer() {
  const server = new McpServer({ name: "agentdesk-fixture", version: "1.0.0" });
  server.registerTool(
    "echo",
    {
      description: "Returns its input and facts about the process it runs in",
      inputSchema: { text: z.string(), envVar: z.string().optional() },
    },
    async ({ text: said, envVar }) =>
      text({
        echo: said,
        uid: process.getuid(),
        gid: process.getgid(),
        cwd: process.cwd(),
        pid: process.pid,
        hostname: os.hostname(),
        envNames: Object.keys(process.env).sort(),
        ...(envVar ? { envVar, envVarSet: process.env[envVar] !== undefined } : {}),
      }),
  );
  server.registerTool(
    "write_note",
    {
      description: "Writes a text file in the server's working directory",
      inputSchema: { name: z.string(), text: z.string() },
    },
    async ({ name, text: content }) => {
      const file = path.resolve(process.cwd(), name);
      fs.writeFileSync(file, content);
      return text(`wrote ${file}`);
    },
  );
  server.registerTool(
    "slow",
    { description: "Answers after a delay", inputSchema: { ms: z.number().int().min(0) } },
    async ({ ms }) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return text(`waited ${ms} ms`);
    },
  );
  server.registerTool(
    "fail",
    { description: "Answers with an error result", inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: "text", text: message }], isError: true }),
  );
  if (argv.includes("--bad-tool-names")) {
    for (const name of ["has space", "x".repeat(200), "semi;colon", "new\nline"]) {
      server.registerTool(name, { description: "a tool a client must not offer" }, async () => text("should never run"));
    }
  }
  return server;
}

const port = option("--http");
if (port === undefined) {
  await createServer().connect(new StdioServerTransport());
  process.stderr.write("fixture MCP server ready on stdio\n");
} else {
  const token = option("--token");
  const httpServer = http.createServer(async (req, res) => {
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    // Stateless: one server and transport per request.
    const server = createServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  httpServer.listen(Number(port), "127.0.0.1", () => {
    process.stdout.write(`listening ${httpServer.address().port}\n`);
  });
}
