import type { ContentBlockParam, FakeTurn, RecordedRequest } from "../tests/support/fakeAnthropic";

/**
 * What the demo model "says": a short, realistic agent session on the sample repository.
 * It explores, reads, tries a path outside its workspace (and is refused), edits a file,
 * adds one, runs the program, removes stale build output, and sums up what happened. With the
 * new-run form's default approval mode two of its commands wait for the person's approval
 * card: running the program (a script whose contents the policy does not check) and the
 * `rm -rf build`. What follows each card depends on the answer, as a real agent's would: a denied
 * run of the program is not reported as working, and the summary says what ran and what did not.
 * The step is chosen by how far the conversation has got, so every run of the demo (and a
 * resumed one) plays the same.
 */
const RUN_CALL = "toolu_demo_run";
const CLEANUP_CALL = "toolu_demo_cleanup";

type Conversation = RecordedRequest["body"]["messages"];

/** The result the conversation holds for a call, if any. */
function resultOf(messages: Conversation, callId: string): ContentBlockParam | undefined {
  for (const m of messages) {
    if (typeof m.content === "string") continue;
    const found = m.content.find((b) => b.type === "tool_result" && b.tool_use_id === callId);
    if (found) return found;
  }
  return undefined;
}

/** The first line of a refused call's result: the policy's or the person's reason. */
const reasonOf = (result: ContentBlockParam) => String(result.content).split("\n")[0];

const steps: (FakeTurn | ((messages: Conversation) => FakeTurn))[] = [
  { content: [{ type: "text", text: "I'll start by looking at how the repository is laid out." }, { type: "tool_use", name: "list_directory", input: {} }] },
  { content: [{ type: "text", text: "Let me find where the greeting is built." }, { type: "tool_use", name: "search", input: { pattern: "Hello" } }] },
  { content: [{ type: "tool_use", name: "read_file", input: { path: "src/greet.js" } }] },
  {
    content: [
      { type: "text", text: "Before changing it, let me check the system's user list for a default name." },
      { type: "tool_use", name: "read_file", input: { path: "../../../../etc/passwd" } },
    ],
  },
  {
    content: [
      { type: "text", text: "That path is outside my workspace, so I'll keep to the repository. I'll make the greeting friendlier and handle a missing name." },
      {
        type: "tool_use",
        name: "edit_file",
        input: {
          path: "src/greet.js",
          old_string: 'function greet(name) {\n  return "Hello, " + name;\n}',
          new_string: 'function greet(name = "there") {\n  return `Hello, ${name}! Welcome to AgentDesk.`;\n}',
        },
      },
    ],
  },
  {
    content: [
      { type: "text", text: "Now a changelog entry for the reviewer." },
      { type: "tool_use", name: "write_file", input: { path: "CHANGELOG.md", content: "# Changelog\n\n- greet(): friendlier message, and a default when no name is given.\n" } },
    ],
  },
  {
    content: [
      { type: "text", text: "Let me run it to check both cases." },
      { type: "tool_use", name: "shell", input: { command: "node src/main.js Ada && node src/main.js" }, id: RUN_CALL },
    ],
  },
  (messages) => {
    const run = resultOf(messages, RUN_CALL);
    const checked = run?.is_error
      ? `Running it was not approved (${reasonOf(run)}), so I won't run it again; the change is small enough to review by reading.`
      : "Both work.";
    return {
      content: [
        { type: "text", text: `${checked} The build/ folder holds output of the old greeting, which is now stale; I'll remove it.` },
        { type: "tool_use", name: "shell", input: { command: "rm -rf build" }, id: CLEANUP_CALL },
      ],
    };
  },
];

const SUMMARY =
  "Done. Summary for review:\n\n- `src/greet.js`: the greeting now reads \"Hello, <name>! Welcome to AgentDesk.\" and falls back to \"there\" when no name is given.\n" +
  "- `CHANGELOG.md`: new, with one entry describing the change.\n";

/** The last step answers what really happened to the two commands: approved and run, or denied. */
function summary(messages: Conversation): FakeTurn {
  const run = resultOf(messages, RUN_CALL);
  const cleanup = resultOf(messages, CLEANUP_CALL);
  const text =
    SUMMARY +
    (cleanup?.is_error
      ? `- \`build/\` is left as it was: removing it was not approved (${reasonOf(cleanup)}).\n`
      : "- `build/`: removed, as it held stale output of the old greeting.\n") +
    (run?.is_error
      ? `\nI did not run the program: that was not approved (${reasonOf(run)}). Please check \`node src/main.js\` with and without a name before merging. `
      : "\nI ran `node src/main.js` with and without a name; both print the expected greeting. ") +
    "(My attempt to read /etc/passwd was refused: it is outside the workspace, as it should be.)";
  return { content: [{ type: "text", text }] };
}

export function demoTurn(request: RecordedRequest): FakeTurn {
  const messages = request.body.messages;
  const step = messages.filter((m) => m.role === "assistant").length;
  const next = steps[step];
  const turn = next === undefined ? summary(messages) : typeof next === "function" ? next(messages) : next;
  // Paced like a real model, so the feed can be watched as it streams.
  return "content" in turn ? { ...turn, delayMs: 600, chunkDelayMs: 60 } : turn;
}

/** The sample repository's files. */
export const demoFiles: Record<string, string> = {
  "README.md": "# greeter\n\nA tiny program AgentDesk's demo agent works on.\n\n    node src/main.js <name>\n",
  "src/greet.js": 'export function greet(name) {\n  return "Hello, " + name;\n}\n',
  "src/main.js": 'import { greet } from "./greet.js";\n\nconsole.log(greet(process.argv[2]));\n',
  "build/greeting.txt": "Hello, world\n",
  "package.json": '{\n  "name": "greeter",\n  "version": "1.0.0",\n  "type": "module"\n}\n',
};
