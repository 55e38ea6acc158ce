/**
 * Polls the web's health route until it answers 200. Gives up only when `stillUseful` says
 * so (a child died, or we are shutting down): a first `next dev` compile or a slow database
 * can take minutes, and the person watching is better served by a note than by a timeout.
 */
export async function waitForHealth(options: {
  url: string;
  stillUseful: () => boolean;
  onSlow: (lastAnswer: string) => void;
  slowAfterMs?: number;
}): Promise<boolean> {
  const started = Date.now();
  let warned = false;
  let lastAnswer = "no answer yet";
  while (options.stillUseful()) {
    try {
      const res = await fetch(options.url, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return true;
      lastAnswer = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      lastAnswer = (err as Error).message;
    }
    if (!warned && Date.now() - started > (options.slowAfterMs ?? 90_000)) {
      warned = true;
      options.onSlow(lastAnswer);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}
