/**
 * A problem the person running `npm start` can fix: start.ts prints only the message (no
 * stack trace) and exits 1.
 */
export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartError";
  }
}
