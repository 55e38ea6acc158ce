import type { RunEvent } from "@/lib/events";
import { formatDuration, shortSha } from "../format";
import { cx } from "../ui/cx";
import { checkTitle } from "./CheckStep";
import { environmentTitle } from "./EnvironmentStep";
import { FeedRow, RowTitle } from "./FeedRow";
import { icons } from "./icons";

const logTone = { debug: "text-zinc-500", info: "text-zinc-300", warn: "text-amber-300", error: "text-red-400" } as const;

const reviewLooks = {
  push: { label: "Push approved", icon: icons.upload, tone: "info" },
  request_changes: { label: "Changes requested", icon: icons.chat, tone: "warning" },
  discard: { label: "Discarded", icon: icons.cross, tone: "neutral" },
} as const;

const planMarks = { completed: "✓", in_progress: "▸", pending: "○" } as const;
const planTones = { completed: "text-zinc-500 line-through", in_progress: "text-zinc-100", pending: "text-zinc-300" } as const;

/** An agent's plan as it stands: each step with its status (a newer plan replaces it in the feed). */
function PlanEntry({ event }: { event: Extract<RunEvent, { type: "agent.plan" }> }) {
  const done = event.entries.filter((e) => e.status === "completed").length;
  return (
    <FeedRow icon={icons.queue} tone="info" at={event.at} type={event.type}>
      <RowTitle detail={`${done} of ${event.entries.length} done`}>Plan</RowTitle>
      <ol className="mt-1 space-y-0.5 text-sm">
        {event.entries.map((entry, i) => (
          <li key={i} className={cx("flex gap-2", planTones[entry.status])}>
            <span className="w-3 shrink-0 text-center font-mono text-xs leading-5" aria-label={entry.status.replace("_", " ")}>
              {planMarks[entry.status]}
            </span>
            <span>
              {entry.content}
              {entry.priority === "high" && <span className="ml-2 text-[11px] text-amber-300">high</span>}
            </span>
          </li>
        ))}
      </ol>
    </FeedRow>
  );
}

const Mono = ({ children }: { children: React.ReactNode }) => <span className="font-mono text-zinc-300">{children}</span>;

/**
 * Every event that is not a tool call, assistant text or input request, each in its own
 * words. Unknown future types would fail to compile here (the switch is exhaustive).
 */
