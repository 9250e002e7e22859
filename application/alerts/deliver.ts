import { and, eq, sql } from "drizzle-orm";
import { alertReason } from "../../domain/alerts/reason.ts";
import type { Database, Transaction } from "../../infrastructure/db/client.ts";
import { alertDeliveries, alerts, notificationChannels, repositories } from "../../infrastructure/db/schema/index.ts";
import { parseChannelConfig } from "../../infrastructure/notify/channels.ts";
import { alertLink, type AlertMessageInput } from "../../infrastructure/notify/messages.ts";
import type { Notifier } from "../../infrastructure/notify/notifier.ts";
import type { DeliveryOutcome } from "../../infrastructure/notify/outcome.ts";
import { PermanentJobError, RetryLaterError } from "../../infrastructure/queue/errors.ts";
import { refreshDeliverySummary } from "./record-alert.ts";

export interface DeliveryDeps {
  db: Database;
  notifier: Notifier;
  publicUrl?: string | undefined;
  now?: () => Date;
  /** SENTINEL_SECRET_KEY: decrypts channel secrets stored encrypted. */
  secretKey?: string | undefined;
  /** Total attempts the job was enqueued with: on the last one a transient failure marks the delivery failed. */
  maxAttempts: number;
}

export type DeliveryJobResult = { status: "sent" | "already-sent" | "already-failed"; externalId?: string | null };

/** Raised for 5xx / network failures: not a typed queue error, so the job is retried with its backoff. */
export class TransientDeliveryError extends Error {
  override readonly name = "TransientDeliveryError";
}

async function loadDelivery(db: Database, alertId: string, channelId: string) {
  const [row] = await db
    .select({
      status: alertDeliveries.status,
      attempts: alertDeliveries.attempts,
      lastError: alertDeliveries.lastError,
      alertOrgId: alerts.orgId,
      rule: alerts.rule,
      severity: alerts.severity,
      title: alerts.title,
      details: alerts.details,
      triggeredAt: alerts.triggeredAt,
      repoFullName: repositories.fullName,
      channelOrgId: notificationChannels.orgId,
      channelKind: notificationChannels.kind,
      channelConfig: notificationChannels.config,
      channelEnabled: notificationChannels.enabled,
    })
    .from(alertDeliveries)
    .innerJoin(alerts, eq(alerts.id, alertDeliveries.alertId))
    .innerJoin(notificationChannels, eq(notificationChannels.id, alertDeliveries.channelId))
    .leftJoin(repositories, eq(repositories.id, alerts.repoId))
    .where(and(eq(alertDeliveries.alertId, alertId), eq(alertDeliveries.channelId, channelId)));
  return row ?? null;
}

export function alertMessageInput(
  alert: { id: string; rule: string; severity: "info" | "warning" | "critical"; title: string; details: Record<string, unknown>; triggeredAt: Date; repoFullName: string | null },
  publicUrl: string | undefined,
): AlertMessageInput {
  return {
    alertId: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    // The same sentence as the alerts list and the alert page (domain/alerts/reason.ts).
    message: alertReason(alert),
    repoFullName: alert.repoFullName,
    triggeredAt: alert.triggeredAt,
    link: alertLink(publicUrl, alert.id),
  };
}

/**
 * One notification job: one alert to one channel. The delivery row is the idempotency record — a job that finds
 * it settled does nothing (a duplicate or re-run job never sends twice) — and it counts attempts and keeps the
 * last error. 429 → RetryLaterError (no attempt consumed); 5xx / network → thrown for backoff, and failed on the
 * last attempt; 4xx → failed at once, not retried. A channel that is down only delays its own jobs.
 */
