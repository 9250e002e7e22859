import type { PagerDutyEvent } from "./messages.ts";
import { classifyHttpStatus, networkFailure, parseRetryAfter, type DeliveryOutcome } from "./outcome.ts";

/**
 * PagerDuty Events API v2 over fetch: 202 accepted; 400 is never retried (the event is invalid, e.g. a bad
 * routing key); 429 waits; 5xx and network failures back off. The dedup_key is the alert id, so a retried
 * trigger updates the same PagerDuty alert instead of opening a second one.
 */

export interface PagerDutySenderOptions {
  /** PAGERDUTY_EVENTS_URL (trusted: from the environment). */
  eventsUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface PagerDutySender {
  send(event: PagerDutyEvent): Promise<DeliveryOutcome>;
}

function explainStatus(status: number): string {
  if (status === 400) return "the event was refused as invalid (check the routing key)";
  if (status === 401 || status === 403) return "the request was not allowed";
  if (status === 404) return "the events URL is wrong (check PAGERDUTY_EVENTS_URL)";
  if (status === 429) return "rate limited";
  return status >= 500 ? "a server error on PagerDuty's side" : "an unexpected answer";
}

export function createPagerDutySender(options: PagerDutySenderOptions): PagerDutySender {
  const doFetch = options.fetch ?? fetch;
  return {
    async send(event) {
      let response: Response;
      try {
        response = await doFetch(options.eventsUrl, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        return { kind: "transient", error: `PagerDuty ${networkFailure(error)}` };
      }
      if (response.status === 202 || response.ok) {
        const body = await response.text().catch(() => "");
        let dedupKey: string | null = event.dedup_key;
        try {
          dedupKey = (JSON.parse(body) as { dedup_key?: string }).dedup_key ?? dedupKey;
        } catch {
          // PagerDuty answered 2xx without JSON: the event was accepted under the key we sent.
        }
        return { kind: "sent", externalId: dedupKey };
      }
      // The body is not shown or stored: errors are Sentinel's words for the status.
      await response.body?.cancel().catch(() => {});
      const description = `PagerDuty answered HTTP ${response.status}: ${explainStatus(response.status)}`;
      const kind = classifyHttpStatus(response.status);
      // PagerDuty sends no Retry-After on 429; its docs ask clients to back off, so wait 30 s unless told.
      if (kind === "rate-limited") return { kind, retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), 30_000), error: description };
      return { kind, error: description };
    },
  };
}
