import type { AppLoadContext } from "@remix-run/node";
import type { z } from "zod";
import { authenticateApiKey, type ApiKeyPrincipal } from "../../infrastructure/api/api-keys.ts";

/** Every API error has this shape: a sentence for people and, for bad input, one message per field. */
export interface ApiErrorBody {
  error: string;
  fieldErrors?: Record<string, string>;
}

export function apiError(status: number, error: string, fieldErrors?: Record<string, string>, headers?: HeadersInit): Response {
  const body: ApiErrorBody = fieldErrors ? { error, fieldErrors } : { error };
  return Response.json(body, { status, headers });
}

export const notFound = (what: string) => apiError(404, `${what} not found`);

export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) fieldErrors[String(issue.path[0] ?? "request")] ??= issue.message;
  return fieldErrors;
}

/**
 * The API's guard: a valid, unrevoked `Authorization: Bearer snt_…` key, or a thrown 401. The key decides the
 * organisation, so every query below is scoped by it and another organisation's ids answer 404.
 */
export async function requireApiKey(request: Request, context: AppLoadContext): Promise<ApiKeyPrincipal> {
  const header = request.headers.get("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  const principal = match ? await authenticateApiKey(context.services.db, match[1]!, context.services.clock.now()) : null;
  if (!principal) {
    throw apiError(401, match ? "the API key is invalid or revoked" : "send an API key as Authorization: Bearer snt_…", undefined, {
      "WWW-Authenticate": 'Bearer realm="sentinel"',
    });
  }
  return principal;
}

/** Query string → schema, or a thrown 400 naming each bad field. Empty values count as absent. */
export function parseSearchParams<T extends z.ZodType>(schema: T, request: Request): z.infer<T> {
  const url = new URL(request.url);
  const parsed = schema.safeParse(Object.fromEntries([...url.searchParams].filter(([, value]) => value !== "")));
  if (!parsed.success) throw apiError(400, "invalid query parameters", fieldErrorsOf(parsed.error));
  return parsed.data;
}

export function methodNotAllowed(allow: string): Response {
  return apiError(405, `use ${allow}`, undefined, { Allow: allow });
}
