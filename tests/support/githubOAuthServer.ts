import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake GitHub for "Sign in with GitHub", speaking GitHub's OAuth web flow and the two REST
 * endpoints sign-in reads, in their real wire format: GET /login/oauth/authorize (GitHub would
 * show its page; here the person named by `signedIn` approves at once and is sent back with a
 * code), POST /login/oauth/access_token (form body, client secret and PKCE verifier checked,
 * JSON with Accept: application/json and form-encoded otherwise, errors as 200 + `error` as
 * GitHub does), GET /user and GET /user/emails with the access token. Serves as both
 * GITHUB_URL and GITHUB_API_URL.
 */
export type GitHubPerson = {
  id: number;
  login: string;
  name?: string | null;
  /** The public profile email (whatever the user typed, never trusted). */
  email?: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
};

export type FakeGitHubOAuth = {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Who is signed in at GitHub and approves the next authorization. */
  signedIn: GitHubPerson | undefined;
  close(): Promise<void>;
};

export async function startFakeGitHubOAuth(): Promise<FakeGitHubOAuth> {
  const clientId = `Iv1.${crypto.randomBytes(8).toString("hex")}`;
  const clientSecret = crypto.randomBytes(20).toString("hex");
  const codes = new Map<string, { person: GitHubPerson; redirectUri: string; challenge: string | null }>();
  const tokens = new Map<string, GitHubPerson>();
  const state: FakeGitHubOAuth = { url: "", clientId, clientSecret, signedIn: undefined, close: async () => {} };

  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
  const readBody = async (req: http.IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    return new URLSearchParams(text);
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", state.url);
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const redirectUri = url.searchParams.get("redirect_uri");
      if (url.searchParams.get("client_id") !== clientId || !redirectUri || !state.signedIn) {
        res.writeHead(404).end("Not Found");
        return;
      }
      const code = crypto.randomBytes(10).toString("hex");
      const method = url.searchParams.get("code_challenge_method");
      codes.set(code, { person: state.signedIn, redirectUri, challenge: method === "S256" ? url.searchParams.get("code_challenge") : null });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = await readBody(req);
      const answer = (body: Record<string, string>) =>
        /application\/json/.test(req.headers.accept ?? "")
          ? json(res, 200, body)
          : res.writeHead(200, { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }).end(new URLSearchParams(body).toString());
      const grant = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      if (form.get("client_id") !== clientId || form.get("client_secret") !== clientSecret) {
        answer({ error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." });
        return;
      }
      const verifier = form.get("code_verifier") ?? "";
      const verified = grant?.challenge == null || crypto.createHash("sha256").update(verifier).digest("base64url") === grant.challenge;
      if (!grant || grant.redirectUri !== form.get("redirect_uri") || !verified) {
        answer({ error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
        return;
      }
      const token = `gho_${crypto.randomBytes(18).toString("hex")}`;
      tokens.set(token, grant.person);
      answer({ access_token: token, token_type: "bearer", scope: "read:user,user:email" });
      return;
    }
    const person = tokens.get((req.headers.authorization ?? "").replace(/^(Bearer|token) /i, ""));
    if (req.method === "GET" && (url.pathname === "/user" || url.pathname === "/user/emails")) {
      if (!person) {
        json(res, 401, { message: "Requires authentication", documentation_url: "https://docs.github.com/rest", status: "401" });
        return;
      }
      if (url.pathname === "/user/emails") {
        json(res, 200, person.emails.map((e) => ({ ...e, visibility: e.primary ? "private" : null })));
        return;
      }
      json(res, 200, {
        login: person.login,
        id: person.id,
        node_id: `U_${person.id}`,
        avatar_url: `https://avatars.githubusercontent.com/u/${person.id}?v=4`,
        type: "User",
        name: person.name ?? null,
        email: person.email ?? null,
      });
      return;
    }
    json(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
