/**
 * PostgreSQL "data exception" (SQLSTATE class 22): the value itself was refused — \u0000 or a lone surrogate, which
 * jsonb cannot hold, a number out of range — so retrying the same row can never succeed. drizzle wraps the driver's
 * error, so the chain of causes is searched.
 */
export function isDataException(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("22")) return true;
  }
  return false;
}
