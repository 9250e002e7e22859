import { describe, expect, it } from "vitest";
import { createInProcessQueue, nextCronRun } from "./in-process-queue.ts";
import { queueContract } from "../../tests/contracts/queue-contract.ts";
import { recordingLogger, sleep, waitFor } from "../../tests/support/queue.ts";

queueContract("in-process", () => createInProcessQueue());

describe("in-process queue", () => {
  it("reads cron patterns in the schedule's time zone", () => {
    const after = new Date("2025-01-15T10:00:00Z");
    // 09:00 in Paris is 08:00 UTC in winter, 07:00 UTC in summer.
    expect(nextCronRun("0 9 * * *", "Europe/Paris", after).toISOString()).toBe("2025-01-16T08:00:00.000Z");
    expect(nextCronRun("0 9 * * *", "Europe/Paris", new Date("2025-07-15T10:00:00Z")).toISOString()).toBe(
      "2025-07-16T07:00:00.000Z",
    );
    expect(nextCronRun("0 9 * * *", "UTC", after).toISOString()).toBe("2025-01-16T09:00:00.000Z");
  });

  it("frees a jobId once the finished job leaves retention", async () => {
    const queue = createInProcessQueue({ retention: { completedMaxCount: 1 } });
    await queue.startWorker("webhooks", async () => {});
    await queue.enqueue("webhooks", "delivery", {}, { jobId: "d1" });
    await waitFor(async () => (await queue.counts("webhooks")).completed === 1);
    expect((await queue.enqueue("webhooks", "delivery", {}, { jobId: "d1" })).created).toBe(false);

    await queue.enqueue("webhooks", "delivery", {}, { jobId: "d2" });
    await waitFor(async () => {
      const counts = await queue.counts("webhooks");
      return counts.completed === 1 && counts.waiting === 0 && counts.active === 0;
    });

    expect((await queue.enqueue("webhooks", "delivery", {}, { jobId: "d1" })).created).toBe(true);
    await queue.close();
  });

  it("does not fire a delay longer than setTimeout's 24.8-day limit early", async () => {
    const queue = createInProcessQueue();
    let ran = false;
    await queue.startWorker("scheduled-jobs", async () => {
      ran = true;
    });
    await queue.enqueue("scheduled-jobs", "far", {}, { delayMs: 40 * 24 * 60 * 60 * 1000 });
    await sleep(30);
    expect(ran).toBe(false);
    expect((await queue.counts("scheduled-jobs")).delayed).toBe(1);
    await queue.close();
  });

  it("hands the processor JSON data, as Redis would", async () => {
    const queue = createInProcessQueue();
    const received: unknown[] = [];
    await queue.startWorker("analysis", async (job) => {
      received.push(job.data);
    });
    await queue.enqueue("analysis", "x", { at: new Date("2025-01-01T00:00:00Z"), skip: undefined });
    await waitFor(() => received.length === 1);
    expect(received[0]).toEqual({ at: "2025-01-01T00:00:00.000Z" });
    await queue.close();
  });

  it("logs a final failure through the injected logger", async () => {
    const logger = recordingLogger();
    const queue = createInProcessQueue({ logger });
    await queue.startWorker("notifications", async () => {
      throw new Error("Slack 500");
    });
    await queue.enqueue("notifications", "post", {}, { attempts: 2, backoff: { type: "fixed", delayMs: 5 } });
    await waitFor(async () => (await queue.counts("notifications")).failed === 1);
    expect(logger.lines.map((line) => `${line.level}: ${line.message}`)).toEqual([
      "warn: job failed; will retry",
      "error: job failed permanently",
    ]);
    await queue.close();
  });

  it("refuses work after close()", async () => {
    const queue = createInProcessQueue();
    await queue.close();
    await expect(queue.enqueue("analysis", "x", {})).rejects.toThrow(/closed/);
    expect(await queue.ping()).toBe(false);
  });
});
