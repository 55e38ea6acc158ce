/**
 * A repository URL as events show it: without any user name or password (registered URLs
 * carry none, but an event is no place to trust that).
 */
export function displayRemote(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//");
  }
}
