import fs from "node:fs/promises";
import path from "node:path";
import { readFileOrNull } from "../fsUtil";

/**
 * Repository credentials reach git only through the environment of the clone or fetch that
 * needs them: GIT_ASKPASS points at a script that prints an environment variable, so the
 * value is never in a URL, an argument, the mirror's config, an event or a log.
 */
const PASSWORD_VAR = "AGENTDESK_GIT_PASSWORD";
const USERNAME_VAR = "AGENTDESK_GIT_USERNAME";

// Git asks "Username for '…'" then "Password for '…'". Token hosts (GitHub, GitLab, Gitea)
// accept any user name with a token as the password.
const ASKPASS_SCRIPT = `#!/bin/sh
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

/** Environment variables for one git command that talks to the remote, or none without a credential. */
export async function credentialEnv(
  dataDir: string,
  credential: string | undefined,
): Promise<Record<string, string>> {
  if (!credential) return {};
  return { GIT_ASKPASS: await ensureAskpassScript(dataDir), [PASSWORD_VAR]: credential };
}
