/**
 * Launch lines of ACP agents people bring, to fill in the registration form. What the job
 * machines need is said in `needs`; availability is checked by the job processes themselves.
 */
export type AcpAgentPreset = {
  key: string;
  label: string;
  name: string;
  description: string;
  command: string;
  args: string[];
  envNames: string[];
  needs: string;
};

export const acpAgentPresets: AcpAgentPreset[] = [
  {
    key: "goose",
    label: "Goose",
    name: "goose",
    description: "Block's Goose with its developer extension, over ACP.",
    command: "goose",
    args: ["acp", "--with-builtin", "developer"],
    envNames: ["GOOSE_PROVIDER", "GOOSE_MODEL", "OPENAI_API_KEY"],
    needs: "The goose CLI on every job machine's PATH; GOOSE_PROVIDER, GOOSE_MODEL and the provider's key (here OPENAI_API_KEY) in the job process's environment.",
  },
  {
    key: "gemini",
    label: "Gemini CLI",
    name: "gemini",
    description: "Google's Gemini CLI in its ACP mode.",
    command: "gemini",
    args: ["--experimental-acp"],
    envNames: ["GEMINI_API_KEY"],
    needs: "The gemini CLI (@google/gemini-cli) on every job machine's PATH and GEMINI_API_KEY in the job process's environment.",
  },
  {
    key: "claude-acp",
    label: "Claude via ACP",
    name: "claude-acp",
    description: "Claude Code's agent through claude-agent-acp, bundled with AgentDesk.",
    command: "claude-agent-acp",
    args: [],
    envNames: ["ANTHROPIC_API_KEY"],
    needs:
      "Nothing to install: claude-agent-acp comes with AgentDesk. ANTHROPIC_API_KEY must be set on the job process, but the agent never receives it as it is: the job process gives it a model gateway instead (an address and a token valid for that run's sandbox only) and keeps the key.",
  },
  {
    key: "codex",
    label: "Codex",
    name: "codex",
    description: "OpenAI's Codex through codex-acp.",
    command: "codex-acp",
    args: [],
    envNames: ["OPENAI_API_KEY"],
    needs: "codex-acp (npm package @zed-industries/codex-acp) on every job machine's PATH and OPENAI_API_KEY in the job process's environment.",
  },
];
