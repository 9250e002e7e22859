import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../infrastructure/db/client.ts";
import { notificationChannels } from "../../infrastructure/db/schema/index.ts";
import { parseChannelConfig } from "../../infrastructure/notify/channels.ts";
import type { Notifier } from "../../infrastructure/notify/notifier.ts";

export type TestNotificationResult =
  | { ok: true; externalId: string | null }
  | { ok: false; code: "CHANNEL_NOT_FOUND" }
  | { ok: false; code: "INVALID_CONFIG"; fieldErrors: Record<string, string> }
  | { ok: false; code: "DELIVERY_FAILED"; error: string; retryable: boolean };

/**
 * "Send test notification" on the settings page: one message, sent now (not queued, so the person clicking sees
 * the answer), through the same builders and senders as real alerts. Every click is its own message (its own
 * Idempotency-Key and dedup_key); nothing is stored.
 */
export async function sendTestNotification(
  deps: { db: Database; notifier: Notifier; publicUrl?: string | undefined; secretKey?: string | undefined; now?: () => Date },
  orgId: string,
  channelId: string,
): Promise<TestNotificationResult> {
  if (!z.string().uuid().safeParse(channelId).success) return { ok: false, code: "CHANNEL_NOT_FOUND" };
  const [channel] = await deps.db
    .select({ id: notificationChannels.id, kind: notificationChannels.kind, name: notificationChannels.name, config: notificationChannels.config })
    .from(notificationChannels)
    .where(and(eq(notificationChannels.id, channelId), eq(notificationChannels.orgId, orgId)));
  if (!channel) return { ok: false, code: "CHANNEL_NOT_FOUND" };
  const config = parseChannelConfig(channel.kind, channel.config, deps.secretKey);
  if (!config.ok) return { ok: false, code: "INVALID_CONFIG", fieldErrors: config.fieldErrors };
  const now = deps.now?.() ?? new Date();
  const testId = `test-${channel.id}-${now.getTime()}`;
  const outcome = await deps.notifier.deliver(
    { id: channel.id, ...config.channel },
    {
      alertId: testId,
      rule: "test",
      severity: "info",
      title: `Sentinel test notification for ${channel.name}`,
      message: "If you can read this, Sentinel can deliver alerts to this channel.",
      repoFullName: null,
      triggeredAt: now,
      link: deps.publicUrl ? new URL("settings/channels", deps.publicUrl.endsWith("/") ? deps.publicUrl : `${deps.publicUrl}/`).toString() : null,
      test: true,
    },
    { mayHaveBeenAccepted: false, since: now },
  );
  if (outcome.kind === "sent") return { ok: true, externalId: outcome.externalId };
  return { ok: false, code: "DELIVERY_FAILED", error: outcome.error, retryable: outcome.kind !== "permanent" };
}
