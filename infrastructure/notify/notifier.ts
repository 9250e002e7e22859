import { assertNever } from "../../domain/alerts/channel-kinds.ts";
import type { ChannelConfig } from "./channels.ts";
import { createEmailSender, emailIdempotencyKey, type EmailSender } from "./email.ts";
import {
  buildEmailMessage,
  buildPagerDutyAcknowledge,
  buildPagerDutyTrigger,
  buildSlackMessage,
  type AlertMessageInput,
} from "./messages.ts";
import type { DeliveryOutcome } from "./outcome.ts";
import { createPagerDutySender, type PagerDutySender } from "./pagerduty.ts";
import { createSlackSender, type SlackSender } from "./slack.ts";
import { postSlackWebhook } from "./slack-webhook.ts";
import { createGuardedFetch, type SsrfOptions } from "./ssrf.ts";

/** The notifier channels port: one `deliver` for every kind; the delivery use-case owns retries and status. */
export interface Notifier {
  deliver(channel: { id: string } & ChannelConfig, alert: AlertMessageInput, context: DeliveryContext): Promise<DeliveryOutcome>;
  acknowledge(channel: { id: string } & ChannelConfig, alertId: string): Promise<DeliveryOutcome>;
}

export interface DeliveryContext {
  /** An earlier attempt may have been accepted without Sentinel hearing back (timeout, 5xx after acceptance). */
  mayHaveBeenAccepted: boolean;
  /** Look for an earlier copy of the message from this instant on (Slack history). */
  since: Date;
}

export interface NotifierOptions {
  slackApiUrl: string;
  slackBotToken?: string;
  resendBaseUrl?: string;
  resendApiKey?: string;
  emailFrom?: string;
  pagerDutyEventsUrl: string;
  timeoutMs?: number;
  ssrf?: SsrfOptions;
}

export function notifierOptionsFromEnv(env: {
  SLACK_API_URL: string;
  SLACK_BOT_TOKEN?: string | undefined;
  RESEND_BASE_URL?: string | undefined;
  RESEND_API_KEY?: string | undefined;
  ALERT_EMAIL_FROM?: string | undefined;
  PAGERDUTY_EVENTS_URL: string;
  NOTIFY_ALLOWED_HOSTS: string[];
}): NotifierOptions {
  return {
    slackApiUrl: env.SLACK_API_URL,
    ...(env.SLACK_BOT_TOKEN ? { slackBotToken: env.SLACK_BOT_TOKEN } : {}),
    ...(env.RESEND_BASE_URL ? { resendBaseUrl: env.RESEND_BASE_URL } : {}),
    ...(env.RESEND_API_KEY ? { resendApiKey: env.RESEND_API_KEY } : {}),
    ...(env.ALERT_EMAIL_FROM ? { emailFrom: env.ALERT_EMAIL_FROM } : {}),
    pagerDutyEventsUrl: env.PAGERDUTY_EVENTS_URL,
    ssrf: { allowedHosts: env.NOTIFY_ALLOWED_HOSTS },
  };
}

export function createNotifier(options: NotifierOptions): Notifier {
  const slack: SlackSender = createSlackSender({ apiUrl: options.slackApiUrl, token: options.slackBotToken, timeoutMs: options.timeoutMs });
  const email: EmailSender = createEmailSender({ baseUrl: options.resendBaseUrl, apiKey: options.resendApiKey, from: options.emailFrom });
  const pagerDuty: PagerDutySender = createPagerDutySender({ eventsUrl: options.pagerDutyEventsUrl, timeoutMs: options.timeoutMs });
  // Tenant-typed URLs (Slack incoming webhooks) go through the SSRF-guarded fetch; the operator's base URLs do not.
  const guardedFetch = createGuardedFetch(options.ssrf);
  return {
    async deliver(channel, alert, context) {
      switch (channel.kind) {
        case "slack": {
          const message = buildSlackMessage(alert, channel.id);
          if ("webhookUrl" in channel.config) {
            return postSlackWebhook(channel.config.webhookUrl, message, { allowedHosts: options.ssrf?.allowedHosts, fetch: guardedFetch, timeoutMs: options.timeoutMs });
          }
          const channelId = channel.config.channelId;
          if (context.mayHaveBeenAccepted) {
            // Slack has no idempotency key: before posting again, look for the copy an earlier attempt may have left.
            const found = await slack.findPostedMessage(channelId, alert.alertId, Math.floor(context.since.getTime() / 1000) - 60);
            if ("kind" in found) return found;
            if (found.ts) return { kind: "sent", externalId: found.ts };
          }
          return slack.postMessage(channelId, message);
        }
        case "email":
          return email.send(channel.config.to, buildEmailMessage(alert), emailIdempotencyKey(alert.alertId, channel.id));
        case "pagerduty":
          return pagerDuty.send(buildPagerDutyTrigger(alert, channel.config.routingKey));
        default:
          return assertNever(channel, "channel kind");
      }
    },
    async acknowledge(channel, alertId) {
      if (channel.kind !== "pagerduty") return { kind: "permanent", error: `${channel.kind} channels have nothing to acknowledge` };
      return pagerDuty.send(buildPagerDutyAcknowledge(alertId, channel.config.routingKey));
    },
  };
}
