/**
 * What a refused write was refused for, by SQLSTATE: the same on PGlite and PostgreSQL. Drizzle
 * wraps the database's error, with the whole query, in `cause`.
 */
type ErrorLike = { code?: string; cause?: ErrorLike };

export function sqlState(err: unknown): string | undefined {
  const e = err as ErrorLike | undefined;
  return (e?.cause && typeof e.cause === "object" ? e.cause.code : undefined) ?? e?.code;
}

export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === "23505";

export const isForeignKeyViolation = (err: unknown): boolean => sqlState(err) === "23503";
