import { Resend } from "resend";
import type { EmailMessage } from "./messages.ts";
import { classifyHttpStatus, parseRetryAfter, type DeliveryOutcome } from "./outcome.ts";

/**
 * Thin email sender over the `resend` SDK. The SDK never throws: it returns `{ data, error }`, and `error` is
 * checked here (an unchecked error would be a silent success). Every send carries an `Idempotency-Key` built from
 * alert and channel, so a retry after a lost answer cannot send a second email (Resend keeps keys 24 h).
 */

export interface EmailSenderOptions {
  /** RESEND_BASE_URL (trusted: from the environment); the SDK's default is https://api.resend.com. */
  baseUrl?: string;
  apiKey: string | undefined;
  from: string | undefined;
}

export interface EmailSender {
  readonly configured: boolean;
  send(to: string[], message: EmailMessage, idempotencyKey: string): Promise<DeliveryOutcome>;
}

export function emailIdempotencyKey(alertId: string, channelId: string): string {
  return `sentinel-alert-${alertId}-${channelId}`;
}

export function createEmailSender(options: EmailSenderOptions): EmailSender {
  const client = options.apiKey ? new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, "") } : undefined) : null;
  return {
    configured: client !== null && Boolean(options.from),
    async send(to, message, idempotencyKey) {
      if (!client || !options.from) return { kind: "permanent", error: "email is not configured (set RESEND_API_KEY and ALERT_EMAIL_FROM)" };
      const { data, error, headers } = await client.emails.send(
        { from: options.from, to, subject: message.subject, html: message.html, text: message.text },
        { idempotencyKey },
      );
      if (!error) return { kind: "sent", externalId: data?.id ?? null };
      const status = (error as { statusCode?: number | null }).statusCode ?? null;
      // Resend's error name is a code from its documented list; its message is free text and is not kept.
      const code = /^[a-z_]{1,60}$/.test(error.name) ? error.name : "error";
      const description = `Resend: ${code}${status ? ` (HTTP ${status})` : ""}`;
      // No status: the request never got an answer (network, timeout) — the idempotency key makes a retry safe.
      if (status === null) return { kind: "transient", error: description };
      const kind = classifyHttpStatus(status);
      if (kind === "rate-limited") return { kind, retryAfterMs: parseRetryAfter(headers?.["retry-after"], 1_000), error: description };
      // Resend answers 409 while a request with the same key is still being processed: try again shortly.
      if (status === 409 && error.name === "concurrent_idempotent_requests") return { kind: "transient", error: description };
      return { kind, error: description };
    },
  };
}
