import fs from "node:fs/promises";
import path from "node:path";
import { readFileOrNull } from "../fsUtil";

/**
 * Repository credentials reach git only through the environment of the one command that talks
 * to the registered remote: GIT_ASKPASS points at a script that prints an environment
 * variable, so the value is never in a URL, an argument, a repository's config, an event or a
 * log. The script answers only for the registered remote's origin (scheme://host[:port]), so
 * a redirect to another host (an HTTP redirect, or anything that changed the URL) gets nothing.
 */
const PASSWORD_VAR = "AGENTDESK_GIT_PASSWORD";
const USERNAME_VAR = "AGENTDESK_GIT_USERNAME";
const ORIGIN_VAR = "AGENTDESK_GIT_ORIGIN";

// Git asks "Username for 'https://host'" then "Password for 'https://user@host'". Token hosts
// (GitHub, GitLab, Gitea) accept any user name with a token as the password.
const ASKPASS_SCRIPT = `#!/bin/sh
url=\${1#*\\'}
url=\${url%\\'*}
scheme=\${url%%://*}
rest=\${url#*://}
authority=\${rest%%/*}
host=\${authority##*@}
if [ -z "\$${ORIGIN_VAR}" ] || [ "\$scheme://\$host" != "\$${ORIGIN_VAR}" ]; then
  echo "agentdesk askpass: no credential for \$scheme://\$host" >&2
  exit 1
fi
case "$1" in
  Username*) printf '%s\\n' "\${${USERNAME_VAR}:-x-access-token}" ;;
  *) printf '%s\\n' "\$${PASSWORD_VAR}" ;;
esac
`;

export function askpassPath(dataDir: string): string {
  return path.join(dataDir, "bin", "git-askpass.sh");
}

async function ensureAskpassScript(dataDir: string): Promise<string> {
  const file = askpassPath(dataDir);
  const current = await readFileOrNull(file);
  if (current === ASKPASS_SCRIPT) return file;
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Written under a temporary name and renamed, so a concurrent git never runs half a script.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, ASKPASS_SCRIPT, { mode: 0o700 });
  await fs.rename(tmp, file);
  return file;
}

/**
 * `scheme://host[:port]` of an http(s) URL, spelled as git spells it in its prompts (the
 * authority as written, without any user name), or null for other URLs (ssh, local paths),
 * which never get the password.
 */
export function credentialOrigin(url: string): string | null {
  const match = /^(https?):\/\/([^/?#]*)/i.exec(url);
  if (!match) return null;
  const host = match[2]!.slice(match[2]!.lastIndexOf("@") + 1);
  return host ? `${match[1]}://${host}` : null;
}

/**
 * Environment variables for one git command that talks to `url` (the registered repository
 * URL from the job payload), or none without a credential or for a URL that is not http(s).
 */
export async function credentialEnv(
  dataDir: string,
  credential: string | undefined,
  url: string,
): Promise<Record<string, string>> {
  const origin = credentialOrigin(url);
  if (!credential || !origin) return {};
  return { GIT_ASKPASS: await ensureAskpassScript(dataDir), [PASSWORD_VAR]: credential, [ORIGIN_VAR]: origin };
}
