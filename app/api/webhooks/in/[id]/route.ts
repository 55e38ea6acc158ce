import { INBOUND_MAX_BYTES } from "@/lib/contracts/inboundWebhooks";
import { route } from "@/lib/http/route";
import { receiveInbound } from "@/lib/services/inboundReceive";

export const dynamic = "force-dynamic";

/** A repository's incoming webhook: no session, the signature is the proof (lib/services/inboundReceive.ts). */
export const POST = route({ access: "public" }, async ({ app, req, params }) => {
  const answer = await receiveInbound(app, params.id!, req.headers, () => readLimited(req, INBOUND_MAX_BYTES));
  return Response.json(answer.body, { status: answer.status, headers: answer.headers });
});

/** The raw body, once, or null past `max` bytes (read no further). */
async function readLimited(req: Request, max: number): Promise<Buffer | null> {
  if (Number(req.headers.get("content-length") ?? 0) > max) return null;
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
