import type { HumanAnswer, HumanInputRequest } from "../../jobs/humanInput";

/**
 * A person at the approval card, scripted: records every request and answers them in turn
 * with the given answers; asking more often than scripted fails the test.
 */
export function scriptedAsk(...answers: HumanAnswer[]) {
  const asked: HumanInputRequest[] = [];
  const ask = async (request: HumanInputRequest): Promise<HumanAnswer> => {
    asked.push(request);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected approval request ${request.requestId} (${request.tool})`);
    return answer;
  };
  return { ask, asked };
}

export const approve = (extra: { note?: string; editedInput?: unknown; remember?: boolean } = {}): HumanAnswer => ({ decision: "approve", by: "owner", ...extra });
export const deny = (note?: string): HumanAnswer => ({ decision: "deny", by: "owner", ...(note ? { note } : {}) });
