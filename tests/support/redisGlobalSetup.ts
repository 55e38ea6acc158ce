import type { TestProject } from "vitest/node";
import { startTestRedis } from "./testRedis";

declare module "vitest" {
  export interface ProvidedContext {
    /** The password-protected Redis of this test run (setup.ts puts it in REDIS_URL). */
    redisUrl: string;
  }
}

/** vitest global setup: one private Redis with a password for the whole run, stopped after. */
export default async function setup(project: TestProject) {
  const redis = await startTestRedis();
  project.provide("redisUrl", redis.url);
  return redis.stop;
}
