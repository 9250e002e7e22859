import { and, eq } from "drizzle-orm";
import type { BackoffPolicy, JobQueue } from "../../domain/ports.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { alertDeliveries } from "../../infrastructure/db/schema/index.ts";
import { DELIVER_ALERT_JOB, EVALUATE_DEPLOYMENT_JOB, EVALUATE_INCIDENT_JOB, JOB_CATALOG } from "../job-catalog.ts";

export { DELIVER_ALERT_JOB };

/**
 * A notification survives a channel outage of about an hour: 10 attempts, exponential from 10 s
 * (10 s, 20 s, … 42 min; ~85 min in all). 429s wait as told and do not count.
 */
export interface DeliveryRetryPolicy {
  attempts: number;
  backoff: BackoffPolicy;
}
export const DEFAULT_DELIVERY_RETRY: DeliveryRetryPolicy = { attempts: 10, backoff: { type: "exponential", delayMs: 10_000 } };


export async function enqueueAlertDeliveries(
  queue: JobQueue,
  alertId: string,
  channelIds: string[],
  retry: DeliveryRetryPolicy = DEFAULT_DELIVERY_RETRY,
): Promise<number> {
  let created = 0;
  for (const channelId of channelIds) {
    const result = await queue.enqueue("notifications", DELIVER_ALERT_JOB, { alertId, channelId }, { jobId: JOB_CATALOG[DELIVER_ALERT_JOB].id(alertId, channelId), ...retry });
    if (result.created) created += 1;
  }
  return created;
}

/**
 * Re-enqueues the still-pending deliveries of an alert. Used when an evaluation loses the dedup race (or is a
 * retry of the winner whose enqueue failed): the deterministic job ids make it a no-op when the jobs exist, and
 * the delivery row's status guards the send when they ran already.
 */
export async function enqueuePendingDeliveries(db: Executor, queue: JobQueue, alertId: string, retry?: DeliveryRetryPolicy): Promise<number> {
  const pending = await db
    .select({ channelId: alertDeliveries.channelId })
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.alertId, alertId), eq(alertDeliveries.status, "pending")));
  return enqueueAlertDeliveries(
    queue,
    alertId,
    pending.map((row) => row.channelId),
    retry,
  );
}

export async function enqueueDeploymentEvaluation(queue: JobQueue, deploymentId: string): Promise<void> {
  await queue.enqueue("scheduled-jobs", EVALUATE_DEPLOYMENT_JOB, { deploymentId }, { jobId: JOB_CATALOG[EVALUATE_DEPLOYMENT_JOB].id(deploymentId) });
}

export async function enqueueIncidentEvaluation(queue: JobQueue, incidentId: string): Promise<void> {
  await queue.enqueue("scheduled-jobs", EVALUATE_INCIDENT_JOB, { incidentId }, { jobId: JOB_CATALOG[EVALUATE_INCIDENT_JOB].id(incidentId) });
}

/**
 * Called by `createIncident` after its transaction committed: the incident exists whatever happens here, so a
 * queue outage is reported (false) instead of thrown — a caller that retried on an exception would log the
 * incident twice. The recovery path is re-running `evaluateIncidentAlerts`, e.g. from the incident page.
 */
export async function requestIncidentAlertEvaluation(queue: JobQueue, incidentId: string): Promise<boolean> {
  try {
    await enqueueIncidentEvaluation(queue, incidentId);
    return true;
  } catch {
    return false;
  }
}
