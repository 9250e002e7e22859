import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../infrastructure/db/client.ts";
import { apiKeys } from "../../infrastructure/db/schema/index.ts";
import { fieldErrorsOf } from "../../domain/field-errors.ts";

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

/** `read` keys call GET endpoints only; `write` keys may also create incidents and acknowledge alerts. */
export const API_KEY_SCOPES = ["read", "write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const DAY_MS = 86_400_000;
const MAX_LIFETIME_DAYS = 3650;
const EXPIRY_HINT = `use a number of days like 90d (1 to ${MAX_LIFETIME_DAYS}) or a future date like 2027-03-01`;
const isoDate = z.iso.date();
const isoInstant = z.iso.datetime({ offset: true });

/**
 * When a key stops working: absent, empty or "never" → never; "90d" → 90 days after `now`; "2027-03-01" → the start
 * of that day in UTC; a full ISO instant → that instant. Always in the future and at most ten years ahead.
 */
function expiryOf(now: Date) {
  const choice = z
    .string({ message: EXPIRY_HINT })
    .trim()
    .optional()
    .transform((value, context): Date | null => {
      if (value === undefined || value === "" || value === "never") return null;
      const days = /^(\d{1,5})d$/.exec(value);
      let expiresAt: Date;
      if (days) {
        const count = Number(days[1]);
        if (count < 1 || count > MAX_LIFETIME_DAYS) {
          context.addIssue({ code: "custom", message: `expiry in days must be from 1 to ${MAX_LIFETIME_DAYS}, got ${count}d` });
          return z.NEVER;
        }
        expiresAt = new Date(now.getTime() + count * DAY_MS);
      } else if (isoDate.safeParse(value).success || isoInstant.safeParse(value).success) {
        expiresAt = new Date(value);
      } else {
        context.addIssue({ code: "custom", message: `"${value}" is not an expiry: ${EXPIRY_HINT}` });
        return z.NEVER;
      }
      if (expiresAt.getTime() <= now.getTime()) {
        context.addIssue({ code: "custom", message: `${value} is not in the future: ${EXPIRY_HINT}` });
        return z.NEVER;
      }
      if (expiresAt.getTime() > now.getTime() + MAX_LIFETIME_DAYS * DAY_MS) {
        context.addIssue({ code: "custom", message: `${value} is more than ${MAX_LIFETIME_DAYS} days away: ${EXPIRY_HINT}` });
        return z.NEVER;
      }
      return expiresAt;
    });
  // A form field that was not sent is null: the same as leaving the expiry out.
  return z.preprocess((value) => (value === null ? undefined : value), choice);
}

/** A new key's fields. `now` anchors "90d" and "in the future", so tests pin it with their clock. */
export function createApiKeyInput(now: Date) {
  return z.object({
    name: z
      .string({ message: "name the key after what will use it" })
      .trim()
      .min(1, "name the key after what will use it")
      .max(100, "keep the name under 100 characters"),
    // Least privilege: a key that only reads unless its creator asks for more.
    scope: z.preprocess((value) => (value === undefined || value === null || value === "" ? "read" : value), z.enum(API_KEY_SCOPES, { message: "choose the scope read or write" })),
    expires: expiryOf(now),
  });
}

export type CreateApiKeyFields = z.output<ReturnType<typeof createApiKeyInput>>;

/** The form's and the CLI's validation: the fields, or one message per bad field. */
export function parseCreateApiKeyInput(
  input: unknown,
  now: Date,
): { ok: true; data: CreateApiKeyFields } | { ok: false; fieldErrors: Record<string, string> } {
  const parsed = createApiKeyInput(now).safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, fieldErrors: fieldErrorsOf(parsed.error, "name") };
}

export type CreateApiKeyResult =
  | {
      ok: true;
      id: string;
      name: string;
      displayPrefix: string;
      scope: ApiKeyScope;
      expiresAt: Date | null;
      /** Shown once, never stored. */
      key: string;
    }
  | { ok: false; code: "INVALID_INPUT"; fieldErrors: Record<string, string> };

export async function createApiKey(db: Executor, orgId: string, input: unknown, createdBy: string | null, now: Date): Promise<CreateApiKeyResult> {
  const parsed = parseCreateApiKeyInput(input, now);
  if (!parsed.ok) return { ok: false, code: "INVALID_INPUT", fieldErrors: parsed.fieldErrors };
  const { name, scope, expires } = parsed.data;
  const key = generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({ orgId, name, scope, expiresAt: expires, displayPrefix: displayPrefixOf(key), keyHash: hashApiKey(key), createdBy })
    .returning({ id: apiKeys.id, name: apiKeys.name, displayPrefix: apiKeys.displayPrefix, scope: apiKeys.scope, expiresAt: apiKeys.expiresAt });
  return { ok: true, ...row!, key };
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
  scope: ApiKeyScope;
  expiresAt: string | null;
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
      scope: apiKeys.scope,
      expiresAt: apiKeys.expiresAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.orgId, orgId))
    .orderBy(sql`${apiKeys.revokedAt} is not null`, desc(apiKeys.createdAt));
  return rows.map((row) => ({
    ...row,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  }));
}

export type ApiKeyPrincipal = { keyId: string; orgId: string; scope: ApiKeyScope };

export type ApiKeyAuthentication =
  | { ok: true; principal: ApiKeyPrincipal }
  | { ok: false; code: "INVALID_KEY" }
  | { ok: false; code: "KEY_EXPIRED"; expiredAt: Date };

/**
 * The organisation and scope a bearer token acts with, or why it is refused. Malformed tokens and bad checksums are
 * refused before the lookup; the lookup is by hash, so the database never sees the key itself. Expiry is compared
 * with the caller's `now` (the injected clock), so tests pin it.
 */
export async function authenticateApiKey(db: Executor, token: string, now: Date): Promise<ApiKeyAuthentication> {
  if (!isWellFormedApiKey(token)) return { ok: false, code: "INVALID_KEY" };
  const [row] = await db
    .select({ keyId: apiKeys.id, orgId: apiKeys.orgId, scope: apiKeys.scope, expiresAt: apiKeys.expiresAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(token)), isNull(apiKeys.revokedAt)));
  if (!row) return { ok: false, code: "INVALID_KEY" };
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return { ok: false, code: "KEY_EXPIRED", expiredAt: row.expiresAt };
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, row.keyId),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - LAST_USED_RESOLUTION_MS))),
      ),
    );
  return { ok: true, principal: { keyId: row.keyId, orgId: row.orgId, scope: row.scope } };
}

/** "never expires", "expires in 12 days", "expires in 5 h", "expired": for the settings list and `api-key list`. */
export function describeApiKeyExpiry(expiresAt: Date | string | null, now: Date): string {
  if (expiresAt === null) return "never expires";
  const remaining = new Date(expiresAt).getTime() - now.getTime();
  if (remaining <= 0) return "expired";
  if (remaining >= 2 * DAY_MS) return `expires in ${Math.floor(remaining / DAY_MS)} days`;
  if (remaining >= DAY_MS) return "expires in 1 day";
  if (remaining >= 3_600_000) return `expires in ${Math.floor(remaining / 3_600_000)} h`;
  if (remaining >= 60_000) return `expires in ${Math.floor(remaining / 60_000)} min`;
  return "expires in under a minute";
}
