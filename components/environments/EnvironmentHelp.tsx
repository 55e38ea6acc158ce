const points = [
  {
    title: "Set up once, cached",
    text: "The first run on a repository runs the setup; its job process keeps what the setup added that git does not track. Later runs with the same cache key start from a copy instead of setting up again (instant where the file system copies on write, a plain copy elsewhere). Caches are evicted by age and size and can be cleared on the admin page.",
  },
  {
    title: "Network: only what you name",
    text: "The setup reaches only its own hosts, through the sandbox's filtering proxy. The agent keeps no network by default: it gets only the repository's network hosts, with the dependencies already installed.",
  },
  {
    title: "Values stay in the job process",
    text: "Variables and secret files are named here; their values live in the job process's environment and never reach the web, the database or Redis. Output that shows one is masked.",
  },
];

/** Three sentences on what an environment does, beside its settings. */
export function EnvironmentHelp() {
  return (
    <ul className="grid gap-3 sm:grid-cols-3" data-testid="environment-help">
      {points.map((p) => (
        <li key={p.title} className="rounded-lg border border-zinc-800 bg-zinc-950/50 px-4 py-3">
          <p className="text-sm font-medium text-zinc-100">{p.title}</p>
          <p className="mt-1 text-xs leading-relaxed text-zinc-400">{p.text}</p>
        </li>
      ))}
    </ul>
  );
}
