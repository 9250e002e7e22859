import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { JobContext, JobQueue } from "../domain/ports.ts";
import { createBullMqQueue } from "../infrastructure/queue/bullmq-queue.ts";
import { createInProcessQueue } from "../infrastructure/queue/in-process-queue.ts";
import { PermanentJobError } from "../infrastructure/queue/index.ts";
import { sleep, waitFor } from "../tests/support/queue.ts";
import { TEST_REDIS_URL } from "../tests/support/config.ts";
import { captureLogger } from "../tests/support/logs.ts";
import { createJobRouter, defineJob } from "./router.ts";

function job(name: string, data: unknown): JobContext {
  return { id: "1", name, queue: "analysis", data, attemptsMade: 0, updateProgress: async () => {} };
}

describe("createJobRouter", () => {
  const seen: unknown[] = [];
  const router = createJobRouter("analysis", {
    "count-lines": defineJob({
      schema: z.object({ repoId: z.string().uuid(), limit: z.number().int().positive() }),
      async run(data) {
        seen.push(data);
        return data.limit * 2;
      },
    }),
  });

  it("hands parsed data to the handler named by the job", async () => {
    const repoId = "3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f";
    await expect(router(job("count-lines", { repoId, limit: 4 }))).resolves.toBe(8);
    expect(seen).toEqual([{ repoId, limit: 4 }]);
  });

  it("fails permanently, saying which field is wrong, when the data does not match the schema", async () => {
    const failure = router(job("count-lines", { repoId: "nope", limit: -1 }));
    await expect(failure).rejects.toBeInstanceOf(PermanentJobError);
    await expect(failure).rejects.toThrow(/repoId: .*; limit: /);
  });

  it("fails permanently on a job name nobody handles", async () => {
    await expect(router(job("mystery", {}))).rejects.toThrow('queue "analysis" has no handler for job "mystery"');
  });
});

describe.each([
  ["the in-process queue", (logger: ReturnType<typeof captureLogger>["logger"]) => createInProcessQueue({ logger })],
  [
    "BullMQ on Redis",
    (logger: ReturnType<typeof captureLogger>["logger"]) =>
      createBullMqQueue({ redisUrl: TEST_REDIS_URL, prefix: `sentinel-test-router-${randomBytes(4).toString("hex")}`, logger }),
  ],
] as const)("job log lines on %s", (_adapter, createQueue) => {
  it("every line a handler writes carries the queue, job name and job id, also with jobs running side by side", async () => {
    const { logger, lines } = captureLogger();
    const queue: JobQueue = createQueue(logger.child({ component: "queue" }));
    // As in jobs/workers.ts: handlers get one logger when they are made, not one per job.
    const shared = logger.child({ component: "jobs" });
    const router = createJobRouter("analysis", {
      "analyze-commit": defineJob({
        schema: z.object({ sha: z.string(), waitMs: z.number() }),
        async run({ sha, waitMs }) {
          shared.info({ sha }, "analysing");
          await sleep(waitMs);
          shared.info({ sha }, "analysed");
        },
      }),
      "refuse-commit": defineJob({
        schema: z.object({ sha: z.string() }),
        async run({ sha }) {
          shared.warn({ sha }, "refusing");
          throw new PermanentJobError(`commit ${sha} is refused`);
        },
      }),
    });
    try {
      await queue.startWorker("analysis", router, { concurrency: 3 });
      await queue.enqueue("analysis", "analyze-commit", { sha: "aaa", waitMs: 60 }, { jobId: "analyze-aaa" });
      await queue.enqueue("analysis", "analyze-commit", { sha: "bbb", waitMs: 5 }, { jobId: "analyze-bbb" });
      await queue.enqueue("analysis", "refuse-commit", { sha: "ccc" }, { jobId: "refuse-ccc", attempts: 1 });
      await waitFor(() => lines().filter((line) => line.msg === "analysed").length === 2 && lines().some((line) => line.msg === "refusing"), {
        timeoutMs: 10_000,
        what: "the three jobs to log",
      });
    } finally {
      await queue.close();
    }
    const handlerLines = lines().filter((line) => line.component === "jobs");
    expect(handlerLines).toHaveLength(5);
    for (const line of handlerLines) {
      const expected = { aaa: ["analyze-commit", "analyze-aaa"], bbb: ["analyze-commit", "analyze-bbb"], ccc: ["refuse-commit", "refuse-ccc"] }[
        line.sha as "aaa" | "bbb" | "ccc"
      ];
      expect(line, JSON.stringify(line)).toMatchObject({ queue: "analysis", jobName: expected[0], jobId: expected[1] });
    }
    // The logger's own name is not overwritten by the job's.
    expect(handlerLines[0]!.name).toBe("sentinel");
  });
});
