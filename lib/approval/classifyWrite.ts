import path from "node:path";
import type { Level, WriteClassification } from "./types";

type WriteRule = { test: RegExp; level: Level; why: string };

// Matched case-insensitively against the workspace-relative path: on a case-insensitive file
// system `.GitHub/` is `.github/`. First match wins, so the denied `.git/` comes first.
const RULES: WriteRule[] = [
  { test: /^\.git(\/|$)/, level: "denied", why: "is inside .git/, where hooks and config run code on the host" },
  { test: /^\.github\//, level: "risky", why: "changes GitHub configuration (workflows run in CI with its secrets)" },
  { test: /^\.gitlab-ci\.yml$|^\.gitlab\//, level: "risky", why: "changes GitLab CI configuration" },
  { test: /^\.circleci\//, level: "risky", why: "changes CircleCI configuration" },
  { test: /(^|\/)Jenkinsfile$/, level: "risky", why: "changes the Jenkins pipeline" },
  { test: /^\.travis\.yml$/, level: "risky", why: "changes Travis CI configuration" },
  { test: /^azure-pipelines\.ya?ml$|^\.azure-pipelines\//, level: "risky", why: "changes Azure Pipelines configuration" },
  { test: /^bitbucket-pipelines\.yml$|^\.buildkite\/|^\.drone\.ya?ml$|^\.woodpecker/, level: "risky", why: "changes CI configuration" },
  { test: /(^|\/)\.gitattributes$/, level: "risky", why: "changes git attributes (filters and diff drivers can run commands)" },
  { test: /(^|\/)\.gitmodules$/, level: "risky", why: "changes submodules (where git fetches code from)" },
  { test: /^\.husky\/|^\.pre-commit-config\.ya?ml$|^lefthook\.ya?ml$|^\.lefthook\//, level: "risky", why: "changes git hooks that run on developers' machines" },
  { test: /(^|\/)package\.json$/, level: "risky", why: "changes package.json (its scripts run on every install and as the project's test and build commands; its dependencies are code from the registry)" },
  { test: /(^|\/)\.npmrc$|(^|\/)\.yarnrc(\.yml)?$/, level: "risky", why: "changes the package manager's configuration (registry, install scripts)" },
  { test: /^\.envrc$/, level: "risky", why: "changes .envrc (direnv runs it when a developer enters the folder)" },
  { test: /^\.vscode\/(tasks|settings|launch)\.json$|^\.devcontainer\//, level: "risky", why: "changes editor configuration that can run commands when the folder opens" },
];

/**
 * Classifies a file write by its path relative to the workspace. `.gitignore` is deliberately
 * safe: it only decides what git tracks, and a run's changes are reviewed as a diff anyway.
 */
export function classifyWrite(filePath: string): WriteClassification {
  const normal = path.posix.normalize(filePath.replace(/\\/g, "/"));
  if (path.posix.isAbsolute(normal) || normal === ".." || normal.startsWith("../") || normal.startsWith("~")) {
    return { level: "risky", reasons: [`\`${filePath}\` is outside the workspace`] };
  }
  const relative = normal.replace(/^\.\//, "");
  const rule = RULES.find((r) => new RegExp(r.test.source, "i").test(relative));
  if (!rule) return { level: "safe", reasons: [] };
  return { level: rule.level, reasons: [`writing \`${relative}\` ${rule.why}`] };
}
