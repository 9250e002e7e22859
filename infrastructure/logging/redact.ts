import { pino } from "pino";

/**
 * Scrubs secrets out of what is about to be logged. pino's `redact` paths only reach fixed depths, and the secrets
 * Sentinel handles turn up deeper (an Octokit error's `request.headers.authorization`, a failed URL's `input`) or
 * inside text (a connection string in an error message). So every logged value is walked once: fields named like a
 * secret are censored, strings lose credentials of known shapes, and the exact values of configured secrets are
 * replaced wherever they appear.
 */

export const CENSOR = "[redacted]";

/** Field names (lower-cased, without `-` and `_`) whose value is a secret, however deep it sits. */
const SECRET_FIELD_SUFFIXES = [
  "authorization",
  "cookie",
  "password",
  "passwd",
  "secret",
  "secrets",
  "secretkey",
  "token",
  "tokens",
  "privatekey",
  "apikey",
  "routingkey",
  "hubsignature256",
  "databaseurl",
  "redisurl",
  "webhookurl",
];

export function isSecretField(key: string): boolean {
  let known = secretFieldCache.get(key);
  if (known === undefined) {
    const normalized = key.toLowerCase().replace(/[-_]/g, "");
    known = SECRET_FIELD_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
    // Field names are nearly always the same few dozen; a log of objects keyed by data must not grow this forever.
    if (secretFieldCache.size >= 2_000) secretFieldCache.clear();
    secretFieldCache.set(key, known);
  }
  return known;
}
/** Every logged field's name goes through isSecretField: remember the answers (ADR 023). */
const secretFieldCache = new Map<string, boolean>();

/** Shapes of credentials that are recognisable in free text. */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[redacted private key]"],
  // user:password@ in any URL (DATABASE_URL, REDIS_URL): keep the user and host, drop the password.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${CENSOR}@`],
  [/\bsnt_[A-Za-z0-9]{8,}/g, `snt_${CENSOR}`],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})/g, CENSOR],
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, CENSOR],
  [/\bre_[A-Za-z0-9_]{16,}/g, CENSOR],
  // JSON Web Tokens (the GitHub App's JWT).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, CENSOR],
  [/\b(Bearer|Basic) [A-Za-z0-9._~+/=-]{8,}/g, `$1 ${CENSOR}`],
];

/**
 * Something every pattern above needs: strings without any of these (request ids, paths, messages: nearly every
 * string a log line holds) skip the replacements, which were most of a line's logging cost on the webhook path.
 */
const MIGHT_HOLD_A_CREDENTIAL = /-----BEGIN|:\/\/|snt_|gh[pousr]_|github_pat_|xox|re_|eyJ|Bearer |Basic /;

const MAX_DEPTH = 10;

export interface SecretScrubber {
  scrubText(text: string): string;
  scrubValue(value: unknown): unknown;
}

/** `knownSecrets`: the configured secret values (from the environment); anything shorter than 8 characters is ignored. */
export function createSecretScrubber(knownSecrets: Iterable<string | undefined> = []): SecretScrubber {
  const exact = [...new Set([...knownSecrets].filter((secret): secret is string => typeof secret === "string" && secret.length >= 8))].sort(
    (a, b) => b.length - a.length,
  );

  function scrubText(text: string): string {
    let result = text;
    for (const secret of exact) if (result.includes(secret)) result = result.split(secret).join(CENSOR);
    if (!MIGHT_HOLD_A_CREDENTIAL.test(result)) return result;
    for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
    return result;
  }

  // `seen` (every object above this one) is made when the first nested object turns up: most log lines, an access
  // log line for one, are a single flat object, and a WeakSet per line was a noticeable part of their cost.
  function scrubValue(value: unknown, depth = 0, seen?: WeakSet<object>): unknown {
    if (typeof value === "string") return scrubText(value);
    if (typeof value !== "object" || value === null) return value;
    if (seen?.has(value)) return "[circular]";
    if (depth >= MAX_DEPTH) return "[too deep]";
    seen?.add(value);
    const below = (field: unknown): unknown => {
      if (typeof field !== "object" || field === null) return scrubValue(field, depth + 1, seen);
      seen ??= new WeakSet<object>([value]);
      return scrubValue(field, depth + 1, seen);
    };
    // An error keeps its non-enumerable message and stack through pino's serializer; its own fields (Octokit's
    // `request` and `response`, Node's `input`) are walked like any object.
    const source = value instanceof Error ? (pino.stdSerializers.err(value) as unknown as Record<string, unknown>) : value;
    if (Array.isArray(source)) return source.map(below);
    // What JSON.stringify would write: a URL's href (with its password), a Date's ISO string.
    if (!(value instanceof Error) && typeof (source as { toJSON?: unknown }).toJSON === "function") {
      return below((source as { toJSON(): unknown }).toJSON());
    }
    const copy: Record<string, unknown> = {};
    for (const key in source) {
      if (!Object.prototype.hasOwnProperty.call(source, key)) continue;
      const field = (source as Record<string, unknown>)[key];
      copy[key] = isSecretField(key) && field !== undefined && field !== null ? CENSOR : below(field);
    }
    return copy;
  }

  return { scrubText, scrubValue: (value) => scrubValue(value) };
}
