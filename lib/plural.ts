/** A count with its noun, for people: "1 file", "6,201 files" (both processes use it). */
export function countOf(n: number, noun: string): string {
  return `${n.toLocaleString("en")} ${noun}${n === 1 ? "" : "s"}`;
}
