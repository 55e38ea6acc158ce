"use client";

import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { usePendingInputs } from "../inputs/usePendingInputs";
import { cx } from "../ui/cx";
import { buttonClass } from "../ui/styles";

/**
 * The nav's links and account controls: in the header's row on wide screens, behind a Menu
 * button on narrow ones (a phone's 390 px holds the logo and the button, not nine links). The
 * links are rendered once for both, so nothing in them (the inbox badge) exists twice. The
 * menu closes when a page is chosen, on Escape, and when the screen widens.
 */
export function CollapsibleNav({ children }: { children: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const { items } = usePendingInputs();
  const waiting = items?.length ?? 0;

  // A page was chosen (or the back button used): the menu has done its job.
  const [shownFor, setShownFor] = useState(pathname);
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    const wide = window.matchMedia("(min-width: 1024px)");
    const onWide = () => wide.matches && setOpen(false);
    window.addEventListener("keydown", onKey);
    wide.addEventListener("change", onWide);
    return () => {
      window.removeEventListener("keydown", onKey);
      wide.removeEventListener("change", onWide);
    };
  }, [open]);

  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        aria-controls="site-menu"
        onClick={() => setOpen((o) => !o)}
        data-testid="nav-menu-button"
        className={cx(buttonClass("ghost"), "ml-auto lg:hidden")}
      >
        <svg viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden="true">
          {open ? <path d="M5 5l10 10M15 5L5 15" strokeLinecap="round" /> : <path d="M3 6h14M3 10h14M3 14h14" strokeLinecap="round" />}
        </svg>
        Menu
        {waiting > 0 && !open && (
          <span aria-label={`${waiting} waiting`} className="ml-0.5 inline-flex min-w-5 items-center justify-center rounded-full bg-amber-500 px-1.5 text-[11px] leading-5 font-semibold text-ink">
            {waiting}
          </span>
        )}
      </button>
      <div
        id="site-menu"
        data-open={open}
        className={cx(
          open ? "flex" : "hidden",
          // Narrow: a panel under the header, links stacked and finger-sized.
          "absolute inset-x-0 top-full max-h-[calc(100dvh-4rem)] flex-col gap-3 overflow-y-auto border-b border-zinc-800 bg-zinc-950 px-4 py-3 shadow-2xl shadow-black/40",
          // Wide: one row in the header.
          "lg:static lg:flex lg:max-h-none lg:flex-1 lg:flex-row lg:items-center lg:gap-4 lg:overflow-visible lg:border-0 lg:bg-transparent lg:p-0 lg:shadow-none",
        )}
      >
        {children}
      </div>
    </>
  );
}