export function EventEntry({ event }: { event: RunEvent }) {
  switch (event.type) {
    case "run.queued":
      return (
        <FeedRow icon={icons.queue} at={event.at} type={event.type}>
          <RowTitle detail={<>{event.executor} on {event.repo}</>}>Queued</RowTitle>
        </FeedRow>
      );
    case "run.waiting":
      return (
        <FeedRow icon={icons.queue} at={event.at} type={event.type}>
          <RowTitle detail={<>{event.on.length === 1 ? "run" : "runs"} <Mono>{event.on.map((id) => id.slice(0, 8)).join(", ")}</Mono></>}>
            Waiting for other runs to finish
          </RowTitle>
        </FeedRow>
      );
    case "run.released":
      return (
        <FeedRow icon={icons.queue} tone="info" at={event.at} type={event.type}>
          <RowTitle detail={<>after <Mono>{event.after.map((id) => id.slice(0, 8)).join(", ")}</Mono></>}>The runs it waited for finished; queued</RowTitle>
        </FeedRow>
      );
    case "run.started": {
      const resumed = event.resumed || event.attempt > 1;
      return (
        <FeedRow icon={icons.play} tone="info" at={event.at} type={event.type}>
          <RowTitle detail={<>attempt {event.attempt} · worker <Mono>{event.worker}</Mono></>}>
            Started
            {resumed && (
              <span className="ml-2 rounded bg-amber-950 px-1.5 py-0.5 text-[11px] font-semibold text-amber-300 ring-1 ring-amber-800">resumed</span>
            )}
          </RowTitle>
        </FeedRow>
      );
    }
    case "workspace.ready":
      return (
        <FeedRow icon={icons.branch} tone="info" at={event.at} type={event.type}>
          <RowTitle detail={formatDuration(event.durationMs)}>Workspace ready</RowTitle>
          <p className="mt-0.5 text-xs text-zinc-400">
            <Mono>{event.branch}</Mono> from <Mono>{event.baseBranch}</Mono> at <Mono>{shortSha(event.baseSha)}</Mono>
          </p>
        </FeedRow>
      );
    case "agent.plan":
      return <PlanEntry event={event} />;
    case "log":
      return (
        <FeedRow icon={icons.info} tone={event.level === "error" ? "danger" : event.level === "warn" ? "warning" : "neutral"} at={event.at} type={event.type}>
          <p className={cx("font-mono text-xs leading-5 whitespace-pre-wrap", logTone[event.level])}>
            <span className="mr-2 uppercase opacity-70">{event.level}</span>
            {event.message}
          </p>
        </FeedRow>
      );
    case "diff.ready":
      return (
        <FeedRow icon={icons.diff} tone="accent" at={event.at} type={event.type}>
          <RowTitle
            detail={
              <>
                {event.files.length} {event.files.length === 1 ? "file" : "files"} changed ·{" "}
                <span className="text-emerald-400">+{event.additions}</span> <span className="text-red-400">−{event.deletions}</span>
              </>
            }
          >
            Diff ready
          </RowTitle>
          {event.files.length > 0 && (
            <p className="mt-0.5 truncate font-mono text-xs text-zinc-500">
              {event.files.slice(0, 6).map((f) => f.path).join(", ")}
              {event.files.length > 6 && ` and ${event.files.length - 6} more`}
            </p>
          )}
        </FeedRow>
      );
    case "run.awaiting_review":
      return (
        <FeedRow icon={icons.eye} tone="accent" at={event.at} type={event.type}>
          <RowTitle detail={<><Mono>{event.branch}</Mono> at <Mono>{shortSha(event.headSha)}</Mono></>}>Ready for review</RowTitle>
          <p className="mt-0.5 text-xs text-zinc-400">Nothing has left this machine. Read the diff below before it is pushed.</p>
        </FeedRow>
      );
    case "push.started":
      return (
        <FeedRow icon={icons.upload} tone="info" at={event.at} type={event.type}>
          <RowTitle detail={<><Mono>{event.branch}</Mono> → {event.remote}</>}>Pushing</RowTitle>
        </FeedRow>
      );
    case "push.finished":
      return (
        <FeedRow icon={event.ok ? icons.check : icons.cross} tone={event.ok ? "success" : "danger"} at={event.at} type={event.type}>
          <RowTitle detail={event.ok && event.commit ? <>commit <Mono>{shortSha(event.commit)}</Mono></> : undefined}>
            {event.ok ? `Pushed ${event.branch} to ${event.remote}` : "Push failed"}
          </RowTitle>
          {event.pullRequestUrl && (
            <a href={event.pullRequestUrl} className="mt-0.5 block text-xs text-indigo-300 hover:underline" target="_blank" rel="noreferrer">
              {event.pullRequestUrl}
            </a>
          )}
          {event.error && <p className="mt-1 text-sm text-red-300">{event.error}</p>}
        </FeedRow>
      );
    case "review.decided":
      return (
        <FeedRow icon={reviewLooks[event.action].icon} tone={reviewLooks[event.action].tone} at={event.at} type={event.type}>
          <RowTitle detail={`by ${event.by}`}>
            {event.action === "push" && event.pullRequest ? "Push and open a pull request" : reviewLooks[event.action].label}
          </RowTitle>
          {event.feedback && (
            <blockquote className="mt-1 border-l-2 border-zinc-700 pl-3 text-sm whitespace-pre-wrap text-zinc-300">{event.feedback}</blockquote>
          )}
        </FeedRow>
      );
    case "run.completed":
      return (
        <FeedRow icon={icons.check} tone="success" at={event.at} type={event.type}>
          <RowTitle detail={event.reason}>Completed</RowTitle>
        </FeedRow>
      );
    case "run.failed":
      return (
        <FeedRow icon={icons.cross} tone="danger" at={event.at} type={event.type}>
          <div className="rounded-lg border border-red-900/70 bg-red-950/40 p-3">
            <p className="text-sm font-semibold text-red-200">Run failed</p>
            <p className="mt-1 font-mono text-xs whitespace-pre-wrap text-red-300">{event.error}</p>
          </div>
        </FeedRow>
      );
    case "run.cancelled":
      return (
        <FeedRow icon={icons.stop} tone="warning" at={event.at} type={event.type}>
          {/* The reason often names who cancelled already; say it once. */}
          <RowTitle detail={event.by && !event.reason.includes(event.by) ? `${event.reason} (by ${event.by})` : event.reason}>Cancelled</RowTitle>
        </FeedRow>
      );
    case "input.resolved":
      return (
        <FeedRow icon={icons.check} at={event.at} type={event.type}>
          <RowTitle detail={event.answer}>{event.decision ? `${event.decision === "approve" ? "Approved" : "Denied"} by ${event.by}` : `Answered by ${event.by}`}</RowTitle>
        </FeedRow>
      );
    case "environment.finished":
      // Only when its start is not in the feed (EnvironmentStep shows both together).
      return (
        <FeedRow icon={icons.box} tone={event.ok ? "success" : "danger"} at={event.at} type={event.type}>
          <RowTitle detail={event.error}>{environmentTitle(event)}</RowTitle>
        </FeedRow>
      );
    case "check.finished":
      // Only when its start is not in the feed (CheckStep shows both together).
      return (
        <FeedRow icon={icons.check} tone={event.ok ? "success" : "danger"} at={event.at} type={event.type}>
          <RowTitle detail={event.error}>{checkTitle(event.phase, event.name, event)}</RowTitle>
        </FeedRow>
      );
    case "tool.started":
    case "tool.finished":
    case "check.started":
    case "environment.started":
    case "assistant.text":
    case "input.requested":
    case "usage":
      // Shown by ToolStep, EnvironmentStep, AssistantText, InputRequestCard and the run's usage summary.
      return null;
  }
}
