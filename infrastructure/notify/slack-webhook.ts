import type { SlackMessage } from "./messages.ts";
import { classifyHttpStatus, parseRetryAfter, type DeliveryOutcome } from "./outcome.ts";
import { checkOutboundUrl, type SsrfOptions } from "./ssrf.ts";

/**
 * Slack incoming webhooks: a URL the user pasted, so it is checked against SSRF again right before the request
 * (DNS may have changed since it was saved) and redirects are not followed.
 */
export async function postSlackWebhook(
  webhookUrl: string,
  message: SlackMessage,
  options: SsrfOptions & { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<DeliveryOutcome> {
  const check = await checkOutboundUrl(webhookUrl, options);
  if (!check.ok) return { kind: "permanent", error: `Slack webhook URL refused: ${check.reason}` };
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(check.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: message.text, blocks: message.blocks }),
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    return { kind: "transient", error: `Slack webhook request failed: ${(error as Error).message}` };
  }
  const body = await response.text().catch(() => "");
  if (response.status === 200) return { kind: "sent", externalId: null };
  const description = `Slack webhook answered HTTP ${response.status}${body ? `: ${body.slice(0, 200)}` : ""}`;
  const kind = response.status >= 300 && response.status < 400 ? "permanent" : classifyHttpStatus(response.status);
  if (kind === "rate-limited") return { kind, retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), 30_000), error: description };
  return { kind, error: description };
}
