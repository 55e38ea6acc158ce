"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cx } from "../ui/cx";

export type SettingsLink = { href: string; label: string };

/** The settings pages' own links (the top navigation is for the app's sections). */
export function SettingsNav({ links }: { links: SettingsLink[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings" className="mx-auto mb-6 max-w-3xl border-b border-zinc-800">
      <ul className="-mb-px flex gap-1 overflow-x-auto">
        {links.map((link) => {
          const current = pathname === link.href || pathname.startsWith(`${link.href}/`);
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={current ? "page" : undefined}
                className={cx(
                  "flex min-h-11 items-center whitespace-nowrap border-b-2 px-3 text-sm font-medium transition-colors",
                  current ? "border-indigo-400 text-zinc-50" : "border-transparent text-zinc-400 hover:text-zinc-100",
                )}
              >
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
