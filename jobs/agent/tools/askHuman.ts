import { z } from "zod";
import { ToolFailure } from "./failure";
import type { AgentTool } from "./types";

const input = z.object({
  question: z
    .string()
    .trim()
    .min(1)
    .max(4_000)
    .describe("The question, complete and self-contained: the person sees only this, on a card or in their inbox"),
});

/** `ask_human`: the agent asks the run's owner; the answer text is the tool result. */
export const askHumanTool: AgentTool<z.infer<typeof input>> = {
  name: "ask_human",
  description:
    "Asks the person who started this run a question and waits for their answer, which is returned as text. " +
    "Use it when the task is ambiguous and a wrong guess would waste work (a name, a choice between designs, " +
    "a missing requirement), not for things you can find out from the repository. The person may take a while " +
    "to answer; if nobody answers in time you are told so, and should go on with your best judgement.",
  input,
  kind: "ask",
  async run({ question }, ctx) {
    if (!ctx.askHuman) throw new ToolFailure("no person can be asked in this run; decide yourself and say so in your summary");
    const reply = await ctx.askHuman(question);
    if ("unanswered" in reply) return { ok: false, output: `No answer: ${reply.unanswered}. Go on with your best judgement and say so in your summary.` };
    return { ok: true, output: reply.answer };
  },
};
