import { PermanentRunError } from "../errors";

// Remote URLs git may be given: https, ssh (ssh:// or user@host:path). Plain http and a local
// path (or file://) only where the install allows local repositories (development, tests):
// http sends the credential in the clear, a path reads this machine's disk.
// A host or user name beginning with "-" would reach ssh as an option (-oProxyCommand=…).
const REMOTE_URL = /^(https:\/\/|ssh:\/\/(?!-|[^/@]*@-)|[A-Za-z0-9._][A-Za-z0-9._-]*@[A-Za-z0-9.][A-Za-z0-9.-]*:(?!:))/;
const LOCAL_ONLY_URL = /^(http:\/\/|file:\/\/|\/|\.{1,2}\/)/;

export function checkRepoUrl(url: string, allowLocalRepos: boolean): void {
  if (url.startsWith("-") || /[\0\n\r]/.test(url)) throw new PermanentRunError(`repository URL "${url}" is not valid`);
  if (REMOTE_URL.test(url)) return;
  if (!allowLocalRepos) {
    throw new PermanentRunError(
      `repository URL "${url}" is not an https or ssh URL; set ALLOW_LOCAL_REPOS=1 to allow local paths and http test servers`,
    );
  }
  if (!LOCAL_ONLY_URL.test(url)) {
    throw new PermanentRunError(`repository URL "${url}" is not an https, ssh or http URL nor a local path`);
  }
}
