import type { EnvironmentSpec } from "@/lib/contracts/environment";

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-1 text-sm text-zinc-200">{children}</dd>
    </div>
  );
}

const None = ({ children = "none" }: { children?: string }) => <span className="text-zinc-500">{children}</span>;

const Names = ({ names }: { names: string[] }) =>
  names.length ? <span className="font-mono break-all">{names.join(", ")}</span> : <None />;

const Script = ({ text, empty }: { text: string | null; empty: string }) =>
  text ? <pre className="overflow-x-auto rounded-md bg-black px-3 py-2 font-mono text-xs whitespace-pre-wrap text-zinc-200">{text}</pre> : <None>{empty}</None>;

/** A repository's environment as anyone may read it: scripts and names, never a variable's value. */
export function EnvironmentSummary({ spec }: { spec: EnvironmentSpec }) {
  return (
    <dl className="grid gap-x-6 gap-y-5 sm:grid-cols-2" data-testid="environment-summary">
      <div className="sm:col-span-2">
        <Item label="Setup script">
          <Script text={spec.setupScript} empty={spec.useRepositoryFile ? "none here (the repository's .agentdesk/environment.json may give one)" : "none"} />
        </Item>
      </div>
      <div className="sm:col-span-2">
        <Item label="Maintenance script">
          <Script text={spec.maintenanceScript} empty="none: a run on new cache key files sets up from scratch" />
        </Item>
      </div>
      <Item label="Hosts the setup may reach"><Names names={spec.setupHosts} /></Item>
      <Item label="Variables the setup receives"><Names names={spec.setupEnvNames} /></Item>
      <Item label="Cache key files">{spec.cacheKeyFiles.length ? <Names names={spec.cacheKeyFiles} /> : <None>none: one cache per base commit</None>}</Item>
      <Item label="Files from secrets">
        {spec.files.length ? (
          <ul className="space-y-0.5 font-mono text-xs">
            {spec.files.map((f) => (
              <li key={f.path}>
                {f.path} <span className="text-zinc-500">←</span> <span className="text-amber-200">{f.env}</span>
              </li>
            ))}
          </ul>
        ) : (
          <None />
        )}
      </Item>
      <div className="sm:col-span-2">
        <Item label="Checks">
          {spec.checks.pre.length + spec.checks.post.length + spec.checks.onError.length > 0 ? (
            <ul className="space-y-0.5 font-mono text-xs" data-testid="environment-checks">
              {(["pre", "post", "onError"] as const).flatMap((phase) =>
                spec.checks[phase].map((c) => (
                  <li key={`${phase}:${c.name}`} className="break-all">
                    <span className="text-zinc-500">{phase === "onError" ? "on error" : phase}</span> {c.name}: {c.command.split("\n")[0]}
                  </li>
                )),
              )}
            </ul>
          ) : (
            <None>{spec.useRepositoryFile ? "none here (the repository's .agentdesk/environment.json may give them)" : "none"}</None>
          )}
        </Item>
      </div>
      <Item label="Hosts the checks may reach"><Names names={spec.checkHosts} /></Item>
      <Item label="Variables the checks receive"><Names names={spec.checkEnvNames} /></Item>
      <Item label="The repository's .agentdesk/environment.json">{spec.useRepositoryFile ? "fills in what is left empty here" : "ignored"}</Item>
    </dl>
  );
}
