import type { InputKind } from "../contracts/inputRequests";
import type { NotificationState } from "../contracts/notifications";

/** What a message may say about a run: only what its owner sees on the run page, never more. */
export type RunSummary = {
  id: string;
  title: string;
  repo: string;
  team: string;
  teamId: string;
  branch: string;
  status: string;
  error: string | null;
};

export type InputSummary = { kind: InputKind; tool: string | null };

/**
 * The JSON body sent to a webhook: Slack-compatible (`text` in Slack's mrkdwn, with the run
 * as a link; Mattermost and Rocket.Chat read the same), plus `agentdesk` with the same facts
 * as fields for receivers that are programs. Nothing secret: the run's title, repository,
 * status and link; for a failure the first line of its error as the run page shows it; for an
 * approval the tool's name, never its input (a command can carry what a chat channel should not
 * see); for a question not its text.
 */
export function runMessage(appUrl: string, state: NotificationState, run: RunSummary, input?: InputSummary) {
  const url = `${appUrl}/runs/${encodeURIComponent(run.id)}`;
  const link = `<${url}|${slackEscape(run.title)}>`;
  const where = ` in ${slackEscape(run.repo)}`;
  let text: string;
  if (state === "review") text = `:eyes: Ready for review: ${link}${where}`;
  else if (state === "pushed") text = `:rocket: Pushed: ${link}${where}`;
  else if (state === "failed") {
    const reason = firstLine(run.error);
    text = `:x: Failed: ${link}${where}${reason ? `\n> ${slackEscape(reason)}` : ""}`;
  } else if (input?.kind === "question") text = `:question: The agent asks you a question: ${link}${where}`;
  else if (input?.kind === "budget") text = `:money_with_wings: Paused at its team's spending limit (a team admin decides): ${link}${where}`;
  else text = `:raised_hand: Approval needed${input?.tool ? ` for \`${slackEscape(input.tool)}\`` : ""}: ${link}${where}`;
  return {
    text,
    agentdesk: {
      event: state,
      run: { id: run.id, title: run.title, repo: run.repo, status: run.status, url },
      ...(state === "failed" && run.error ? { error: firstLine(run.error) } : {}),
      ...(state === "input" && input ? { input: { kind: input.kind, ...(input.tool ? { tool: input.tool } : {}) } } : {}),
    },
  };
}

/** The body of "send a test message". */
export function testMessage(appUrl: string) {
  return {
    text: `:wave: A test message from AgentDesk (<${appUrl}/settings/notifications|notification settings>). Your webhook works.`,
    agentdesk: { event: "test", url: `${appUrl}/settings/notifications` },
  };
}

// Slack's mrkdwn: these three are control characters in text.
const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function firstLine(text: string | null): string {
  const line = (text ?? "").split("\n").find((l) => l.trim()) ?? "";
  return line.length > 200 ? `${line.slice(0, 199)}…` : line.trim();
}
