// A stand-in job process for the parent-SIGKILL test: runs argv[2] (a bash command) in the
// sandbox of workspace argv[3], says "started", and waits; the test then SIGKILLs this process.
import { runSandboxed } from "../../../jobs/sandbox/sandbox";

const [command, workspace] = process.argv.slice(2);
const running = runSandboxed({
  program: "bash",
  args: ["-c", command!],
  spec: { workspace: workspace!, readOnlyPaths: [], networkHosts: [] },
  settings: { mode: "on", allowPrivateNetwork: true },
  signal: new AbortController().signal,
  onOutput: (_stream, chunk) => process.stdout.write(chunk),
});
process.stdout.write("started\n");
void running.then((outcome) => {
  process.stdout.write(`ended ${JSON.stringify(outcome)}\n`);
});
