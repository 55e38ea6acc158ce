"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cx } from "../ui/cx";

export type NavItem = { href: string; label: string; badge?: React.ReactNode };

function isActive(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/" || (pathname.startsWith("/runs/") && pathname !== "/runs/new");
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function NavLinks({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  // Of nested links (/admin and /admin/agents) only the most specific one that matches is current.
  const current = items.filter((item) => isActive(pathname, item.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return (
    <ul className="flex items-center gap-1 overflow-x-auto">
      {items.map((item) => (
        <li key={item.href}>
          <Link
            href={item.href}
            aria-current={item.href === current ? "page" : undefined}
            className={cx(
              "block whitespace-nowrap rounded-lg px-3 py-1.5 text-sm font-medium transition-colors",
              item.href === current ? "bg-zinc-800 text-zinc-50" : "text-zinc-400 hover:bg-zinc-900 hover:text-zinc-100",
            )}
          >
            {item.label}
            {item.badge}
          </Link>
        </li>
      ))}
    </ul>
  );
}
