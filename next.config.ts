import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // These packages open sockets, files or WASM at run time; bundling them breaks that.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "bullmq", "ioredis", "simple-git"],
  poweredByHeader: false,
  // `npm test` type-checks the whole project (web, job process, tests) with tsc; checking the
  // web half again inside `next build` would double the first `npm start` on small machines.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
