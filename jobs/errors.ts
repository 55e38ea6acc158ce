/**
 * A run failure that retrying cannot fix (the repository URL is not a repository, the base
 * branch does not exist, the payload is invalid). Its message is shown to the user as is, so
 * it says what to change.
 */
export class PermanentRunError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentRunError";
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
