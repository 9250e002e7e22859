import type { SlackMessage } from "./messages.ts";
import { classifyHttpStatus, networkFailure, parseRetryAfter, type DeliveryOutcome } from "./outcome.ts";
import { checkUrlShape, outboundRefusal, type GuardedFetch, type SsrfOptions, type UrlCheck } from "./ssrf.ts";

/**
 * Slack incoming webhooks: a URL a tenant pasted. It must be on Slack's webhook hosts (or a host the operator
 * allow-listed), is sent through the guarded fetch (the socket connects only to addresses checked as public, no
 * redirects), and what the answering server wrote never reaches the person or the logs: only its status code with
 * Sentinel's own explanation. Whoever answers an unexpected URL may be an internal service.
 */

export const SLACK_WEBHOOK_HOSTS: readonly string[] = ["hooks.slack.com", "hooks.slack-gov.com"];

/** The checks that need no DNS; the addresses are checked at save (checkOutboundUrl) and by the socket at send. */
export function checkSlackWebhookUrl(raw: string, options: Pick<SsrfOptions, "allowedHosts"> = {}): UrlCheck {
  const shape = checkUrlShape(raw, options);
  if (!shape.ok || shape.allowListed) return shape;
  if (!SLACK_WEBHOOK_HOSTS.includes(shape.url.hostname.toLowerCase())) {
    return { ok: false, reason: `must be a Slack incoming-webhook URL on ${SLACK_WEBHOOK_HOSTS.join(" or ")}, not ${shape.url.host}` };
  }
  return shape;
}

/** What each status means for a Slack incoming webhook, in Sentinel's words. */
function explainStatus(status: number): string {
  if (status >= 300 && status < 400) return "a redirect, which Sentinel does not follow: the URL must point straight at Slack";
  switch (status) {
    case 400:
      return "the message was refused as invalid";
    case 401:
    case 403:
      return "the webhook may not post (revoked, or blocked by a workspace setting)";
    case 404:
      return "the webhook URL is unknown or revoked";
    case 410:
      return "the webhook's channel is archived or deleted";
    case 429:
      return "rate limited";
    default:
      return status >= 500 ? "a server error on the receiving side" : "an unexpected answer";
  }
}

export async function postSlackWebhook(
  webhookUrl: string,
  message: SlackMessage,
  options: Pick<SsrfOptions, "allowedHosts"> & { fetch: GuardedFetch; timeoutMs?: number },
): Promise<DeliveryOutcome> {
  const check = checkSlackWebhookUrl(webhookUrl, options);
  if (!check.ok) return { kind: "permanent", error: `Slack webhook URL refused: it ${check.reason}` };
  let status: number;
  let retryAfter: string | null;
  try {
    const response = await options.fetch(check.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: message.text, blocks: message.blocks }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    status = response.status;
    retryAfter = response.headers.get("retry-after");
    // The body is never read: it is not Slack's to show if the URL led elsewhere.
    await response.body?.cancel().catch(() => {});
  } catch (error) {
    const refusal = outboundRefusal(error);
    if (refusal) return { kind: "permanent", error: `Slack webhook URL refused: ${refusal.message}` };
    return { kind: "transient", error: `Slack webhook ${networkFailure(error)}` };
  }
  if (status === 200) return { kind: "sent", externalId: null };
  const description = `Slack webhook answered ${status}: ${explainStatus(status)}`;
  const kind = status >= 300 && status < 400 ? "permanent" : classifyHttpStatus(status);
  if (kind === "rate-limited") return { kind, retryAfterMs: parseRetryAfter(retryAfter, 30_000), error: description };
  return { kind, error: description };
}
