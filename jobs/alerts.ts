/**
 * Alert jobs (issue 6). On `scheduled-jobs`: rule evaluation after metrics (`evaluate-alerts`, the metrics jobs'
 * extension point), after a production deployment succeeded and after an incident was created. On
 * `notifications`: one delivery job per alert and channel, and PagerDuty acknowledgements.
 */
import type { JobQueue } from "../domain/ports.ts";
import type { Env } from "../infrastructure/config/env.ts";
import { sendPagerDutyAcknowledge } from "../application/alerts/acknowledge.server.ts";
import { deliverAlertNotification } from "../application/alerts/deliver.ts";
import { DEFAULT_DELIVERY_RETRY, type DeliveryRetryPolicy } from "../application/alerts/enqueue.ts";
import { evaluateDeploymentAlerts, evaluateIncidentAlerts, evaluateRepositoryAlerts } from "../application/alerts/evaluate.ts";
import type { Database } from "../infrastructure/db/client.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { createNotifier, notifierOptionsFromEnv, type Notifier } from "../infrastructure/notify/notifier.ts";
import type { EvaluateAlerts } from "./metrics.ts";
import { ACKNOWLEDGE_PAGERDUTY_JOB, DELIVER_ALERT_JOB, EVALUATE_DEPLOYMENT_JOB, EVALUATE_INCIDENT_JOB, JOB_CATALOG } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

export interface AlertJobDeps {
  db: Database;
  queue: JobQueue;
  logger: Logger;
  env: Env;
  /** Tests point the notifier at local fakes with short timeouts; default: built from the environment. */
  notifier?: Notifier;
  deliveryRetry?: DeliveryRetryPolicy;
  now?: () => Date;
}

export function createAlertJobs(deps: AlertJobDeps) {
  const logger = deps.logger.child({ component: "alerts" });
  const notifier = deps.notifier ?? createNotifier(notifierOptionsFromEnv(deps.env));
  const retry = deps.deliveryRetry ?? DEFAULT_DELIVERY_RETRY;
  const evaluation = { db: deps.db, queue: deps.queue, logger, deliveryRetry: retry, ...(deps.now ? { now: deps.now } : {}) };

  const evaluateAlerts: EvaluateAlerts = (request) => evaluateRepositoryAlerts(evaluation, request);

  return {
    /** Passed to `createMetricsJobs({ evaluateAlerts })`: runs inside its `evaluate-alerts` job. */
    evaluateAlerts,
    scheduled: {
      [EVALUATE_DEPLOYMENT_JOB]: defineJob({
        schema: JOB_CATALOG[EVALUATE_DEPLOYMENT_JOB].payload,
        run: ({ deploymentId }) => evaluateDeploymentAlerts(evaluation, deploymentId),
      }),
      [EVALUATE_INCIDENT_JOB]: defineJob({
        schema: JOB_CATALOG[EVALUATE_INCIDENT_JOB].payload,
        run: ({ incidentId }) => evaluateIncidentAlerts(evaluation, incidentId),
      }),
    },
    notifications: {
      [DELIVER_ALERT_JOB]: defineJob({
        schema: JOB_CATALOG[DELIVER_ALERT_JOB].payload,
        run: (data, job) =>
          deliverAlertNotification(
            { db: deps.db, notifier, publicUrl: deps.env.PUBLIC_URL, secretKey: deps.env.SENTINEL_SECRET_KEY, maxAttempts: retry.attempts, ...(deps.now ? { now: deps.now } : {}) },
            data,
            job,
          ),
      }),
      [ACKNOWLEDGE_PAGERDUTY_JOB]: defineJob({
        schema: JOB_CATALOG[ACKNOWLEDGE_PAGERDUTY_JOB].payload,
        run: (data) => sendPagerDutyAcknowledge({ db: deps.db, notifier, secretKey: deps.env.SENTINEL_SECRET_KEY }, data),
      }),
    },
  };
}
