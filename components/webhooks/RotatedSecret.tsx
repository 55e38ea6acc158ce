import { CopyButton } from "../ui/CopyButton";

/** The new secret after a rotation, this once. */
export function RotatedSecret({ secret }: { secret: string }) {
  return (
    <span role="status" className="flex max-w-full items-center gap-2 text-xs text-emerald-200">
      <code className="min-w-0 truncate rounded bg-black px-2 py-1 font-mono ring-1 ring-emerald-900" data-rotated-secret>
        {secret}
      </code>
      <CopyButton value={secret} />
    </span>
  );
}
