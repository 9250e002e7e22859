import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import type { JobQueue } from "../../domain/ports.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { alertDeliveries, alerts, notificationChannels } from "../../infrastructure/db/schema/index.ts";
import { parseChannelConfig } from "../../infrastructure/notify/channels.ts";
import type { Notifier } from "../../infrastructure/notify/notifier.ts";
import { PermanentJobError, RetryLaterError } from "../../infrastructure/queue/errors.ts";
import { ACKNOWLEDGE_PAGERDUTY_JOB, JOB_CATALOG } from "../job-catalog.ts";
import { TransientDeliveryError } from "./deliver.ts";

export type AcknowledgeAlertResult =
  | { ok: true; acknowledgedAt: Date; acknowledgedBy: string | null; alreadyAcknowledged: boolean; pagerDutyAcknowledgements: number }
  | { ok: false; code: "ALERT_NOT_FOUND" };

/**
 * Acknowledges an alert of `orgId` (another organisation's alert, or a malformed id, is ALERT_NOT_FOUND — never a
 * hint that it exists) and enqueues a PagerDuty `acknowledge` for every PagerDuty channel the alert went or is
 * going to. Acknowledging twice keeps the first who and when.
 */
export async function acknowledgeAlert(
  deps: { db: Database; queue: JobQueue; now?: () => Date },
  orgId: string,
  alertId: string,
  userId: string | null,
): Promise<AcknowledgeAlertResult> {
  if (!z.string().uuid().safeParse(alertId).success || !z.string().uuid().safeParse(orgId).success) return { ok: false, code: "ALERT_NOT_FOUND" };
  const now = deps.now?.() ?? new Date();
  const [updated] = await deps.db
    .update(alerts)
    .set({ acknowledgedAt: now, acknowledgedBy: userId })
    .where(and(eq(alerts.id, alertId), eq(alerts.orgId, orgId), isNull(alerts.acknowledgedAt)))
    .returning({ acknowledgedAt: alerts.acknowledgedAt, acknowledgedBy: alerts.acknowledgedBy });
  if (!updated) {
    const [existing] = await deps.db
      .select({ acknowledgedAt: alerts.acknowledgedAt, acknowledgedBy: alerts.acknowledgedBy })
      .from(alerts)
      .where(and(eq(alerts.id, alertId), eq(alerts.orgId, orgId)));
    if (!existing) return { ok: false, code: "ALERT_NOT_FOUND" };
    return { ok: true, acknowledgedAt: existing.acknowledgedAt!, acknowledgedBy: existing.acknowledgedBy, alreadyAcknowledged: true, pagerDutyAcknowledgements: 0 };
  }
  const pagerDutyChannels = await deps.db
    .select({ channelId: alertDeliveries.channelId })
    .from(alertDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, alertDeliveries.channelId))
    .where(
      and(
        eq(alertDeliveries.alertId, alertId),
        eq(notificationChannels.orgId, orgId),
        eq(notificationChannels.kind, "pagerduty"),
        inArray(alertDeliveries.status, ["pending", "sent"]),
      ),
    );
  for (const { channelId } of pagerDutyChannels) {
    await deps.queue.enqueue(
      "notifications",
      ACKNOWLEDGE_PAGERDUTY_JOB,
      { alertId, channelId },
      { jobId: JOB_CATALOG[ACKNOWLEDGE_PAGERDUTY_JOB].id(alertId, channelId), attempts: 10, backoff: { type: "exponential", delayMs: 10_000 } },
    );
  }
  return { ok: true, acknowledgedAt: updated.acknowledgedAt!, acknowledgedBy: updated.acknowledgedBy, alreadyAcknowledged: false, pagerDutyAcknowledgements: pagerDutyChannels.length };
}

/**
 * The `acknowledge-pagerduty` job. Waits (without spending attempts) while the trigger is still pending — an
 * acknowledge PagerDuty receives before the trigger would be dropped — and does nothing if the trigger failed.
 */
export async function sendPagerDutyAcknowledge(
  deps: { db: Database; notifier: Notifier; secretKey?: string | undefined },
  target: { alertId: string; channelId: string },
): Promise<{ status: "acknowledged" | "trigger-failed" }> {
  const [row] = await deps.db
    .select({ status: alertDeliveries.status, kind: notificationChannels.kind, config: notificationChannels.config, channelOrgId: notificationChannels.orgId, alertOrgId: alerts.orgId })
    .from(alertDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, alertDeliveries.channelId))
    .innerJoin(alerts, eq(alerts.id, alertDeliveries.alertId))
    .where(and(eq(alertDeliveries.alertId, target.alertId), eq(alertDeliveries.channelId, target.channelId)));
  if (!row || row.channelOrgId !== row.alertOrgId) throw new PermanentJobError(`no PagerDuty delivery of alert ${target.alertId} to channel ${target.channelId}`);
  if (row.status === "failed") return { status: "trigger-failed" };
  if (row.status === "pending") throw new RetryLaterError(5_000, "the trigger has not been delivered yet");
  const config = parseChannelConfig(row.kind, row.config, deps.secretKey);
  if (!config.ok) throw new PermanentJobError("PagerDuty channel configuration is invalid");
  const outcome = await deps.notifier.acknowledge({ id: target.channelId, ...config.channel }, target.alertId);
  switch (outcome.kind) {
    case "sent":
      return { status: "acknowledged" };
    case "permanent":
      throw new PermanentJobError(outcome.error);
    case "rate-limited":
      throw new RetryLaterError(outcome.retryAfterMs, outcome.error);
    case "transient":
      throw new TransientDeliveryError(outcome.error);
  }
}
