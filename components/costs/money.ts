/** Dollars as the cost page shows them: cents, or a tenth of a cent below a dollar's cent. */
export function usd(value: number): string {
  if (value > 0 && value < 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toFixed(2)}`;
}
