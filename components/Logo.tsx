/** The AgentDesk mark: a terminal prompt on an indigo tile (same drawing as app/icon.svg). */
export function Logo({ withName = true }: { withName?: boolean }) {
  return (
    <span className="inline-flex items-center gap-2 font-semibold tracking-tight text-zinc-50">
      <svg viewBox="0 0 32 32" className="h-7 w-7 shrink-0" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="#4f46e5" />
        <path d="M9 11l5 5-5 5" fill="none" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" />
        <path d="M16 21h7" stroke="#a5b4fc" strokeWidth="2.6" strokeLinecap="round" />
      </svg>
      {withName && <span>AgentDesk</span>}
    </span>
  );
}
