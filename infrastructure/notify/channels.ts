import { z } from "zod";
import type { ChannelKind } from "../../domain/alerts/channel-kinds.ts";
import { openChannelConfig, SecretDecryptionError } from "./secrets.ts";
import { checkSlackWebhookUrl } from "./slack-webhook.ts";
import { checkOutboundUrl, type SsrfOptions } from "./ssrf.ts";

/** Kind-specific `notification_channels.config`, validated on save and again before every send. */
export const slackChannelConfig = z.union([
  z.object({
    channelId: z.string().trim().regex(/^[CGD][A-Z0-9]{6,}$/, "must be a Slack channel id such as C0123456789 (channel details → bottom of the About tab)"),
  }),
  z.object({
    /** An incoming-webhook URL (no bot token needed); user-entered, so checked against SSRF. */
    webhookUrl: z.string().trim().url("must be a Slack incoming-webhook URL"),
  }),
]);
export const emailChannelConfig = z.object({
  to: z.array(z.string().trim().email("must be email addresses")).min(1, "add at least one address").max(20, "at most 20 addresses"),
});
export const pagerDutyChannelConfig = z.object({
  routingKey: z.string().trim().regex(/^[A-Za-z0-9]{32}$/, "must be the 32-character integration key of an Events API v2 integration"),
});

export type { ChannelKind };

/** Each kind's config schema: a kind without one does not compile (the record names every ChannelKind). */
const CHANNEL_CONFIGS = { slack: slackChannelConfig, email: emailChannelConfig, pagerduty: pagerDutyChannelConfig } as const satisfies Record<ChannelKind, z.ZodType>;

export type ChannelConfig = { [K in ChannelKind]: { kind: K; config: z.infer<(typeof CHANNEL_CONFIGS)[K]> } }[ChannelKind];

export type ChannelConfigResult = { ok: true; channel: ChannelConfig } | { ok: false; fieldErrors: Record<string, string> };

function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) errors[issue.path.join(".") || "config"] ??= issue.message;
  return errors;
}

/** `secretKey` (SENTINEL_SECRET_KEY) decrypts the secret fields stored encrypted (secrets.ts) before validation. */
export function parseChannelConfig(kind: ChannelKind, config: unknown, secretKey?: string): ChannelConfigResult {
  const schema: z.ZodType = CHANNEL_CONFIGS[kind];
  let opened: unknown;
  try {
    opened = openChannelConfig(kind, config, secretKey);
  } catch (error) {
    if (error instanceof SecretDecryptionError) return { ok: false, fieldErrors: { config: error.message } };
    throw error;
  }
  const parsed = schema.safeParse(opened);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrors(parsed.error) };
  return { ok: true, channel: { kind, config: parsed.data } as ChannelConfig };
}

/** For the settings page's save: shape first, then the SSRF check of any URL the user typed. */
export async function validateChannelConfig(kind: ChannelKind, config: unknown, ssrf: SsrfOptions = {}): Promise<ChannelConfigResult> {
  const parsed = parseChannelConfig(kind, config);
  if (!parsed.ok) return parsed;
  if (parsed.channel.kind === "slack" && "webhookUrl" in parsed.channel.config) {
    // Slack's hosts first (no DNS needed), then the addresses the host resolves to now; sending checks them again.
    const slack = checkSlackWebhookUrl(parsed.channel.config.webhookUrl, ssrf);
    const check = slack.ok ? await checkOutboundUrl(parsed.channel.config.webhookUrl, ssrf) : slack;
    if (!check.ok) return { ok: false, fieldErrors: { webhookUrl: `webhook URL ${check.reason}` } };
  }
  return parsed;
}
