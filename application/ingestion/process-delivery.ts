import { eq } from "drizzle-orm";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import { InvalidWebhookPayloadError } from "../../domain/ingestion/webhook-payloads.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { isDataException } from "../../infrastructure/db/errors.ts";
import { webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { applyWebhookPlan, type ApplyOutcome } from "./apply-webhook-plan.ts";

export type DeliveryOutcome = ApplyOutcome | { status: "missing" } | { status: "invalid"; reason: string };

/**
 * The webhook worker's use-case: read a recorded delivery, plan it, apply the plan. The demo seeding calls the
 * same function, so demo data takes the path live data takes.
 */
export async function processWebhookDelivery(db: Database, deliveryId: string): Promise<DeliveryOutcome> {
  const [delivery] = await db
    .select({ event: webhookDeliveries.event, payload: webhookDeliveries.payload })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.deliveryId, deliveryId));
  if (!delivery) return { status: "missing" };
  let plan;
  try {
    plan = planWebhookIngestion(delivery.event, delivery.payload ?? {}, deliveryId);
  } catch (error) {
    if (!(error instanceof InvalidWebhookPayloadError)) throw error;
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", error: error.message, processedAt: new Date() })
      .where(eq(webhookDeliveries.deliveryId, deliveryId));
    return { status: "invalid", reason: error.message };
  }
  try {
    return await applyWebhookPlan(db, plan, deliveryId);
  } catch (error) {
    // A value PostgreSQL refuses (class 22: out-of-range number, impossible date…) fails the same way on every
    // retry: settle the delivery as failed instead of letting recovery re-queue a poison pill forever.
    if (!isDataException(error)) throw error;
    const reason = `payload value refused by the database: ${(error as Error).message.slice(0, 200)}`;
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", error: reason, processedAt: new Date() })
      .where(eq(webhookDeliveries.deliveryId, deliveryId));
    return { status: "invalid", reason };
  }
}
