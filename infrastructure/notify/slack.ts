import { LogLevel, WebClient, type Logger as SlackLogger } from "@slack/web-api";
import type { SlackMessage } from "./messages.ts";
import { SLACK_METADATA_EVENT } from "./messages.ts";
import { classifyHttpStatus, parseRetryAfter, type DeliveryOutcome } from "./outcome.ts";

/**
 * Thin Slack sender over `@slack/web-api`. The SDK's own retries are off (`retries: 0`) and rate-limited calls
 * are rejected instead of waited out inside the SDK, so the notification job is the only layer that retries and a
 * 429 reaches it as a delay. Slack has no idempotency key: every message carries metadata with the alert id, and
 * a retry after an ambiguous failure (timeout, 5xx) first looks for that message in the channel's history.
 */

export interface SlackSenderOptions {
  /** SLACK_API_URL, e.g. https://slack.com/api/ (trusted: from the environment). */
  apiUrl: string;
  token: string | undefined;
  timeoutMs?: number;
}

/** Platform errors that describe Slack's state, not the request. */
const TRANSIENT_PLATFORM_ERRORS = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"]);

const quietLogger: SlackLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

export function classifySlackError(error: unknown): Exclude<DeliveryOutcome, { kind: "sent" }> {
  const coded = error as { code?: string; retryAfter?: number; statusCode?: number; headers?: Record<string, string>; data?: { error?: string }; message?: string };
  switch (coded?.code) {
    case "slack_webapi_rate_limited_error":
      return { kind: "rate-limited", retryAfterMs: Math.max(1, coded.retryAfter ?? 30) * 1000, error: "Slack answered 429 (rate limited)" };
    case "slack_webapi_http_error": {
      const status = coded.statusCode ?? 0;
      const kind = classifyHttpStatus(status);
      const message = `Slack answered HTTP ${status}`;
      if (kind === "rate-limited") return { kind, retryAfterMs: parseRetryAfter(coded.headers?.["retry-after"], 30_000), error: message };
      return { kind, error: message };
    }
    case "slack_webapi_platform_error": {
      // Slack's error codes are short snake_case words; anything else is not Slack's vocabulary and is not repeated.
      const reported = coded.data?.error;
      const platformError = typeof reported === "string" && /^[a-z0-9_]{1,60}$/.test(reported) ? reported : "unknown_error";
      if (platformError === "ratelimited") return { kind: "rate-limited", retryAfterMs: 30_000, error: "Slack: ratelimited" };
      return { kind: TRANSIENT_PLATFORM_ERRORS.has(platformError) ? "transient" : "permanent", error: `Slack: ${platformError}` };
    }
    case "slack_webapi_request_error":
      return { kind: "transient", error: `Slack request failed: ${(error as { original?: Error }).original?.message ?? coded.message}` };
    default:
      return { kind: "transient", error: `Slack request failed: ${coded?.message ?? String(error)}` };
  }
}

export interface SlackSender {
  readonly configured: boolean;
  postMessage(channelId: string, message: SlackMessage): Promise<DeliveryOutcome>;
  /**
   * The ts of a message this alert already posted to the channel since `sinceEpochSeconds`, null when there is
   * none, or the failure when the history could not be read (then nobody can say, and the job retries).
   */
  findPostedMessage(channelId: string, alertId: string, sinceEpochSeconds: number): Promise<{ ts: string | null } | Exclude<DeliveryOutcome, { kind: "sent" }>>;
}

export function createSlackSender(options: SlackSenderOptions): SlackSender {
  const client = options.token
    ? new WebClient(options.token, {
        slackApiUrl: options.apiUrl.endsWith("/") ? options.apiUrl : `${options.apiUrl}/`,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: options.timeoutMs ?? 10_000,
        logger: quietLogger,
        // Only the configured base URL is ever called.
        allowAbsoluteUrls: false,
      })
    : null;
  const notConfigured = { kind: "permanent", error: "Slack is not configured (set SLACK_BOT_TOKEN)" } as const;
  return {
    configured: client !== null,
    async postMessage(channelId, message) {
      if (!client) return notConfigured;
      try {
        const result = await client.chat.postMessage({
          channel: channelId,
          text: message.text,
          blocks: message.blocks as never,
          metadata: message.metadata,
          unfurl_links: false,
          unfurl_media: false,
        });
        return { kind: "sent", externalId: result.ts ?? null };
      } catch (error) {
        return classifySlackError(error);
      }
    },
    async findPostedMessage(channelId, alertId, sinceEpochSeconds) {
      if (!client) return notConfigured;
      try {
        const history = await client.conversations.history({
          channel: channelId,
          oldest: String(sinceEpochSeconds),
          include_all_metadata: true,
          limit: 200,
        });
        const posted = (history.messages ?? []).find(
          (message) => message.metadata?.event_type === SLACK_METADATA_EVENT && (message.metadata.event_payload as Record<string, unknown> | undefined)?.alert_id === alertId,
        );
        return { ts: posted?.ts ?? null };
      } catch (error) {
        return classifySlackError(error);
      }
    },
  };
}
