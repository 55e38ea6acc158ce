import type { TestProject } from "vitest/node";
import { startStack, type E2eStack } from "./support/stack";

declare module "vitest" {
  export interface ProvidedContext {
    stack: E2eStack;
  }
}

export default async function setup(project: TestProject) {
  const { stack, stop } = await startStack(project.getProvidedContext().redisUrl);
  project.provide("stack", stack);
  return stop;
}
