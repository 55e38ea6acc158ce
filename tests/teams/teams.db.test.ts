import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as listTeamsRoute, POST as createTeamRoute } from "@/app/api/admin/teams/route";
import { POST as switchTeamRoute } from "@/app/api/me/team/route";
import { GET as myTeamsRoute } from "@/app/api/me/teams/route";
import { GET as listReposRoute } from "@/app/api/repos/route";
import { PATCH as changeRoleRoute, DELETE as removeMemberRoute } from "@/app/api/team/members/[userId]/route";
import { GET as membersRoute } from "@/app/api/team/members/route";
import { GET as teamRoute, PATCH as renameRoute } from "@/app/api/team/route";
import { POST as createTokenRoute } from "@/app/api/tokens/route";
import { teamMember, user } from "@/lib/db/schema";
import { principalFromHeaders } from "@/lib/services/session";
import { firstTeam } from "@/lib/services/teams";
import { call, createTokenFor, getApp, registerRepo, signUp, signUpInto, type Session } from "../support/web";

type TeamJson = { id: string; name: string; slug: string; role?: string };
type MemberJson = { userId: string; email: string; role: string };

const json = async <T>(res: Response, status: number): Promise<T> => {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
};
const teamOf = async (s: Session | string) => (await json<{ team: TeamJson }>(await call(teamRoute, "/api/team", { as: s }), 200)).team;
const members = async (s: Session) => (await json<{ members: MemberJson[] }>(await call(membersRoute, "/api/team/members", { as: s }), 200)).members;
const changeRole = (s: Session, userId: string, role: string) =>
  call(changeRoleRoute, `/api/team/members/${userId}`, { as: s, method: "PATCH", body: { role }, params: { userId } });

