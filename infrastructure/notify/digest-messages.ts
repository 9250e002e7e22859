/**
 * The weekly digest's messages (issue 18, item 5) and their thin sender. The builders are pure: a Digest
 * (domain/digest/digest.ts) becomes Slack blocks with a text fallback, or an email's HTML and text. Repository names,
 * file paths and pull-request titles are untrusted and escaped for each channel's markup, as the alert builders do
 * (messages.ts). The sender reuses the alert senders (Slack Web API, Slack incoming webhooks through the SSRF guard,
 * Resend with an idempotency key); PagerDuty pages people and takes no digest.
 */
import { digestAsText, type Digest, type DigestLink } from "../../domain/digest/digest.ts";
import type { ChannelConfig } from "./channels.ts";
import { createEmailSender } from "./email.ts";
import { escapeHtml, escapeSlackText, singleLine, SLACK_METADATA_EVENT, type EmailMessage, type SlackMessage } from "./messages.ts";
import type { NotifierOptions } from "./notifier.ts";
import type { DeliveryOutcome } from "./outcome.ts";
import { createSlackSender } from "./slack.ts";
import { postSlackWebhook } from "./slack-webhook.ts";
import { createGuardedFetch } from "./ssrf.ts";

/** The dashboard URL of a digest link, or null without PUBLIC_URL (then the message carries no links). */
export function digestLinkUrl(publicUrl: string | undefined, link: DigestLink): string | null {
  if (!publicUrl) return null;
  const url = new URL(link.path.replace(/^\/+/, ""), publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`);
  return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
}

/**
 * The key a digest's Slack message carries in its metadata, and its email's idempotency key: one per channel and
 * week. It sits in the alert metadata's `alert_id` slot so the Slack sender's history look-up (findPostedMessage)
 * finds a digest an earlier, unanswered attempt posted, without a second look-up function.
 */
export function digestMessageKey(channelId: string, weekStart: string): string {
  return `digest-${weekStart}-${channelId}`;
}

const SLACK_SECTION_LIMIT = 2900;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function buildDigestSlackMessage(digest: Digest, options: { publicUrl: string | undefined; channelId: string }): SlackMessage {
  const link = (target: DigestLink | null) => (target ? digestLinkUrl(options.publicUrl, target) : null);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: truncate(singleLine(digest.title, 300), 150), emoji: false } },
    { type: "section", text: { type: "mrkdwn", text: escapeSlackText(digest.summary) } },
  ];
  for (const section of digest.sections) {
    const url = link(section.link);
    const body = [`*${escapeSlackText(section.heading)}*`, ...section.lines.map((line) => `• ${escapeSlackText(line)}`)];
    if (url) body.push(`<${url}|${escapeSlackText(section.link!.label)}>`);
    blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(body.join("\n"), SLACK_SECTION_LIMIT) } });
  }
  const overview = digestLinkUrl(options.publicUrl, { label: "Open Sentinel", path: "/dashboard" });
  return {
    text: escapeSlackText(truncate(`${singleLine(digest.title, 300)}: ${digest.summary}`, 3000)) + (overview ? ` <${overview}|Open Sentinel>` : ""),
    blocks,
    metadata: { event_type: SLACK_METADATA_EVENT, event_payload: { alert_id: digestMessageKey(options.channelId, digest.week.start), channel_id: options.channelId } },
  };
}

export function buildDigestEmailMessage(digest: Digest, options: { publicUrl: string | undefined }): EmailMessage {
  const link = (target: DigestLink | null) => (target ? digestLinkUrl(options.publicUrl, target) : null);
  const html = [
    "<!doctype html>",
    '<html><body style="font-family:system-ui,sans-serif;color:#111">',
    `<h2 style="margin:0 0 8px">${escapeHtml(digest.title)}</h2>`,
    `<p>${escapeHtml(digest.summary)}</p>`,
    ...digest.sections.flatMap((section) => {
      const url = link(section.link);
      return [
        `<h3 style="margin:16px 0 4px">${escapeHtml(section.heading)}</h3>`,
        `<ul>${section.lines.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>`,
        ...(url ? [`<p><a href="${escapeHtml(url)}">${escapeHtml(section.link!.label)}</a></p>`] : []),
      ];
    }),
    "</body></html>",
  ].join("\n");
  return { subject: singleLine(digest.title, 200), html, text: digestAsText(digest, (target) => link(target)) };
}

/** Channels that take a digest: PagerDuty pages someone, and a weekly summary is nobody's emergency. */
export const DIGEST_CHANNEL_KINDS = ["slack", "email"] as const;
export type DigestChannelKind = (typeof DIGEST_CHANNEL_KINDS)[number];

export interface DigestSender {
  send(channel: { id: string } & ChannelConfig, digest: Digest, context: { mayHaveBeenAccepted: boolean; since: Date }): Promise<DeliveryOutcome>;
}

export function createDigestSender(options: NotifierOptions & { publicUrl?: string | undefined }): DigestSender {
  const slack = createSlackSender({ apiUrl: options.slackApiUrl, token: options.slackBotToken, timeoutMs: options.timeoutMs });
  const email = createEmailSender({ baseUrl: options.resendBaseUrl, apiKey: options.resendApiKey, from: options.emailFrom });
  const guardedFetch = createGuardedFetch(options.ssrf);
  return {
    async send(channel, digest, context) {
      const key = digestMessageKey(channel.id, digest.week.start);
      switch (channel.kind) {
        case "slack": {
          const message = buildDigestSlackMessage(digest, { publicUrl: options.publicUrl, channelId: channel.id });
          if ("webhookUrl" in channel.config) {
            return postSlackWebhook(channel.config.webhookUrl, message, { allowedHosts: options.ssrf?.allowedHosts, fetch: guardedFetch, timeoutMs: options.timeoutMs });
          }
          if (context.mayHaveBeenAccepted) {
            const found = await slack.findPostedMessage(channel.config.channelId, key, Math.floor(context.since.getTime() / 1000) - 60);
            if ("kind" in found) return found;
            if (found.ts) return { kind: "sent", externalId: found.ts };
          }
          return slack.postMessage(channel.config.channelId, message);
        }
        case "email":
          return email.send(channel.config.to, buildDigestEmailMessage(digest, { publicUrl: options.publicUrl }), `sentinel-${key}`);
        case "pagerduty":
          return { kind: "permanent", error: "PagerDuty channels take no weekly digest" };
      }
    },
  };
}
