import Link from "next/link";
import { cx } from "../ui/cx";

const sections = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/teams", label: "Teams" },
  { href: "/admin/agents", label: "ACP agents" },
  { href: "/admin/workspaces", label: "Workspaces" },
] as const;

/** The admin pages' own sub-navigation (the main nav stays short). */
export function AdminNav({ current }: { current: (typeof sections)[number]["href"] }) {
  return (
    <nav aria-label="Admin sections" className="-mt-2 mb-6 flex flex-wrap gap-1 border-b border-zinc-800 pb-2">
      {sections.map((s) => (
        <Link
          key={s.href}
          href={s.href}
          aria-current={s.href === current ? "page" : undefined}
          className={cx(
            "rounded-lg px-3 py-2 text-sm font-medium",
            s.href === current ? "bg-zinc-800 text-zinc-50" : "text-zinc-400 hover:bg-zinc-800/60 hover:text-zinc-100",
          )}
        >
          {s.label}
        </Link>
      ))}
    </nav>
  );
}
