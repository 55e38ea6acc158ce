import { describe, expect, it } from "vitest";
import type { CreateElicitationRequest } from "@agentclientprotocol/sdk/unstable";
import { appendToFeed, emptyFeed } from "../../components/feed/feedModel";
import { chooseOption, Grants } from "../../jobs/executors/acp/permissions";
import { answerElicitation } from "../../jobs/executors/acp/questions";
import { ToolCallBook, toolNameOf } from "../../jobs/executors/acp/toolCalls";
import type { HumanAnswer, HumanInputRequest } from "../../jobs/humanInput";
import { requestIdSchema } from "../../lib/inputArbiter";
import type { RunEvent } from "../../lib/events";

/** A person who answers each question in turn, recording what was asked. */
function person(...answers: (string | null)[]) {
  const asked: HumanInputRequest[] = [];
  const ask = async (request: HumanInputRequest): Promise<HumanAnswer> => {
    asked.push(request);
    const answer = answers[asked.length - 1];
    return answer === null || answer === undefined ? { timedOut: true, decision: "deny", reason: "no answer within 1 s" } : { answer, by: "owner@example.com" };
  };
  return { ask, asked };
}

// claude-agent-acp's rendering of Claude Code's AskUserQuestion (dist/elicitation.js).
const askUserQuestion = (multiSelect = false): CreateElicitationRequest => ({
  mode: "form",
  sessionId: "s1",
  toolCallId: "toolu_ask",
  message: "Which greeting should I use?",
  requestedSchema: {
    type: "object",
    properties: multiSelect
      ? {
          question_0: { type: "array", title: "Greeting", items: { anyOf: [{ const: "Hello", title: "Hello" }, { const: "Howdy", title: "Howdy" }] } },
          question_0_custom: { type: "string", title: "Other" },
        }
      : {
          question_0: { type: "string", title: "Greeting", oneOf: [{ const: "Hello", title: "Hello", description: "plain" }, { const: "Howdy", title: "Howdy" }] },
          question_0_custom: { type: "string", title: "Other" },
        },
  },
});

describe("an agent's form as the run's question form", () => {
  it("asks one question listing the options; a matching answer picks the option", async () => {
    const p = person("  howdy ");
    expect(await answerElicitation(askUserQuestion(), p.ask, "acp1-question-1")).toEqual({ action: "accept", content: { question_0: "Howdy" } });
    expect(p.asked).toHaveLength(1);
    expect(p.asked[0]).toMatchObject({ kind: "question", requestId: "acp1-question-1-question_0" });
    expect(p.asked[0]!.question).toContain("Which greeting should I use?");
    expect(p.asked[0]!.question).toContain("- Hello: plain\n- Howdy");
    expect(requestIdSchema.safeParse(p.asked[0]!.requestId).success).toBe(true);
  });

  it("puts words that match no option into the form's free-text companion field", async () => {
    expect(await answerElicitation(askUserQuestion(), person("Good morning").ask, "q")).toEqual({ action: "accept", content: { question_0_custom: "Good morning" } });
    expect(await answerElicitation(askUserQuestion(true), person("hello, Salut").ask, "q")).toEqual({
      action: "accept",
      content: { question_0: ["Hello"], question_0_custom: "Salut" },
    });
  });

  it("reads yes/no and numbers for such fields, and asks each field of a larger form", async () => {
    const form: CreateElicitationRequest = {
      mode: "form",
      sessionId: "s1",
      message: "Deploy settings",
      requestedSchema: { type: "object", properties: { confirm: { type: "boolean", title: "Deploy now?" }, replicas: { type: "integer", title: "Replicas" } } },
    };
    const p = person("yes", "3");
    expect(await answerElicitation(form, p.ask, "q")).toEqual({ action: "accept", content: { confirm: true, replicas: 3 } });
    expect(p.asked.map((r) => r.question)).toEqual([expect.stringContaining("Deploy now?"), expect.stringContaining("Replicas")]);
  });

  it("declines when the question times out, and for URL elicitations it cannot show", async () => {
    expect(await answerElicitation(askUserQuestion(), person(null).ask, "q")).toEqual({ action: "decline" });
    const url = { mode: "url", sessionId: "s1", elicitationId: "e1", url: "https://example.com/login", message: "Sign in" } as CreateElicitationRequest;
    expect(await answerElicitation(url, person().ask, "q")).toEqual({ action: "decline" });
  });

  it("makes request ids valid whatever the agent names its fields", async () => {
    const form: CreateElicitationRequest = { mode: "form", sessionId: "s", message: "?", requestedSchema: { type: "object", properties: { "what/is it?": { type: "string" } } } };
    const p = person("x");
    await answerElicitation(form, p.ask, "acp1-question-2");
    expect(requestIdSchema.safeParse(p.asked[0]!.requestId).success).toBe(true);
  });
});

