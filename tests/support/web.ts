import crypto from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { teamMember, user } from "@/lib/db/schema";
import { getApp } from "@/lib/server/app";
import { PEER_HEADER, peerStampValue } from "@/lib/server/clientAddress";
import { anyUserExists, createInvitation } from "@/lib/services/invitations";
import type { Principal } from "@/lib/services/principal";
import { createTeam, firstTeam, resolveActiveTeam } from "@/lib/services/teams";
import type { TeamRole } from "@/lib/teamRoles";

/**
 * Calls Next.js route handlers in-process with real Request objects, against the real
 * database and Redis of this test file (see setup.ts), the way the Next server would.
 */
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export const APP_ORIGIN = "http://localhost:3999";

export type CallOptions = {
  method?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  as?: Session | string;
  signal?: AbortSignal;
  /** The socket address the request comes from, as the web's own stamp would record it. */
  peer?: string;
};

export type Session = { cookie: string; userId: string; email: string };

export async function call(handler: Handler, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers = new Headers(opts.headers);
  if (opts.peer) headers.set(PEER_HEADER, peerStampValue(opts.peer));
  if (typeof opts.as === "string") headers.set("authorization", `Bearer ${opts.as}`);
  else if (opts.as) headers.set("cookie", opts.as.cookie);
  const method = opts.method ?? (opts.body !== undefined || opts.rawBody !== undefined ? "POST" : "GET");
  if (method !== "GET" && !headers.has("origin")) headers.set("origin", APP_ORIGIN);
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers.set("content-type", "application/json");
  }
  const req = new Request(APP_ORIGIN + path, { method, headers, body, signal: opts.signal });
  return handler(req, { params: Promise.resolve(opts.params ?? {}) });
}

export const randomIp = () => `10.${crypto.randomInt(255)}.${crypto.randomInt(255)}.${crypto.randomInt(1, 255)}`;

/**
 * The principal a session (or a user id) stands for, resolved like a request's: the user's
 * instance role and active team, full scope. For tests calling services directly.
 */
export async function principalFor(who: { userId: string } | string): Promise<Principal> {
  const app = await getApp();
  const userId = typeof who === "string" ? who : who.userId;
  const [row] = await app.db.select().from(user).where(eq(user.id, userId));
  if (!row) throw new Error(`principalFor: no user ${userId}`);
  return { userId, email: row.email, name: row.name, role: row.role, via: "session", team: await resolveActiveTeam(app, userId), scope: "admin" };
}

/**
 * An invitation link's token for `email`, created by the first admin (the first team's owner),
 * into their team as a member, or with the given team role ("admin" and "user" are the older
 * names of admin and member).
 */
export async function invitationFor(email?: string, role: "user" | "admin" | TeamRole = "user"): Promise<string> {
  const app = await getApp();
  const [admin] = await app.db.select().from(user).where(eq(user.role, "admin")).orderBy(asc(user.createdAt)).limit(1);
  if (!admin) throw new Error("invitationFor: no admin has signed up yet");
  const teamRole: TeamRole = role === "user" ? "member" : role;
  const created = await createInvitation(app, await principalFor(admin.id), { email, teamRole, expiresInHours: 1 });
  return created.token;
}

/**
 * A second team, owned by a new account (signed up into the first team's nothing: the team is
 * made by the instance admin with this account as first owner, and the account then works in
 * it only). For cross-team tests: returns the owner's session and the team's id.
 */
export async function otherTeam(name = `Team ${crypto.randomUUID().slice(0, 8)}`): Promise<{ owner: Session; teamId: string }> {
  const app = await getApp();
  const owner = await signUp();
  const [admin] = await app.db.select().from(user).where(eq(user.role, "admin")).orderBy(asc(user.createdAt)).limit(1);
  const made = await createTeam(app, await principalFor(admin!.id), { name, ownerEmail: owner.email });
  // Out of the first team (the invitation put them there), into their own.
  await app.db.delete(teamMember).where(and(eq(teamMember.userId, owner.userId), eq(teamMember.teamId, (await firstTeam(app)).id)));
  await app.db.update(user).set({ currentTeamId: made.id }).where(eq(user.id, owner.userId));
  return { owner, teamId: made.id };
}

