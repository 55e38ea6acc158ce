import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // These packages open sockets, files or WASM at run time; bundling them breaks that.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "bullmq", "ioredis", "simple-git"],
  poweredByHeader: false,
};

export default nextConfig;
