import { eq } from "drizzle-orm";
import { InvalidWebhookPayloadError, planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import type { Database } from "../db/client.ts";
import { webhookDeliveries } from "../db/schema/index.ts";
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
  return applyWebhookPlan(db, plan, deliveryId);
}
