// Next.js calls register() once when a server process starts: stamp every request with its
// socket address (the client address the web believes; lib/server/clientAddress.ts), serve the
// live streams straight on the Node server (lib/server/directStreams.ts), migrate the database
// and start the recorder that projects run events into it, before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installRequestHook } = await import("./lib/server/requestHook");
  const { serveDirectStream } = await import("./lib/server/directStreams");
  installRequestHook(serveDirectStream);
  const { startWebBackground } = await import("./lib/server/background");
  await startWebBackground();
}