export async function deliverAlertNotification(
  deps: DeliveryDeps,
  target: { alertId: string; channelId: string },
  job: { attemptsMade: number },
): Promise<DeliveryJobResult> {
  const now = () => deps.now?.() ?? new Date();
  const row = await loadDelivery(deps.db, target.alertId, target.channelId);
  if (!row) throw new PermanentJobError(`delivery of alert ${target.alertId} to channel ${target.channelId} no longer exists`);
  if (row.status === "sent") return { status: "already-sent" };
  if (row.status === "failed") return { status: "already-failed" };

  const settle = async (status: "sent" | "failed", fields: { externalId?: string | null; lastError?: string | null }) => {
    const at = now();
    await withAlertLocked(deps.db, target.alertId, async (tx) => {
      await tx
        .update(alertDeliveries)
        .set({ status, externalId: fields.externalId ?? null, lastError: fields.lastError ?? null, sentAt: status === "sent" ? at : null, updatedAt: at })
        .where(and(eq(alertDeliveries.alertId, target.alertId), eq(alertDeliveries.channelId, target.channelId), eq(alertDeliveries.status, "pending")));
      await refreshDeliverySummary(tx, target.alertId, at);
    });
  };

  // Tenancy: a channel of another organisation must never receive this alert, whatever the job data says.
  if (row.channelOrgId !== row.alertOrgId) {
    await settle("failed", { lastError: "channel belongs to another organisation" });
    throw new PermanentJobError(`channel ${target.channelId} does not belong to the alert's organisation`);
  }
  if (!row.channelEnabled) {
    await settle("failed", { lastError: "channel disabled before delivery" });
    return { status: "already-failed" };
  }
  const config = parseChannelConfig(row.channelKind, row.channelConfig, deps.secretKey);
  if (!config.ok) {
    const error = `channel configuration is invalid: ${Object.entries(config.fieldErrors).map(([field, message]) => `${field} ${message}`).join("; ")}`;
    await settle("failed", { lastError: error });
    throw new PermanentJobError(error);
  }

  const previousAttempts = row.attempts;
  await deps.db
    .update(alertDeliveries)
    .set({ attempts: sql`${alertDeliveries.attempts} + 1`, updatedAt: now() })
    .where(and(eq(alertDeliveries.alertId, target.alertId), eq(alertDeliveries.channelId, target.channelId), eq(alertDeliveries.status, "pending")));

  const message = alertMessageInput(
    { id: target.alertId, rule: row.rule, severity: row.severity, title: row.title, details: row.details, triggeredAt: row.triggeredAt, repoFullName: row.repoFullName },
    deps.publicUrl,
  );
  const outcome: DeliveryOutcome = await deps.notifier.deliver({ id: target.channelId, ...config.channel }, message, {
    mayHaveBeenAccepted: previousAttempts > 0,
    since: row.triggeredAt,
  });

  switch (outcome.kind) {
    case "sent":
      await settle("sent", { externalId: outcome.externalId });
      return { status: "sent", externalId: outcome.externalId };
    case "permanent":
      await settle("failed", { lastError: outcome.error });
      throw new PermanentJobError(outcome.error);
    case "rate-limited":
      await recordError(deps, target, outcome.error, now());
      throw new RetryLaterError(outcome.retryAfterMs, outcome.error);
    case "transient":
      if (job.attemptsMade + 1 >= deps.maxAttempts) {
        await settle("failed", { lastError: `${outcome.error} (gave up after ${job.attemptsMade + 1} attempts)` });
        throw new PermanentJobError(outcome.error);
      }
      await recordError(deps, target, outcome.error, now());
      throw new TransientDeliveryError(outcome.error);
  }
}

async function recordError(deps: DeliveryDeps, target: { alertId: string; channelId: string }, error: string, at: Date): Promise<void> {
  await withAlertLocked(deps.db, target.alertId, async (tx) => {
    await tx
      .update(alertDeliveries)
      .set({ lastError: error, updatedAt: at })
      .where(and(eq(alertDeliveries.alertId, target.alertId), eq(alertDeliveries.channelId, target.channelId), eq(alertDeliveries.status, "pending")));
    await refreshDeliverySummary(tx, target.alertId, at);
  });
}

/**
 * Channels of one alert settle concurrently (one job each). Without serialising them, two channels settling at
 * once would each still see the other pending, and `sent_at` would never be set: the alert row's lock orders them.
 */
async function withAlertLocked(db: Database, alertId: string, run: (tx: Transaction) => Promise<void>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.select({ id: alerts.id }).from(alerts).where(eq(alerts.id, alertId)).for("update");
    await run(tx);
  });
}
