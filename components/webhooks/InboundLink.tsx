import Link from "next/link";
import { linkClass } from "../ui/styles";

/** One line on a repository's incoming webhooks, linking to their page. */
export function InboundLink({ repo }: { repo: string }) {
  return (
    <p className="flex flex-wrap items-baseline gap-x-2 text-xs" data-webhooks-of={repo}>
      <span className="font-medium text-zinc-400">Incoming webhooks:</span>
      <span className="text-zinc-500">start runs from GitHub issues and comments</span>
      <Link href={`/repos/${encodeURIComponent(repo)}/webhooks`} className={linkClass}>
        Manage
      </Link>
    </p>
  );
}
