import type { z } from "zod";

/**
 * What a form or request shows for invalid input: one message per top-level field, the first issue of each.
 * `whole` names an issue about the input as a whole (no field in its path).
 */
export function fieldErrorsOf(error: z.ZodError, whole: string): Record<string, string> {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) fieldErrors[String(issue.path[0] ?? whole)] ??= issue.message;
  return fieldErrors;
}
