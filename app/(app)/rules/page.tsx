import type { Metadata } from "next";
import { RuleForm } from "@/components/rules/RuleForm";
import { RuleList } from "@/components/rules/RuleList";
import { RulesHelp } from "@/components/rules/RulesHelp";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { listRepoRules, listUserRules } from "@/lib/services/approvalRules";
import { activeTeamAllows } from "@/lib/services/teams";
import { listRepos } from "@/lib/services/repos";
import { addRepoRuleAction, addUserRuleAction, deleteRepoRuleAction, deleteUserRuleAction } from "./actions";

export const metadata: Metadata = { title: "Approval rules" };

export default async function RulesPage() {
  const { app, principal } = await requirePrincipal();
  const admin = activeTeamAllows(principal, "manage");
  const [mine, repos] = await Promise.all([listUserRules(app, principal), listRepos(app, principal)]);
  const repoRules = await Promise.all(repos.map(async (r) => ({ repo: r.name, rules: await listRepoRules(app, principal, r.name) })));
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader
        title="Approval rules"
        description="Allow, ask or deny shell commands and tools before an agent runs them, whichever executor runs: our agent, Claude Code, ACP agents (Goose, Gemini, Codex, …) and MCP tools. Your rules apply to your runs; a repository's rules to every run on it."
      />
      <Card title="How rules work">
        <RulesHelp />
      </Card>
      <Card title="Your rules" description="Apply to every run you start.">
        <div className="space-y-5">
          <RuleList rules={mine} empty="You have no rules of your own." deleteAction={deleteUserRuleAction} />
          <RuleForm action={addUserRuleAction} />
        </div>
      </Card>
      {repoRules.map(({ repo, rules }) => (
        <Card key={repo} title={<span className="font-mono">{repo}</span>} description={admin ? "Apply to every run on this repository." : "Set by the team's admins; they apply to your runs on this repository."}>
          <div className="space-y-5">
            <RuleList rules={rules} repo={repo} empty="No rules for this repository." deleteAction={admin ? deleteRepoRuleAction : undefined} />
            {admin && <RuleForm action={addRepoRuleAction} repo={repo} />}
          </div>
        </Card>
      ))}
    </div>
  );
}
