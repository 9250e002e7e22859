import { RetryLaterError } from "../queue/index.ts";

/** Without a retry-after or reset time, GitHub asks for at least a minute (secondary limits). */
export const MIN_RATE_LIMIT_DELAY_MS = 60_000;
const MAX_RATE_LIMIT_DELAY_MS = 60 * 60_000;

type Headers = Record<string, string | number | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return value === undefined ? undefined : String(value);
}

/** GitHub's wording for its secondary limits (and the older "abuse detection" one), which come without headers. */
const SECONDARY_LIMIT_MESSAGE = /secondary rate limit|abuse detection/i;

/**
 * Whether GitHub's refusal is a rate limit, which passes with time, rather than a refusal that does not (a missing
 * permission answers 403 too). GitHub's documented signals: 429 (only ever a limit), or a 403 with the primary
 * quota spent (`x-ratelimit-remaining: 0`), with `retry-after`, or with the secondary-limit message.
 */
export function isRateLimited(status: number, headers: Headers, message: string): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return header(headers, "x-ratelimit-remaining") === "0" || header(headers, "retry-after") !== undefined || SECONDARY_LIMIT_MESSAGE.test(message);
}

/**
 * How long to wait after a rate limit (`isRateLimited`), from GitHub's headers: `retry-after` (seconds), or `x-ratelimit-reset` when
 * `x-ratelimit-remaining` is 0, else at least a minute, doubling on each consecutive hit (`streak` ≥ 1).
 */
export function rateLimitDelayMs(headers: Headers, now: number, streak = 1): number {
  const retryAfter = header(headers, "retry-after");
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(MAX_RATE_LIMIT_DELAY_MS, Math.ceil(seconds * 1000));
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.min(MAX_RATE_LIMIT_DELAY_MS, Math.max(0, date - now));
  }
  const remaining = header(headers, "x-ratelimit-remaining");
  const reset = Number(header(headers, "x-ratelimit-reset"));
  if (remaining === "0" && Number.isFinite(reset) && reset > 0) {
    // One extra second: GitHub's reset is a whole second and clocks drift.
    return Math.min(MAX_RATE_LIMIT_DELAY_MS, Math.max(1000, reset * 1000 - now + 1000));
  }
  return Math.min(MAX_RATE_LIMIT_DELAY_MS, MIN_RATE_LIMIT_DELAY_MS * 2 ** Math.max(0, Math.min(6, streak - 1)));
}

export function rateLimitError(what: string, status: number, headers: Headers, now: number, streak = 1): RetryLaterError {
  const delay = rateLimitDelayMs(headers, now, streak);
  return new RetryLaterError(delay, `GitHub answered ${status} to ${what} (rate limit): waiting ${Math.round(delay / 1000)} s`);
}
