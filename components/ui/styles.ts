import { cx } from "./cx";

/** Shared looks, so every button, input and card in the app is the same component of style. */
export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";

const buttonVariants: Record<ButtonVariant, string> = {
  primary: "bg-indigo-600 text-white hover:bg-indigo-500 focus-visible:outline-indigo-400",
  secondary: "border border-zinc-700 bg-zinc-900 text-zinc-100 hover:bg-zinc-800 focus-visible:outline-zinc-400",
  danger: "border border-red-900/70 bg-red-950/60 text-red-200 hover:bg-red-900/60 focus-visible:outline-red-400",
  ghost: "text-zinc-300 hover:bg-zinc-800 hover:text-zinc-50 focus-visible:outline-zinc-400",
};

/** A finger needs 44 px (WCAG 2.5.5): on a phone-sized screen or a touch screen. */
export const touchTargetClass = "max-sm:min-h-11 pointer-coarse:min-h-11";

export function buttonClass(variant: ButtonVariant = "primary", size: "sm" | "md" = "md"): string {
  return cx(
    "inline-flex items-center justify-center gap-1.5 rounded-lg font-medium transition-colors",
    "focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-50",
    size === "sm" ? "px-2.5 py-1 text-xs" : "px-3.5 py-2 text-sm",
    touchTargetClass,
    buttonVariants[variant],
  );
}

export function inputClass(invalid = false, mono = false): string {
  return cx(
    "block w-full rounded-lg border bg-zinc-950 px-3 py-2 text-sm text-zinc-100 placeholder:text-zinc-500 light:bg-white",
    touchTargetClass,
    "focus:outline-none focus:ring-2 disabled:opacity-60",
    invalid ? "border-red-500/70 focus:ring-red-500/40" : "border-zinc-700 focus:border-indigo-500 focus:ring-indigo-500/30",
    mono && "font-mono",
  );
}

export const cardClass = "rounded-xl border border-zinc-800 bg-zinc-900/60";
export const linkClass = "font-medium text-indigo-300 underline-offset-2 hover:text-indigo-200 hover:underline";

/** A boxed message: an error (a form's, a failed run's), a warning (a paused or unreachable service), or information. */
export type NoticeTone = "error" | "warning" | "info";

const noticeTones: Record<NoticeTone, string> = {
  error: "border-red-900/70 bg-red-950/50 text-red-200",
  warning: "border-amber-900/60 bg-amber-950/40 text-amber-200",
  info: "border-indigo-900/60 bg-indigo-950/40 text-indigo-200",
};

export function noticeClass(tone: NoticeTone): string {
  return cx("rounded-lg border px-3.5 py-2.5 text-sm", noticeTones[tone]);
}
