/** Review rules both processes state in the same words. */
export const CLI_FEEDBACK_REFUSAL = "a shell-command run cannot take feedback; start a new run";

/** Executors that can take review feedback (the agent continues with it); a shell command cannot. */
export const takesFeedback = (executor: string) => executor !== "cli";
