/**
 * The notification channel kinds, listed once. Everything that varies by kind is a `Record<ChannelKind, …>` or an
 * exhaustive switch (see assertNever), so adding a kind here fails to compile until every place handles it: the
 * config schemas and parsing (infrastructure/notify/channels.ts), the secret fields (secrets.ts), the settings
 * form (application/notifications/channel-settings.server.ts, app/routes/settings.channels.tsx), delivery (notifier.ts), the stored column's enum.
 * channel-kinds.test.ts shows the compiler refusing a record or a switch that misses a kind.
 */
export const CHANNEL_KINDS = ["slack", "email", "pagerduty"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** How the settings page names each kind. */
export const CHANNEL_KIND_LABELS: Record<ChannelKind, string> = { slack: "Slack", email: "Email", pagerduty: "PagerDuty" };

/** The `default:` of a switch over a union: it compiles only when every member has its case. */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`unexpected ${what}: ${String(value)}`);
}
