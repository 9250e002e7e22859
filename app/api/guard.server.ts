import type { AppLoadContext } from "@remix-run/node";
import type { z } from "zod";
import { fieldErrorsOf } from "../../domain/field-errors.ts";
import { authenticateApiKey, type ApiKeyPrincipal, type ApiKeyScope } from "../../application/access/api-keys.server.ts";
import { findRepository } from "../presenters/repository.server.ts";

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

/** Methods that only read. Anything else changes data and needs a `write` key, whatever the route declares. */
const READ_ONLY_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// RFC 6750 §3.1: a refused token is `invalid_token` (401), a token without the scope is `insufficient_scope` (403).
const bearerChallenge = { "WWW-Authenticate": 'Bearer realm="sentinel"' };
const invalidTokenChallenge = { "WWW-Authenticate": 'Bearer realm="sentinel", error="invalid_token"' };
const writeScopeChallenge = { "WWW-Authenticate": 'Bearer realm="sentinel", error="insufficient_scope", scope="write"' };

/**
 * The API's guard: a valid, unrevoked, unexpired `Authorization: Bearer snt_…` key with the scope the route needs, or
 * a thrown 401 (no key, bad key, revoked, expired) or 403 (a read-only key on a write endpoint). The key decides the
 * organisation, so every query below is scoped by it and another organisation's ids answer 404.
 *
 * Every route states its scope here, and a write states what it does ("acknowledge alerts") so the 403 can say what
 * the key cannot do. The method is the backstop: a request that is not GET/HEAD/OPTIONS needs `write` even on a route
 * that declared `read`, so a new write endpoint that copies a loader's call still refuses read-only keys.
 */
export async function requireApiKey(request: Request, context: AppLoadContext, scope: "read"): Promise<ApiKeyPrincipal>;
export async function requireApiKey(request: Request, context: AppLoadContext, scope: "write", purpose: string): Promise<ApiKeyPrincipal>;
export async function requireApiKey(request: Request, context: AppLoadContext, scope: ApiKeyScope, purpose?: string): Promise<ApiKeyPrincipal> {
  const header = request.headers.get("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw apiError(401, "send an API key as Authorization: Bearer snt_…", undefined, bearerChallenge);
  const result = await authenticateApiKey(context.services.db, match[1]!, context.services.clock.now());
  if (!result.ok) {
    const reason =
      result.code === "KEY_EXPIRED"
        ? `the API key expired at ${result.expiredAt.toISOString()}; create a new one in Settings → API keys`
        : "the API key is invalid or revoked";
    throw apiError(401, reason, undefined, invalidTokenChallenge);
  }
  const needsWrite = scope === "write" || !READ_ONLY_METHODS.has(request.method.toUpperCase());
  if (needsWrite && result.principal.scope !== "write") {
    const what = purpose ?? `send ${request.method.toUpperCase()} requests`;
    throw apiError(403, `this API key is read-only; create a key with write scope to ${what}`, undefined, writeScopeChallenge);
  }
  return result.principal;
}

/** Query string → schema, or a thrown 400 naming each bad field. Empty values count as absent. */
/**
 * A read of one repository's data: the API key's organisation and the repository named in the path. An unknown id,
 * a malformed one and another organisation's all answer the same 404.
 */
export async function requireRepository(request: Request, context: AppLoadContext, repoId: string | undefined) {
  const { orgId } = await requireApiKey(request, context, "read");
  const repository = await findRepository(context.services.db, orgId, repoId ?? "");
  if (!repository) throw notFound("repository");
  return { orgId, repository };
}

export function parseSearchParams<T extends z.ZodType>(schema: T, request: Request): z.infer<T> {
  const url = new URL(request.url);
  const parsed = schema.safeParse(Object.fromEntries([...url.searchParams].filter(([, value]) => value !== "")));
  if (!parsed.success) throw apiError(400, "invalid query parameters", fieldErrorsOf(parsed.error, "request"));
  return parsed.data;
}

export function methodNotAllowed(allow: string): Response {
  return apiError(405, `use ${allow}`, undefined, { Allow: allow });
}
