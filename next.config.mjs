// @ts-check
// JavaScript, not next.config.ts: `next start` compiles a TypeScript config with SWC, which loads
// SWC's native library into the web server for good (23 MiB resident, measured with
// bench/webMemory.ts); an ES module is imported as it is.

/** @type {import("next").NextConfig} */
const nextConfig = {
  // These packages open sockets, files or WASM at run time; bundling them breaks that.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "bullmq", "ioredis", "simple-git"],
  poweredByHeader: false,
  // `npm test` type-checks the whole project (web, job process, tests) with tsc; checking the
  // web half again inside `next build` would double the first `npm start` on small machines.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
