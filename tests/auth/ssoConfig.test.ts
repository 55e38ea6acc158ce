import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "@/lib/config";
import { groupsFromProfile, matchingRules } from "@/lib/ssoRules";

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => p.variable);
  }
};

describe("single sign-on configuration", () => {
  it("refuses PASSWORD_SIGN_IN=off without a provider to sign in with, naming the variable", () => {
    expect(problemsOf({ PASSWORD_SIGN_IN: "off" })).toEqual(["PASSWORD_SIGN_IN"]);
    expect(problemsOf({ PASSWORD_SIGN_IN: "maybe" })).toEqual(["PASSWORD_SIGN_IN"]);
    expect(problemsOf({ PASSWORD_SIGN_IN: "off", GITHUB_CLIENT_ID: "id", GITHUB_CLIENT_SECRET: "secret" })).toEqual([]);
  });

  it("names each missing setting of a half-configured provider", () => {
    expect(problemsOf({ OIDC_ISSUER: "https://id.example.com" }).sort()).toEqual(["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]);
    expect(problemsOf({ GITHUB_CLIENT_SECRET: "s" })).toEqual(["GITHUB_CLIENT_ID"]);
    expect(problemsOf({ OIDC_ISSUER: "not a url", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" })).toEqual(["OIDC_ISSUER"]);
    expect(problemsOf({ OIDC_SCOPES: "email profile" })).toEqual(["OIDC_SCOPES"]);
  });

  it("reads a complete provider", () => {
    const config = loadConfig({ OIDC_ISSUER: "https://id.example.com/realms/x/", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b", OIDC_NAME: "Okta", GITHUB_CLIENT_ID: "c", GITHUB_CLIENT_SECRET: "d", GITHUB_URL: "https://ghe.example.com/" });
    expect(config.oidc).toEqual({ issuer: "https://id.example.com/realms/x", clientId: "a", clientSecret: "b", name: "Okta", scopes: ["openid", "email", "profile"] });
    expect(config.githubSignIn).toEqual({ clientId: "c", clientSecret: "d", url: "https://ghe.example.com" });
    expect(config.passwordSignIn).toBe(true);
    expect(loadConfig({}).oidc).toBeUndefined();
  });

  it("validates SSO_TEAM_RULES with zod, naming the variable", () => {
    expect(problemsOf({ SSO_TEAM_RULES: "[{" })).toEqual(["SSO_TEAM_RULES"]);
    expect(problemsOf({ SSO_TEAM_RULES: '[{"emailDomain": "a.com", "group": "g", "team": "t"}]' })).toEqual(["SSO_TEAM_RULES"]);
    expect(problemsOf({ SSO_TEAM_RULES: '[{"emailDomain": "@a.com", "team": "t"}]' })).toEqual(["SSO_TEAM_RULES"]);
    expect(problemsOf({ SSO_TEAM_RULES: '[{"group": "g", "team": "t", "role": "owner"}]' })).toEqual(["SSO_TEAM_RULES"]);
    expect(problemsOf({ SSO_TEAM_RULES: '[{"group": "g", "team": "t", "extra": 1}]' })).toEqual(["SSO_TEAM_RULES"]);
    expect(loadConfig({ SSO_TEAM_RULES: '[{"emailDomain": "Corp.Example", "team": "eng"}]' }).ssoTeamRules).toEqual([{ emailDomain: "corp.example", team: "eng", role: "member" }]);
  });

  it("matches a domain rule only on a verified address, and group rules on the groups claim", () => {
    const rules = loadConfig({
      SSO_TEAM_RULES: '[{"emailDomain": "corp.example", "team": "eng"}, {"group": "ops", "team": "ops", "role": "admin"}]',
    }).ssoTeamRules;
    expect(matchingRules(rules, { email: "a@corp.example", emailVerified: true, groups: [] }).map((r) => r.team)).toEqual(["eng"]);
    expect(matchingRules(rules, { email: "a@corp.example", emailVerified: false, groups: [] })).toEqual([]);
    expect(matchingRules(rules, { email: "a@sub.corp.example", emailVerified: true, groups: [] })).toEqual([]);
    expect(matchingRules(rules, { email: "a@x.example", emailVerified: false, groups: ["ops"] }).map((r) => r.team)).toEqual(["ops"]);
    expect(groupsFromProfile({ groups: ["a", 1, "b"] }, "groups")).toEqual(["a", "b"]);
    expect(groupsFromProfile({ roles: "admin" }, "roles")).toEqual(["admin"]);
    expect(groupsFromProfile(undefined, "groups")).toEqual([]);
  });
});
