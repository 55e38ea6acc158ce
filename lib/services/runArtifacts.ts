import { asc, eq } from "drizzle-orm";
import { runEvent } from "../db/schema";
import { runEvent as runEventSchema, type RunEvent } from "../events";
import { formatRunLog } from "../runLogText";
import { buildTranscript, type Transcript } from "../runTranscript";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { assertRunVisible } from "./runs";

/** The run's recorded events, oldest first (the database is the durable record). */
async function recordedEvents(app: Pick<App, "db">, runId: string): Promise<RunEvent[]> {
  const rows = await app.db
    .select()
    .from(runEvent)
    .where(eq(runEvent.runId, runId))
    .orderBy(asc(runEvent.streamMs), asc(runEvent.streamSeq));
  const events: RunEvent[] = [];
  for (const r of rows) {
    const parsed = runEventSchema.safeParse({ ...(r.data as object), type: r.type, runId, seq: r.seq, at: r.at.toISOString() });
    // The recorder validated each event before writing it; a row that no longer parses was
    // written by an older version with a different schema, and is left out of the download.
    if (parsed.success) events.push(parsed.data);
  }
  return events;
}

/** The run's conversation (prompt, assistant text, tool calls with input and output, usage). */
export async function getRunTranscript(app: Pick<App, "db">, principal: Principal, id: string): Promise<Transcript> {
  const row = await assertRunVisible(app, principal, id);
  return buildTranscript(row.id, row.prompt, await recordedEvents(app, row.id));
}

/** The run's log as text, one line per event. */
export async function getRunLogText(app: Pick<App, "db">, principal: Principal, id: string): Promise<string> {
  const row = await assertRunVisible(app, principal, id);
  return formatRunLog(await recordedEvents(app, row.id));
}
