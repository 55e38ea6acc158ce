"use client";

import Link, { useLinkStatus } from "next/link";
import { usePathname } from "next/navigation";
import { cx } from "../ui/cx";

export type NavItem = { href: string; label: string; badge?: React.ReactNode };

function isActive(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/" || (pathname.startsWith("/runs/") && pathname !== "/runs/new");
  return pathname === href || pathname.startsWith(`${href}/`);
}

/** A small spinner beside the link that was clicked, until its page is shown. */
function PendingMark() {
  const { pending } = useLinkStatus();
  return (
    <span
      aria-hidden="true"
      data-pending={pending || undefined}
      className={cx("ml-1.5 h-3 w-3 shrink-0 rounded-full border-2 border-current border-t-transparent", pending ? "inline-block animate-spin" : "hidden")}
    />
  );
}

/** The nav's links: stacked and finger-sized in the narrow menu, one row on wide screens. */
export function NavLinks({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  // Of nested links (/admin and /admin/agents) only the most specific one that matches is current.
  const current = items.filter((item) => isActive(pathname, item.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return (
    <ul className="flex flex-col gap-0.5 lg:flex-row lg:flex-wrap lg:items-center lg:gap-0.5">
      {items.map((item) => (
        <li key={item.href}>
          <Link
            href={item.href}
            aria-current={item.href === current ? "page" : undefined}
            className={cx(
              "flex min-h-11 items-center rounded-lg px-3 text-sm font-medium whitespace-nowrap transition-colors lg:min-h-0 lg:px-2.5 lg:py-1.5",
              item.href === current ? "bg-zinc-800 text-zinc-50" : "text-zinc-400 hover:bg-zinc-800/60 hover:text-zinc-100",
            )}
          >
            {item.label}
            {item.badge}
            <PendingMark />
          </Link>
        </li>
      ))}
    </ul>
  );
}
