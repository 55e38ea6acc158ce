// Served ahead of Next by lib/server/directStreams.ts; this file is the same handler for the
// requests that reach Next (those before instrumentation installed the direct path).
export { GET } from "@/lib/http/streams/userEvents";

export const dynamic = "force-dynamic";
