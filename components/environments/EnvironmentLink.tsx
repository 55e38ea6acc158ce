import Link from "next/link";
import type { EnvironmentSpec } from "@/lib/contracts/environment";
import { linkClass } from "../ui/styles";

function firstLine(script: string): string {
  const line = script.split("\n").find((l) => l.trim()) ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

function describe(spec: EnvironmentSpec | "invalid" | undefined): React.ReactNode {
  if (spec === "invalid") return <span className="text-amber-300">no longer valid: save it again</span>;
  if (!spec) return <span className="text-zinc-500">none set</span>;
  if (!spec.setupScript) {
    return <span className="text-zinc-400">{spec.useRepositoryFile ? "from the repository's .agentdesk/environment.json, if any" : "no setup script"}</span>;
  }
  const key = spec.cacheKeyFiles.length ? `cached by ${spec.cacheKeyFiles.join(", ")}` : "cached per base commit";
  return (
    <>
      <span className="font-mono text-zinc-200">{firstLine(spec.setupScript)}</span>
      <span className="text-zinc-500"> · {key}</span>
      {spec.setupHosts.length > 0 && <span className="text-zinc-500"> · reaches {spec.setupHosts.join(", ")}</span>}
    </>
  );
}

/** One line on a repository's environment, linking to its page. */
export function EnvironmentLink({ repo, spec }: { repo: string; spec: EnvironmentSpec | "invalid" | undefined }) {
  return (
    <p className="flex flex-wrap items-baseline gap-x-2 text-xs" data-environment-of={repo}>
      <span className="font-medium text-zinc-400">Environment:</span>
      <span className="min-w-0 break-words">{describe(spec)}</span>
      <Link href={`/repos/${encodeURIComponent(repo)}/environment`} className={linkClass}>
        {spec ? "Edit" : "Set up"}
      </Link>
    </p>
  );
}
