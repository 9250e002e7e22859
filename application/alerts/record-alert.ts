import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { AlertCandidate } from "../../domain/alerts/rules.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { alertDedup, alertDeliveries, alerts, notificationChannels } from "../../infrastructure/db/schema/index.ts";

/** The same rule for the same repository alerts at most once per this window (ADR 040). */
export const ALERT_DEDUP_WINDOW_HOURS = 24;

export type RecordAlertResult =
  | { created: true; alertId: string; channelIds: string[] }
  /** Another alert of the same rule and repository fired within 24 h: `alertId` is that alert. */
  | { created: false; alertId: string | null };

export const repoKeyOf = (repoId: string | null) => repoId ?? "org";

/**
 * Turns a candidate into an alert unless the (organisation, rule, repository) slot was claimed within the last
 * 24 hours. The claim is one conditional upsert on the slot's primary key: two evaluations racing for it
 * serialise on the row lock, and the second sees the first's committed timestamp in the WHERE and gets no row —
 * so exactly one creates the alert and its pending deliveries (one per enabled channel), all in one transaction.
 */
export async function recordAlert(db: Executor, orgId: string, candidate: AlertCandidate, now: Date): Promise<RecordAlertResult> {
  return db.transaction(async (tx) => {
    const alertId = randomUUID();
    const repoKey = repoKeyOf(candidate.repoId);
    const claimed = await tx
      .insert(alertDedup)
      .values({ orgId, rule: candidate.rule, repoKey, alertId, lastTriggeredAt: now })
      .onConflictDoUpdate({
        target: [alertDedup.orgId, alertDedup.rule, alertDedup.repoKey],
        set: { alertId: sql`excluded.alert_id`, lastTriggeredAt: sql`excluded.last_triggered_at` },
        setWhere: sql`${alertDedup.lastTriggeredAt} <= excluded.last_triggered_at - make_interval(hours => ${ALERT_DEDUP_WINDOW_HOURS})`,
      })
      .returning({ alertId: alertDedup.alertId });
    if (claimed.length === 0) {
      const [existing] = await tx
        .select({ alertId: alertDedup.alertId })
        .from(alertDedup)
        .where(and(eq(alertDedup.orgId, orgId), eq(alertDedup.rule, candidate.rule), eq(alertDedup.repoKey, repoKey)));
      return { created: false as const, alertId: existing?.alertId ?? null };
    }

    await tx.insert(alerts).values({
      id: alertId,
      orgId,
      repoId: candidate.repoId,
      rule: candidate.rule,
      severity: candidate.severity,
      title: candidate.title,
      details: { ...candidate.details, message: candidate.message },
      triggeredAt: now,
    });
    const channels = await tx
      .select({ id: notificationChannels.id, kind: notificationChannels.kind, name: notificationChannels.name })
      .from(notificationChannels)
      .where(and(eq(notificationChannels.orgId, orgId), eq(notificationChannels.enabled, true)));
    if (channels.length > 0) {
      await tx.insert(alertDeliveries).values(channels.map((channel) => ({ alertId, channelId: channel.id, updatedAt: now })));
    }
    await refreshDeliverySummary(tx, alertId, now);
    return { created: true as const, alertId, channelIds: channels.map((channel) => channel.id) };
  });
}

/**
 * Rewrites `alerts.delivery_status` from the authoritative `alert_deliveries` rows and stamps `sent_at` once no
 * channel is pending any more (sent or failed: settled). An alert without channels is settled at once.
 */
export async function refreshDeliverySummary(db: Executor, alertId: string, now: Date): Promise<void> {
  await db.execute(sql`
    update alerts set
      delivery_status = coalesce((
        select jsonb_object_agg(d.channel_id::text, jsonb_build_object(
          'kind', c.kind, 'name', c.name, 'status', d.status, 'attempts', d.attempts,
          'lastError', d.last_error, 'externalId', d.external_id, 'sentAt', d.sent_at))
        from alert_deliveries d join notification_channels c on c.id = d.channel_id
        where d.alert_id = ${alertId}
      ), '{}'::jsonb),
      sent_at = case
        when sent_at is null and not exists (select 1 from alert_deliveries where alert_id = ${alertId} and status = 'pending') then ${now.toISOString()}::timestamptz
        else sent_at
      end
    where id = ${alertId}`);
}
