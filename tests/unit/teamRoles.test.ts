import { describe, expect, it } from "vitest";
import { refusalFor, rolesManageableBy, teamActions, teamAllows, teamRoles, tokenScopes, type TeamAction } from "@/lib/teamRoles";

/** The one table of what each team role and token scope may do (lib/teamRoles.ts). */
describe("team roles and token scopes", () => {
  const matrix = (scope: (typeof tokenScopes)[number]) =>
    Object.fromEntries(teamRoles.map((role) => [role, (Object.keys(teamActions) as TeamAction[]).filter((a) => teamAllows(role, scope, a))]));

  it("gives each role what the one above it has and more, with full scope", () => {
    expect(matrix("admin")).toEqual({
      viewer: ["read"],
      member: ["read", "createRun", "actOnOwnRun", "manageOwnSchedules", "manageOwnTemplates"],
      admin: ["read", "createRun", "actOnOwnRun", "actOnAnyRun", "manageOwnSchedules", "manageOwnTemplates", "manage", "manageMembers"],
      owner: ["read", "createRun", "actOnOwnRun", "actOnAnyRun", "manageOwnSchedules", "manageOwnTemplates", "manage", "manageMembers", "manageOwners", "manageTeam"],
    });
  });

  it("caps every role by the token's scope: read only reads, run acts on runs and never manages", () => {
    for (const role of teamRoles) expect(matrix("read")[role]).toEqual(["read"]);
    expect(matrix("run").owner).toEqual(["read", "createRun", "actOnOwnRun", "actOnAnyRun", "manageOwnSchedules", "manageOwnTemplates"]);
    expect(matrix("run").viewer).toEqual(["read"]);
  });

  it("names the role, or the scope, a refusal needs", () => {
    expect(refusalFor("viewer", "admin", "createRun")).toBe("Only a team member or above can start runs (you are a viewer)");
    expect(refusalFor("admin", "admin", "manageTeam")).toBe("Only a team owner can change or delete this team (you are an admin)");
    expect(refusalFor("owner", "run", "manage")).toMatch(/scope is "run".*needs scope "admin"/);
  });

  it("lets owners give any role, admins members and viewers, nobody else any", () => {
    expect(rolesManageableBy("owner")).toEqual(teamRoles);
    expect(rolesManageableBy("admin")).toEqual(["member", "viewer"]);
    expect(rolesManageableBy("member")).toEqual([]);
    expect(rolesManageableBy("viewer")).toEqual([]);
  });
});
