import type { z } from "zod";
import type { JobContext, JobProcessor, QueueName } from "../domain/ports.ts";
import { withLogContext } from "../infrastructure/logging/logger.ts";
import { jobDuration, jobOutcomes } from "../infrastructure/observability/registry.ts";
import { PermanentJobError, RetryLaterError } from "../infrastructure/queue/index.ts";

/** A job handler with its payload schema: the data is parsed before the handler sees it. */
export interface JobHandler<TSchema extends z.ZodType = z.ZodType> {
  schema: TSchema;
  run(data: z.infer<TSchema>, job: JobContext): Promise<unknown>;
}

export function defineJob<TSchema extends z.ZodType>(handler: JobHandler<TSchema>): JobHandler<TSchema> {
  return handler;
}

/**
 * One processor per queue that dispatches on the job name. Invalid data can never become valid by retrying,
 * so a schema failure (or an unknown job name) is a permanent failure with the reason in the error — and is counted
 * as a failed run like any other. Every line logged while the job runs carries its queue, name and id.
 */
export function createJobRouter(queue: QueueName, handlers: Record<string, JobHandler>): JobProcessor {
  return (job) =>
    withLogContext({ queue, jobName: job.name, jobId: job.id }, async () => {
      const started = performance.now();
      let outcome = "completed";
      try {
        const handler = Object.hasOwn(handlers, job.name) ? handlers[job.name] : undefined;
        if (!handler) throw new PermanentJobError(`queue "${queue}" has no handler for job "${job.name}"`);
        const parsed = handler.schema.safeParse(job.data);
        if (!parsed.success) {
          const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "data"}: ${issue.message}`);
          throw new PermanentJobError(`invalid data for job "${job.name}": ${problems.join("; ")}`);
        }
        return await handler.run(parsed.data, job);
      } catch (error) {
        outcome = error instanceof RetryLaterError ? "delayed" : "failed";
        throw error;
      } finally {
        const labels = { queue, job: Object.hasOwn(handlers, job.name) ? job.name : "(unknown)", outcome };
        jobDuration.observe(labels, (performance.now() - started) / 1000);
        jobOutcomes.inc(labels);
      }
    });
}
