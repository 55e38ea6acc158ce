/** How the UI shows and edits a request's input: a shell command as its text, anything else as JSON. */

/** The command itself when the input is one (a string, or `{ command }`), else null. */
export function commandOf(input: unknown): string | null {
  if (typeof input === "string") return input;
  if (input && typeof input === "object" && typeof (input as { command?: unknown }).command === "string") {
    return (input as { command: string }).command;
  }
  return null;
}

/** The text a person sees and edits for an input. */
export function inputText(input: unknown): string {
  return commandOf(input) ?? JSON.stringify(input, null, 2);
}

/**
 * The edited text put back into the input's shape: a command replaces the command (other
 * fields kept), anything else must be JSON. Throws with a message for the person otherwise.
 */
export function editedInputFrom(original: unknown, text: string): unknown {
  if (typeof original === "string") return text;
  if (commandOf(original) !== null) return { ...(original as object), command: text };
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error("The edited input is not valid JSON");
  }
}
