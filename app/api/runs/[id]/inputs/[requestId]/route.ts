import { route } from "@/lib/http/route";
import { answerInput, answerInputBody } from "@/lib/services/inputs";

export const dynamic = "force-dynamic";

/** Answers an approval request (`{ decision, note?, remember?, editedInput? }`) or a question (`{ answer }`). */
export const POST = route({ access: "user", body: answerInputBody }, async ({ app, principal, params, body }) =>
  answerInput(app, principal, params.id!, params.requestId!, body),
);
