export function EmptyState({
  icon,
  title,
  children,
}: {
  icon?: React.ReactNode;
  title: string;
  children?: React.ReactNode;
}) {
  return (
    <div className="flex flex-col items-center rounded-xl border border-dashed border-zinc-700 px-6 py-14 text-center">
      {icon && <div className="mb-4 text-zinc-500">{icon}</div>}
      <h2 className="text-base font-semibold text-zinc-100">{title}</h2>
      {children && <div className="mt-2 max-w-md text-sm text-zinc-400">{children}</div>}
    </div>
  );
}
