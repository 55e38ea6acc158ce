import { Card } from "../ui/Card";

const verify = `const [t, v1] = header.split(",").map((p) => p.split("=")[1]);
const expected = crypto.createHmac("sha256", secret).update(\`\${t}.\${rawBody}\`).digest("hex");
const fresh = Math.abs(Date.now() / 1000 - Number(t)) < 300;
const ok = fresh && crypto.timingSafeEqual(Buffer.from(v1), Buffer.from(expected));`;

/** How a receiver checks a delivery. */
export function SigningHelp() {
  return (
    <Card title="Checking a delivery" description="Every delivery carries AgentDesk-Signature (t=<unix time>,v1=<HMAC-SHA256 of “t.body” with the endpoint's secret>), AgentDesk-Delivery (this delivery's id) and AgentDesk-Event. The body's id is the event's: a resend carries the same one.">
      <pre className="overflow-x-auto rounded-md bg-black px-3 py-2 font-mono text-xs text-zinc-300 ring-1 ring-zinc-800">{verify}</pre>
    </Card>
  );
}
