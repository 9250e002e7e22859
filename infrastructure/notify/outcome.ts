/**
 * What a sender reports. Retry decisions are made from these kinds (by the delivery use-case), never from text:
 * - sent: the channel accepted the message (`externalId`: Slack ts, Resend email id, PagerDuty dedup key);
 * - rate-limited: 429, try again after `retryAfterMs` without counting it as a failure;
 * - transient: 5xx, timeout, connection refused — back off and retry;
 * - permanent: a 4xx (bad token, unknown channel, invalid payload) — retrying cannot help.
 * `error` is Sentinel's own text (a status code and what it means), never the answering server's: it is stored on
 * the delivery, shown on the settings page and logged.
 */
export type DeliveryOutcome =
  | { kind: "sent"; externalId: string | null }
  | { kind: "rate-limited"; retryAfterMs: number; error: string }
  | { kind: "transient"; error: string }
  | { kind: "permanent"; error: string };

/** Retry-After is seconds or an HTTP date; absent or unreadable → the fallback. Capped at an hour. */
export function parseRetryAfter(value: string | null | undefined, fallbackMs: number, now = Date.now()): number {
  if (!value) return fallbackMs;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms < 0) return fallbackMs;
  return Math.min(ms, 3_600_000);
}

export function classifyHttpStatus(status: number): "rate-limited" | "transient" | "permanent" {
  if (status === 429) return "rate-limited";
  // 408 (request timeout) is the one 4xx that says nothing about the request itself.
  if (status >= 500 || status === 408) return "transient";
  return "permanent";
}

/** A failed connection in Sentinel's words, with the system's error code (ECONNREFUSED, ENOTFOUND) when there is one. */
export function networkFailure(error: unknown): string {
  const name = (error as Error | undefined)?.name;
  if (name === "TimeoutError" || name === "AbortError") return "did not answer in time";
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? `could not be reached (${code})` : "could not be reached";
}
