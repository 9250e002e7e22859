import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../infrastructure/db/client.ts";
import { alerts } from "../../infrastructure/db/schema/index.ts";

export type AcknowledgeAlertResult = { ok: true; acknowledgedAt: string; alreadyAcknowledged: boolean } | { ok: false; code: "ALERT_NOT_FOUND" };

/**
 * Tenant-scoped acknowledgement (the alerts engineer's `acknowledgeAlert` in infrastructure/alerts/ replaces this
 * once it lands). Acknowledging twice keeps the first acknowledgement.
 */
export async function acknowledgeAlert(db: Executor, orgId: string, alertId: string, userId: string | null, now: Date): Promise<AcknowledgeAlertResult> {
  if (!z.string().uuid().safeParse(alertId).success) return { ok: false, code: "ALERT_NOT_FOUND" };
  const [updated] = await db
    .update(alerts)
    .set({ acknowledgedAt: now, acknowledgedBy: userId })
    .where(and(eq(alerts.id, alertId), eq(alerts.orgId, orgId), isNull(alerts.acknowledgedAt)))
    .returning({ acknowledgedAt: alerts.acknowledgedAt });
  if (updated?.acknowledgedAt) return { ok: true, acknowledgedAt: updated.acknowledgedAt.toISOString(), alreadyAcknowledged: false };
  const [existing] = await db
    .select({ acknowledgedAt: alerts.acknowledgedAt })
    .from(alerts)
    .where(and(eq(alerts.id, alertId), eq(alerts.orgId, orgId)));
  if (!existing?.acknowledgedAt) return { ok: false, code: "ALERT_NOT_FOUND" };
  return { ok: true, acknowledgedAt: existing.acknowledgedAt.toISOString(), alreadyAcknowledged: true };
}