/** Signs up a new account into a team with a role, by an invitation its owner made. */
export async function signUpInto(teamOwner: Session, teamRole: TeamRole, email = `user-${crypto.randomUUID()}@example.com`): Promise<Session> {
  const app = await getApp();
  const created = await createInvitation(app, await principalFor(teamOwner), { email, teamRole, expiresInHours: 1 });
  return signUp(email, undefined, { invitation: created.token });
}

/**
 * Signs a new user up through better-auth's own route and returns their session cookie. The
 * first account signs up freely; later ones use an invitation for their address, as sign-up
 * is closed by default (pass `invitation` to use a given one).
 */
export async function signUp(
  email = `user-${crypto.randomUUID()}@example.com`,
  password = "correct horse battery",
  opts: { invitation?: string } = {},
): Promise<Session> {
  const { POST } = await import("@/app/api/auth/[...all]/route");
  const app = await getApp();
  const invitation = opts.invitation ?? ((await anyUserExists(app.db)) ? await invitationFor(email) : undefined);
  const res = await call(POST, "/api/auth/sign-up/email", {
    body: { email, password, name: email.split("@")[0], invitation },
    peer: randomIp(),
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { user: { id: string } };
  return { cookie: cookieHeader(res), userId: json.user.id, email };
}

export function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

export async function createTokenFor(session: Session, name = "test"): Promise<string> {
  const { POST } = await import("@/app/api/tokens/route");
  const res = await call(POST, "/api/tokens", { as: session, body: { name } });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function registerRepo(admin: Session | string, body: Record<string, unknown>) {
  const { POST } = await import("@/app/api/repos/route");
  return call(POST, "/api/repos", { as: admin, body });
}

export type SseMessage = { id?: string; event?: string; data: unknown };

/**
 * Reads a text/event-stream response into messages until the server ends it, `until` says
 * stop, or the timeout passes (then whatever arrived is returned and the stream is cancelled).
 */
export async function readSse(
  res: Response,
  opts: {
    until?: (messages: SseMessage[]) => boolean;
    timeoutMs?: number;
    onMessage?: (m: SseMessage) => void;
    /** Stops reading and cancels the body when aborted, as a browser going away does. */
    signal?: AbortSignal;
  } = {},
): Promise<{ messages: SseMessage[]; ended: boolean }> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  opts.signal?.addEventListener("abort", () => void reader.cancel().catch(() => {}), { once: true });
  const messages: SseMessage[] = [];
  let buffer = "";
  let ended = false;
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<"timeout">((r) => setTimeout(() => r("timeout"), remaining)),
      ]);
      if (chunk === "timeout") break;
      if (chunk.done) {
        ended = true;
        break;
      }
      buffer += chunk.value;
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const msg: { id?: string; event?: string; data?: string } = {};
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const idx = line.indexOf(":");
          const field = idx < 0 ? line : line.slice(0, idx);
          const value = idx < 0 ? "" : line.slice(idx + 1).replace(/^ /, "");
          if (field === "id") msg.id = value;
          else if (field === "event") msg.event = value;
          else if (field === "data") msg.data = (msg.data ? msg.data + "\n" : "") + value;
        }
        if (msg.data === undefined) continue;
        const parsed: SseMessage = { id: msg.id, event: msg.event, data: JSON.parse(msg.data) };
        messages.push(parsed);
        opts.onMessage?.(parsed);
      }
      if (opts.until?.(messages)) break;
    }
  } finally {
    if (!ended) await reader.cancel().catch(() => {});
  }
  return { messages, ended };
}

export { getApp };
