import type { ContentBlockParam, FakeAnthropic } from "../../support/fakeAnthropic";

/** The tool_result the model received for a call, from the fake's recorded requests (the latest one). */
export function toolResultSent(fake: FakeAnthropic, callId: string): ContentBlockParam {
  for (const request of [...fake.requests].reverse()) {
    for (const message of request.body.messages) {
      if (typeof message.content === "string") continue;
      const found = message.content.find((b) => b.type === "tool_result" && b.tool_use_id === callId);
      if (found) return found;
    }
  }
  throw new Error(`the model never received a result for ${callId}`);
}
