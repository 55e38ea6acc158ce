// Next.js calls register() once when a server process starts: migrate the database and start
// the recorder that projects run events into it, before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startWebBackground } = await import("./lib/server/background");
  await startWebBackground();
}
