import http from "node:http";
import type { AddressInfo } from "node:net";
import { startFakeAnthropic, type ContentBlockParam, type FakeTurn, type RecordedRequest } from "../../tests/support/fakeAnthropic";

/**
 * The model of the browser tests' job process: the suite's fake Messages API, started by the
 * global setup, playing scripts the test files register over HTTP (they run in other
 * processes). A run picks its script by a marker in its prompt, `[e2e:<name>]`; its step is
 * how many answers the model gave so far, so a retried request replays the same step. In a
 * script's strings `{{lastResult}}` stands for the text of the last tool result the model
 * received, so a scripted agent can act on a person's answer or denial.
 */
export type ScriptedModel = { url: string; controlUrl: string; close(): Promise<void> };

const MARKER = /\[e2e:([A-Za-z0-9_-]+)\]/;

function promptOf(request: RecordedRequest): string {
  const first = request.body.messages[0]?.content;
  if (typeof first === "string") return first;
  return (first ?? []).map((b) => b.text ?? "").join("");
}

function lastResult(request: RecordedRequest): string {
  const last = request.body.messages[request.body.messages.length - 1]?.content;
  const result = Array.isArray(last) ? last.find((b: ContentBlockParam) => b.type === "tool_result") : undefined;
  return typeof result?.content === "string" ? result.content : "";
}

function fill<T>(value: T, result: string): T {
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === "string" ? v.replaceAll("{{lastResult}}", result) : v))) as T;
}

export async function startScriptedModel(): Promise<ScriptedModel> {
  const scripts = new Map<string, FakeTurn[]>();
  const model = await startFakeAnthropic((request) => {
    const name = MARKER.exec(promptOf(request))?.[1];
    const script = name === undefined ? undefined : scripts.get(name);
    const step = request.body.messages.filter((m) => m.role === "assistant").length;
    const turn = script?.[step];
    if (!turn) {
      return { error: { status: 400, type: "invalid_request_error", message: `e2e model: no step ${step} in script ${name ?? "(no [e2e:name] marker)"}` } };
    }
    return fill(turn, lastResult(request));
  });

  const control = http.createServer((req, res) => {
    const name = /^\/scripts\/([A-Za-z0-9_-]+)$/.exec(req.url ?? "")?.[1];
    if (req.method !== "PUT" || !name) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        scripts.set(name, JSON.parse(Buffer.concat(chunks).toString("utf8")) as FakeTurn[]);
        res.writeHead(204).end();
      } catch (e) {
        res.writeHead(400).end(e instanceof Error ? e.message : String(e));
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  const { port } = control.address() as AddressInfo;

  return {
    url: model.url,
    controlUrl: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve, reject) => control.close((e) => (e ? reject(e) : resolve())));
      await model.close();
    },
  };
}

/** Registers a script under `name`, from a test file; its runs put `[e2e:<name>]` in their prompt. */
export async function setScript(controlUrl: string, name: string, turns: FakeTurn[]): Promise<void> {
  const res = await fetch(`${controlUrl}/scripts/${name}`, { method: "PUT", body: JSON.stringify(turns) });
  if (!res.ok) throw new Error(`could not set the e2e model's script ${name}: ${res.status} ${await res.text()}`);
}