describe("teams, members and the active team", () => {
  let owner: Session;
  let defaultTeamId: string;

  beforeAll(async () => {
    owner = await signUp("owner@example.com");
    defaultTeamId = (await firstTeam(await getApp())).id;
  });

  it("makes the first account the first team's owner and an invited one a member with the invitation's role", async () => {
    expect(await teamOf(owner)).toMatchObject({ id: defaultTeamId, name: "Default team", slug: "default", role: "owner" });
    const viewer = await signUpInto(owner, "viewer");
    expect(await teamOf(viewer)).toMatchObject({ id: defaultTeamId, role: "viewer" });
    const plain = await signUp(); // the older invitation ("user"): a member
    expect(await teamOf(plain)).toMatchObject({ id: defaultTeamId, role: "member" });
    const list = await members(viewer);
    expect(list[0]).toMatchObject({ email: "owner@example.com", role: "owner" });
    expect(list.map((m) => m.role).sort()).toEqual(["member", "owner", "viewer"]);
  });

  it("lets an instance admin create a team with a first owner, who switches between teams; other teams are 404", async () => {
    const dana = await signUp("dana@example.com");
    const created = await json<{ team: TeamJson }>(
      await call(createTeamRoute, "/api/admin/teams", { as: owner, body: { name: "Platform Team", ownerEmail: "dana@example.com" } }),
      201,
    );
    expect(created.team).toMatchObject({ name: "Platform Team", slug: "platform-team" });
    // A second team of the same name gets its own slug; an unknown owner is a 422 naming the field.
    const again = await json<{ team: TeamJson }>(
      await call(createTeamRoute, "/api/admin/teams", { as: owner, body: { name: "Platform Team", ownerEmail: "owner@example.com" } }),
      201,
    );
    expect(again.team.slug).toBe("platform-team-2");
    const unknown = await call(createTeamRoute, "/api/admin/teams", { as: owner, body: { name: "X", ownerEmail: "nobody@example.com" } });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: { issues: { path: string }[] } }).error.issues[0]!.path).toBe("ownerEmail");
    // Only instance admins create or list teams.
    expect((await call(createTeamRoute, "/api/admin/teams", { as: dana, body: { name: "Mine", ownerEmail: "dana@example.com" } })).status).toBe(403);
    expect((await call(listTeamsRoute, "/api/admin/teams", { as: dana })).status).toBe(403);
    const all = await json<{ teams: (TeamJson & { members: number; owners: string[] })[] }>(await call(listTeamsRoute, "/api/admin/teams", { as: owner }), 200);
    expect(all.teams.find((t) => t.id === created.team.id)).toMatchObject({ members: 1, owners: ["dana@example.com"] });

    // Dana works in the first team she joined until she switches.
    const mine = await json<{ active: string; teams: TeamJson[] }>(await call(myTeamsRoute, "/api/me/teams", { as: dana }), 200);
    expect(mine.active).toBe(defaultTeamId);
    expect(mine.teams.map((t) => [t.id, t.role])).toEqual([
      [defaultTeamId, "member"],
      [created.team.id, "owner"],
    ]);
    await json(await call(switchTeamRoute, "/api/me/team", { as: dana, body: { teamId: created.team.id } }), 200);
    expect(await teamOf(dana)).toMatchObject({ id: created.team.id, role: "owner" });
    // A team she is not in: 404, and nothing changes.
    expect((await call(switchTeamRoute, "/api/me/team", { as: dana, body: { teamId: again.team.id } })).status).toBe(404);
    expect((await teamOf(dana)).id).toBe(created.team.id);
    expect((await call(switchTeamRoute, "/api/me/team", { as: dana, body: {} })).status).toBe(400);

    // Each team's repositories are its own: the same name in two teams, each sees its own.
    expect((await registerRepo(owner, { name: "shared-name", url: "/tmp" })).status).toBe(201);
    expect((await registerRepo(dana, { name: "shared-name", url: "/tmp" })).status).toBe(201);
    const repos = async (s: Session) => (await json<{ repos: { id: string }[] }>(await call(listReposRoute, "/api/repos", { as: s }), 200)).repos;
    const [ownerRepos, danaRepos] = await Promise.all([repos(owner), repos(dana)]);
    expect(ownerRepos).toHaveLength(1);
    expect(danaRepos).toHaveLength(1);
    expect(ownerRepos[0]!.id).not.toBe(danaRepos[0]!.id);

    // Removed from the team she works in, she falls back to her earliest remaining team.
    const app = await getApp();
    await app.db.delete(teamMember).where(and(eq(teamMember.userId, dana.userId), eq(teamMember.teamId, created.team.id)));
    expect(await teamOf(dana)).toMatchObject({ id: defaultTeamId, role: "member" });
  });

  it("lets admins manage members and viewers, owners everyone, and keeps the last owner", async () => {
    const admin = await signUpInto(owner, "admin");
    const member = await signUpInto(owner, "member");
    // An admin promotes a member to viewer and back, but cannot make admins or touch owners.
    expect((await json<{ member: MemberJson }>(await changeRole(admin, member.userId, "viewer"), 200)).member.role).toBe("viewer");
    const refused = await changeRole(admin, member.userId, "admin");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/team owner/);
    expect((await changeRole(admin, owner.userId, "member")).status).toBe(403);
    // A member manages nobody.
    const other = await signUpInto(owner, "member");
    const byMember = await changeRole(other, member.userId, "member");
    expect(byMember.status).toBe(403);
    expect(((await byMember.json()) as { error: { message: string } }).error.message).toMatch(/team admin or above/);
    // Someone outside the team: 404.
    const outsider = await signUp();
    await (await getApp()).db.delete(teamMember).where(eq(teamMember.userId, outsider.userId));
    expect((await changeRole(owner, outsider.userId, "member")).status).toBe(404);
    // The owner makes an admin an owner; the last owner cannot step down or leave.
    expect((await json<{ member: MemberJson }>(await changeRole(owner, admin.userId, "owner"), 200)).member.role).toBe("owner");
    expect((await json<{ member: MemberJson }>(await changeRole(admin, admin.userId, "admin"), 200)).member.role).toBe("admin");
    const last = await changeRole(owner, owner.userId, "admin");
    expect(last.status).toBe(409);
    const leave = await call(removeMemberRoute, `/api/team/members/${owner.userId}`, { as: owner, method: "DELETE", params: { userId: owner.userId } });
    expect(leave.status).toBe(409);
    // Removing a member ends their token's access to the team.
    const token = await createTokenFor(member);
    expect((await call(teamRoute, "/api/team", { as: token })).status).toBe(200);
    expect((await call(removeMemberRoute, `/api/team/members/${member.userId}`, { as: admin, method: "DELETE", params: { userId: member.userId } })).status).toBe(204);
    expect((await call(teamRoute, "/api/team", { as: token })).status).toBe(401);
    // The member, now in no team, reaches no team endpoint.
    expect((await call(teamRoute, "/api/team", { as: member })).status).toBe(404);
    expect((await call(membersRoute, "/api/team/members", { as: member })).status).toBe(404);
    expect(await json<{ repos: unknown[] }>(await call(listReposRoute, "/api/repos", { as: member }), 200)).toEqual({ repos: [] });
    expect((await call(createTokenRoute, "/api/tokens", { as: member, body: { name: "x" } })).status).toBe(404);
  });

  it("renames the team for owners only", async () => {
    const admin = await signUpInto(owner, "admin");
    expect((await call(renameRoute, "/api/team", { as: admin, method: "PATCH", body: { name: "Ours" } })).status).toBe(403);
    expect((await json<{ team: TeamJson }>(await call(renameRoute, "/api/team", { as: owner, method: "PATCH", body: { name: "Ours" } }), 200)).team.name).toBe("Ours");
    expect((await call(renameRoute, "/api/team", { as: owner, method: "PATCH", body: { name: " " } })).status).toBe(400);
  });

  it("resolves a token's principal in the token's team with its scope, and a read token only reads", async () => {
    const app = await getApp();
    const created = await json<{ token: string; scope: string; team: { id: string } }>(
      await call(createTokenRoute, "/api/tokens", { as: owner, body: { name: "reader", scope: "read" } }),
      201,
    );
    expect(created).toMatchObject({ scope: "read", team: { id: defaultTeamId } });
    const principal = await principalFromHeaders(app, new Headers({ authorization: `Bearer ${created.token}` }));
    expect(principal).toMatchObject({ userId: owner.userId, via: "token", scope: "read", team: { id: defaultTeamId, role: "owner" } });
    // An instance admin's read token is no instance admin.
    expect((await call(listTeamsRoute, "/api/admin/teams", { as: created.token })).status).toBe(403);
    expect((await call(teamRoute, "/api/team", { as: created.token })).status).toBe(200);
    const post = await call(renameRoute, "/api/team", { as: created.token, method: "PATCH", body: { name: "Nope" } });
    expect(post.status).toBe(403);
    expect(((await post.json()) as { error: { message: string } }).error.message).toMatch(/scope is "read"/);
    // A run token cannot mint an admin token.
    const runToken = ((await json<{ token: string }>(await call(createTokenRoute, "/api/tokens", { as: owner, body: { name: "ci", scope: "run" } }), 201))).token;
    const wider = await call(createTokenRoute, "/api/tokens", { as: runToken, body: { name: "more", scope: "admin" } });
    expect(wider.status).toBe(403);
    expect((await call(createTokenRoute, "/api/tokens", { as: runToken, body: { name: "same", scope: "run" } })).status).toBe(201);
    const [row] = await app.db.select({ currentTeamId: user.currentTeamId }).from(user).where(eq(user.id, owner.userId));
    expect(row!.currentTeamId).toBe(defaultTeamId);
  });
});
