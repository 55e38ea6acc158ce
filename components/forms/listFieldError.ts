/** The error of a list field: its own, or the first of its entries' (they come back as `field.<index>`). */
export const listFieldError = (fieldErrors: Record<string, string>, field: string): string | undefined =>
  Object.entries(fieldErrors).find(([path]) => path === field || path.startsWith(`${field}.`))?.[1];
