import type { JobContext, QueueName } from "../../domain/ports.ts";
import type { GitHubApi } from "../../infrastructure/github/github-api.ts";
import type { Services } from "../../application/services.ts";
import { createJobRouter, type JobHandler } from "../../jobs/router.ts";
import { createJobHandlers } from "../../jobs/workers.ts";

export interface RecordedRun {
  queue: QueueName;
  name: string;
  id: string;
  attemptsMade: number;
  outcome?: unknown;
  error?: string;
}

/**
 * Tests only: the production handlers behind workers that record every run (attempts made, outcome, progress),
 * so a test can see that a rate-limited job ran again without using an attempt.
 */
export async function startRecordingWorkers(
  services: Services,
  github: GitHubApi | null,
  options: { queues?: QueueName[]; concurrency?: number } = {},
): Promise<{ runs: RecordedRun[]; progress: Array<{ id: string; progress: unknown }> }> {
  const runs: RecordedRun[] = [];
  const progress: Array<{ id: string; progress: unknown }> = [];
  const handlers = createJobHandlers(services, github);
  for (const [queue, queueHandlers] of Object.entries(handlers) as [QueueName, Record<string, JobHandler>][]) {
    if (options.queues && !options.queues.includes(queue)) continue;
    const router = createJobRouter(queue, queueHandlers);
    await services.queue.startWorker(
      queue,
      async (job: JobContext) => {
        const run: RecordedRun = { queue, name: job.name, id: job.id, attemptsMade: job.attemptsMade };
        runs.push(run);
        const wrapped: JobContext = Object.assign(Object.create(job) as JobContext, {
          updateProgress: async (value: number | Record<string, unknown>) => {
            progress.push({ id: job.id, progress: value });
            await job.updateProgress(value);
          },
        });
        try {
          run.outcome = await router(wrapped);
          return run.outcome;
        } catch (error) {
          run.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          throw error;
        }
      },
      { concurrency: options.concurrency ?? 4 },
    );
  }
  return { runs, progress };
}
