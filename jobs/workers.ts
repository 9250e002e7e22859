import type { CommitSource, QueueName } from "../domain/ports.ts";
import { createCommitSourceResolver } from "../infrastructure/ingest/commit-sources.ts";
import type { Services } from "../infrastructure/runtime/services.ts";
import { createAnalysisJobs } from "./analysis.ts";
import { requeueUnfinishedWork } from "./recovery.ts";
import { createJobRouter, type JobHandler } from "./router.ts";
import { createWebhookJobs } from "./webhooks.ts";

/** Per-queue concurrency: analysis is CPU-light but waits on GitHub; PGlite runs one query at a time anyway. */
const CONCURRENCY: Record<QueueName, number> = {
  webhooks: 4,
  analysis: 4,
  "scheduled-jobs": 2,
  notifications: 4,
};

export function createJobHandlers(services: Services, github: CommitSource | null): Record<QueueName, Record<string, JobHandler>> {
  const logger = services.logger.child({ component: "jobs" });
  return {
    webhooks: createWebhookJobs({ db: services.db, queue: services.queue, logger }),
    analysis: createAnalysisJobs({ db: services.db, resolveSource: createCommitSourceResolver(services.db, github) }),
    "scheduled-jobs": {},
    notifications: {},
  };
}

/** Starts one worker per queue, each with its own concurrency, so a slow or failing queue never blocks another. */
export async function startWorkers(services: Services, options: { github?: CommitSource | null } = {}): Promise<void> {
  const handlers = createJobHandlers(services, options.github ?? null);
  for (const [queue, queueHandlers] of Object.entries(handlers) as [QueueName, Record<string, JobHandler>][]) {
    await services.queue.startWorker(queue, createJobRouter(queue, queueHandlers), { concurrency: CONCURRENCY[queue] });
  }
  await requeueUnfinishedWork({ db: services.db, queue: services.queue, logger: services.logger.child({ component: "recovery" }) });
}
