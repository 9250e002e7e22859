import type { JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { enqueueDeploymentEvaluation } from "../application/alerts/enqueue.ts";
import { productionDeploymentsSucceededBy } from "../application/alerts/evaluate.ts";
import { processWebhookDelivery } from "../application/ingestion/process-delivery.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { PermanentJobError } from "../infrastructure/queue/index.ts";
import { enqueueCommitAnalyses } from "../application/analysis/enqueue-analysis.ts";
import { enqueueBackfill, enqueuePushRange } from "./history.ts";
import { JOB_CATALOG, PROCESS_DELIVERY_JOB } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";
import { enqueueTeamsSyncAfterWebhook } from "./teams.ts";

export { PROCESS_DELIVERY_JOB };
export const deliveryJobId = JOB_CATALOG[PROCESS_DELIVERY_JOB].id;

export function createWebhookJobs(deps: {
  db: Database;
  queue: JobQueue;
  logger: Logger;
  /**
   * Days of default-branch history imported when a repository is added; null when the GitHub API is not configured.
   * A function is asked per delivery (the App may be registered on /setup while the worker runs).
   */
  backfillDays: number | null | (() => Promise<number | null>);
  now?: () => Date;
}) {
  return {
    [PROCESS_DELIVERY_JOB]: defineJob({
      schema: JOB_CATALOG[PROCESS_DELIVERY_JOB].payload,
      async run({ deliveryId }) {
        const outcome = await processWebhookDelivery(deps.db, deliveryId);
        if (outcome.status === "missing") throw new PermanentJobError(`delivery ${deliveryId} is not recorded`);
        if (outcome.status === "invalid") throw new PermanentJobError(outcome.reason);
        if (outcome.status === "processed") {
          await enqueueCommitAnalyses(deps.queue, outcome.commitsToAnalyze, deliveryId);
          if (outcome.compareRange && outcome.repoId) {
            await enqueuePushRange(deps.queue, { repoId: outcome.repoId, ...outcome.compareRange }, deliveryId);
          }
          const backfillDays = outcome.repositoriesAdded.length === 0 ? null : typeof deps.backfillDays === "function" ? await deps.backfillDays() : deps.backfillDays;
          if (backfillDays !== null && backfillDays > 0) {
            const now = deps.now?.() ?? new Date();
            for (const repoId of outcome.repositoriesAdded) await enqueueBackfill(deps.queue, { repoId, days: backfillDays }, now);
          }
          if (outcome.syncTeams) await enqueueTeamsSyncAfterWebhook(deps.queue, outcome.orgId, deps.now?.() ?? new Date());
          // Alerts (issue 6): high_risk_deployed for each production deployment this delivery marked successful.
          for (const deploymentId of await productionDeploymentsSucceededBy(deps.db, deliveryId)) await enqueueDeploymentEvaluation(deps.queue, deploymentId);
          deps.logger.debug(
            { deliveryId, events: outcome.eventsInserted, commits: outcome.commitsToAnalyze.length },
            "delivery processed",
          );
        }
        return outcome.status;
      },
    }),
  };
}