describe("tool calls as the agent reports them", () => {
  it("merges updates field by field: an absent or null field leaves what was known", () => {
    const book = new ToolCallBook();
    book.merge({ toolCallId: "t", title: "Run tests", kind: "execute", status: "pending", rawInput: { command: "npm test" } });
    const merged = book.merge({ toolCallId: "t", status: "completed", title: null, rawOutput: "ok" });
    expect(merged).toMatchObject({ title: "Run tests", kind: "execute", status: "completed", rawInput: { command: "npm test" }, rawOutput: "ok" });
  });

  it("names the tool by its programmatic name (claude-agent-acp's in _meta), else its title", () => {
    expect(toolNameOf({ title: "`ls`", kind: "execute", _meta: { claudeCode: { toolName: "Bash" } } })).toBe("Bash");
    expect(toolNameOf({ title: "Read README.md", kind: "read" })).toBe("Read README.md");
    expect(toolNameOf({ title: "", kind: "fetch" })).toBe("fetch");
  });
});

describe("permission answers", () => {
  const options = [
    { optionId: "always", name: "Always", kind: "allow_always" as const },
    { optionId: "once", name: "Once", kind: "allow_once" as const },
    { optionId: "no", name: "No", kind: "reject_once" as const },
  ];
  it("prefers the once-only options, and says when there is none of a kind", () => {
    expect(chooseOption(options, ["allow_once", "allow_always"])?.optionId).toBe("once");
    expect(chooseOption(options.slice(0, 1), ["allow_once", "allow_always"])?.optionId).toBe("always");
    expect(chooseOption(options.slice(0, 2), ["reject_once", "reject_always"])).toBeNull();
  });

  it("lets a terminal run a granted command as is or wrapped in sh -c, and nothing else", () => {
    const grants = new Grants();
    grants.add({ kind: "shell", command: " npm test " });
    const action = (line: string) => ({ kind: "shell" as const, command: line });
    expect(grants.coversTerminal("npm", ["test"], action("npm test"))).toBe(true);
    expect(grants.coversTerminal("/bin/bash", ["-c", "npm test"], action("/bin/bash -c 'npm test'"))).toBe(true);
    expect(grants.coversTerminal("bash", ["-c", "npm test; rm -rf /"], action("bash -c 'npm test; rm -rf /'"))).toBe(false);
    expect(grants.coversTerminal("python3", ["-c", "npm test"], action("python3 -c 'npm test'"))).toBe(false);
  });
});

describe("plans in the feed", () => {
  it("shows the newest plan in place of the one just before it", () => {
    const plan = (seq: number, status: "pending" | "completed"): { id: string; event: RunEvent } => ({
      id: `${seq}-0`,
      event: { runId: "r", seq, at: "2026-01-01T00:00:00Z", type: "agent.plan", entries: [{ content: "Write tests", status, priority: "high" }] },
    });
    const feed = appendToFeed(appendToFeed(emptyFeed(), [plan(1, "pending")]), [plan(2, "completed")]);
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]).toMatchObject({ kind: "event", event: { seq: 2, entries: [{ status: "completed" }] } });
  });
});
