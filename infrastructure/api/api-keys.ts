import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../db/client.ts";
import { apiKeys } from "../db/schema/index.ts";

/**
 * API keys look like `snt_<30 random base62><6 base62 CRC32 of the random part>`, the shape GitHub uses for its
 * tokens: the fixed prefix lets secret scanners (and `git grep snt_`) find a leaked key, and the checksum lets
 * them — and us — tell a real key from a random string without a database lookup. Only the SHA-256 of the whole
 * key is stored, with a short display prefix so people can tell their keys apart.
 */
export const API_KEY_PREFIX = "snt_";
const BODY_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const API_KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);
/** `last_used_at` is written at most once per minute per key, so a busy client does not turn reads into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

function base62(value: number, width: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < width; i += 1) {
    out = ALPHABET[rest % 62]! + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

function checksumOf(body: string): string {
  return base62(crc32(body), CHECKSUM_LENGTH);
}

export function generateApiKey(random: (size: number) => Buffer = randomBytes): string {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  let body = "";
  while (body.length < BODY_LENGTH) {
    for (const byte of random(BODY_LENGTH)) {
      if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62];
    }
  }
  return `${API_KEY_PREFIX}${body}${checksumOf(body)}`;
}

/** Format and checksum only: true for anything that could be a Sentinel key, without touching the database. */
export function isWellFormedApiKey(token: string): boolean {
  if (!API_KEY_PATTERN.test(token)) return false;
  const body = token.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + BODY_LENGTH);
  return token.slice(API_KEY_PREFIX.length + BODY_LENGTH) === checksumOf(body);
}

export function hashApiKey(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function displayPrefixOf(token: string): string {
  return token.slice(0, API_KEY_PREFIX.length + 6);
}

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, "name the key after what will use it").max(100, "keep the name under 100 characters"),
});

export type CreateApiKeyResult =
  | { ok: true; id: string; name: string; displayPrefix: string; /** Shown once, never stored. */ key: string }
  | { ok: false; code: "INVALID_INPUT"; fieldErrors: Record<string, string> };

export async function createApiKey(db: Executor, orgId: string, input: unknown, createdBy: string | null): Promise<CreateApiKeyResult> {
  const parsed = createApiKeyInput.safeParse(input);
  if (!parsed.success) {
    return { ok: false, code: "INVALID_INPUT", fieldErrors: { name: parsed.error.issues[0]?.message ?? "invalid name" } };
  }
  const key = generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({ orgId, name: parsed.data.name, displayPrefix: displayPrefixOf(key), keyHash: hashApiKey(key), createdBy })
    .returning({ id: apiKeys.id, name: apiKeys.name, displayPrefix: apiKeys.displayPrefix });
  return { ok: true, id: row!.id, name: row!.name, displayPrefix: row!.displayPrefix, key };
}

/** Revocation is a timestamp checked on every request, so it takes effect with the next call. */
export async function revokeApiKey(db: Executor, orgId: string, keyId: string, now: Date): Promise<{ ok: true } | { ok: false; code: "KEY_NOT_FOUND" }> {
  if (!z.string().uuid().safeParse(keyId).success) return { ok: false, code: "KEY_NOT_FOUND" };
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length === 1 ? { ok: true } : { ok: false, code: "KEY_NOT_FOUND" };
}

export interface ApiKeyView {
  id: string;
  name: string;
  displayPrefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function listApiKeys(db: Executor, orgId: string): Promise<ApiKeyView[]> {
  const rows = await db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      displayPrefix: apiKeys.displayPrefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.orgId, orgId))
    .orderBy(sql`${apiKeys.revokedAt} is not null`, desc(apiKeys.createdAt));
  return rows.map((row) => ({
    ...row,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  }));
}

export type ApiKeyPrincipal = { keyId: string; orgId: string };

/**
 * The organisation a bearer token acts for, or null. Malformed tokens and bad checksums are refused before the
 * lookup; the lookup is by hash, so the database never sees the key itself.
 */
export async function authenticateApiKey(db: Executor, token: string, now: Date): Promise<ApiKeyPrincipal | null> {
  if (!isWellFormedApiKey(token)) return null;
  const [row] = await db
    .select({ keyId: apiKeys.id, orgId: apiKeys.orgId })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(token)), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, row.keyId),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - LAST_USED_RESOLUTION_MS))),
      ),
    );
  return row;
}
