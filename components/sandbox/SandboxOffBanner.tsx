/** A line under the navigation on every signed-in page while runs may execute unsandboxed. */
export function SandboxOffBanner({ reason }: { reason: string }) {
  return (
    <div
      role="alert"
      data-testid="sandbox-off"
      className="border-b border-red-900/60 bg-red-950/40 px-4 py-1.5 text-center text-xs text-red-200 sm:px-6"
    >
      <strong className="font-semibold">No sandbox:</strong> {reason}. They can read this machine&apos;s files and network; only
      admins may start runs.
    </div>
  );
}
