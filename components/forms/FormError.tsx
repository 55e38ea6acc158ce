export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <div role="alert" data-form-error className="rounded-lg border border-red-900/70 bg-red-950/50 px-3.5 py-2.5 text-sm text-red-200">
      {message}
    </div>
  );
}
