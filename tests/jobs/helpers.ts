import crypto from "node:crypto";
import { expect } from "vitest";
import { endsStream, type EventType, type RunEvent } from "../../lib/events";
import { readRunEvents, type EventLog } from "../../lib/eventLog";
import type { RunJobPayload } from "../../lib/queue";

/** A run payload for `repoUrl`, valid against `runJobPayload`, with a fresh run id. */
export function makeRunPayload(repoUrl: string, overrides: Partial<RunJobPayload> = {}): RunJobPayload {
  const runId = `run${crypto.randomBytes(6).toString("hex")}`;
  return {
    kind: "run",
    runId,
    userId: "user-1",
    repo: { name: "test-repo", url: repoUrl, credentialEnv: null, networkHosts: [] },
    mcpServers: [],
    environment: null,
    baseBranch: "main",
    branch: `agentdesk/test-${runId}`,
    executor: "cli",
    command: "true",
    prompt: "Test run",
    approvalMode: "auto",
    model: null,
    maxTurns: 10,
    timeoutSec: 120,
    ...overrides,
  };
}

export async function allEvents(log: EventLog, runId: string): Promise<RunEvent[]> {
  return (await readRunEvents(log, runId, "0", 10_000)).map((e) => e.event);
}

/** Polls until `predicate` holds for the run's events; returns them. */
export async function waitForEvents(
  log: EventLog,
  runId: string,
  predicate: (events: RunEvent[]) => boolean,
  timeoutMs = 20_000,
): Promise<RunEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await allEvents(log, runId);
    if (predicate(events)) return events;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for events of ${runId}; have: ${events.map((e) => e.type).join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const hasType = (type: EventType) => (events: RunEvent[]) => events.some((e) => e.type === type);
export const hasEnded = (events: RunEvent[]) => events.some(endsStream);

/** Polls `fn` until it returns a value that is not undefined. */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Event types with consecutive `log` events collapsed into one, for order assertions. */
export function typeSequence(events: RunEvent[]): EventType[] {
  const out: EventType[] = [];
  for (const e of events) if (!(e.type === "log" && out[out.length - 1] === "log")) out.push(e.type);
  return out;
}

export function expectNoSecret(value: unknown, secret: string): void {
  expect(JSON.stringify(value)).not.toContain(secret);
}
