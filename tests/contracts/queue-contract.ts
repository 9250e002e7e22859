/**
 * The behaviour every JobQueue adapter owes the jobs built on it. Run by bullmq-queue.test.ts (real Redis)
 * and in-process-queue.test.ts, so dev mode and production cannot drift apart.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { JobContext, JobQueue } from "../../domain/ports.ts";
import { PermanentJobError, RetryLaterError } from "../../infrastructure/queue/errors.ts";
import { deferred, sleep, waitFor } from "../support/queue.ts";

/** Short enough to keep the suite fast, long enough that a missing delay is measurable. */
const BACKOFF_MS = 40;

export function queueContract(adapterName: string, createQueue: () => JobQueue): void {
  describe(`JobQueue contract: ${adapterName}`, () => {
    const opened: JobQueue[] = [];
    function open(): JobQueue {
      const queue = createQueue();
      opened.push(queue);
      return queue;
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((queue) => queue.close()));
    });

    it("processes a job with its name, data and queue", async () => {
      const queue = open();
      const seen: JobContext[] = [];
      await queue.startWorker("analysis", async (job) => {
        await job.updateProgress(50);
        seen.push(job);
      });

      const result = await queue.enqueue("analysis", "analyse-push", { repoId: "r1", shas: ["a", "b"] });

      expect(result.created).toBe(true);
      await waitFor(() => seen.length === 1, { what: "the job to run" });
      expect(seen[0]).toMatchObject({
        id: result.jobId,
        name: "analyse-push",
        queue: "analysis",
        data: { repoId: "r1", shas: ["a", "b"] },
        attemptsMade: 0,
      });
      await waitFor(async () => (await queue.counts("analysis")).completed === 1, { what: "completed count" });
    });

    it("deduplicates by jobId while the first job exists, including after it completed", async () => {
      const queue = open();
      const runs: unknown[] = [];
      const first = await queue.enqueue("webhooks", "github-delivery", { n: 1 }, { jobId: "delivery-42" });
      const second = await queue.enqueue("webhooks", "github-delivery", { n: 2 }, { jobId: "delivery-42" });
      expect(first).toEqual({ jobId: "delivery-42", created: true });
      expect(second).toEqual({ jobId: "delivery-42", created: false });

      await queue.startWorker("webhooks", async (job) => {
        runs.push(job.data);
      });
      await waitFor(async () => (await queue.counts("webhooks")).completed === 1, { what: "completion" });
      const third = await queue.enqueue("webhooks", "github-delivery", { n: 3 }, { jobId: "delivery-42" });

      expect(third.created).toBe(false);
      await sleep(50);
      expect(runs).toEqual([{ n: 1 }]);
    });

    it("reports created=true to exactly one of several concurrent enqueues with one jobId", async () => {
      const queue = open();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, n) => queue.enqueue("webhooks", "github-delivery", { n }, { jobId: "delivery-race" })),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(await queue.counts("webhooks")).toMatchObject({ waiting: 1 });
    });

    it("queues a bulk of jobs once each, skipping ids that already exist, and runs every one", async () => {
      const queue = open();
      await queue.enqueue("webhooks", "github-delivery", { n: 0 }, { jobId: "bulk-1" });
      await queue.enqueueBulk("webhooks", [
        { name: "github-delivery", data: { n: 1 }, options: { jobId: "bulk-1" } },
        { name: "github-delivery", data: { n: 2 }, options: { jobId: "bulk-2" } },
        { name: "github-delivery", data: { n: 3 }, options: { jobId: "bulk-3" } },
        { name: "github-delivery", data: { n: 4 } },
      ]);
      expect(await queue.counts("webhooks")).toMatchObject({ waiting: 4 });
      const runs: unknown[] = [];
      await queue.startWorker("webhooks", async (job) => {
        runs.push(job.data);
      });
      await waitFor(async () => (await queue.counts("webhooks")).completed === 4, { what: "bulk completion" });
      expect(runs.map((data) => (data as { n: number }).n).sort()).toEqual([0, 2, 3, 4]);
    });

    it("rejects a bulk containing a jobId with ':' and queues none of it", async () => {
      const queue = open();
      await expect(
        queue.enqueueBulk("webhooks", [
          { name: "ok", data: {}, options: { jobId: "fine" } },
          { name: "bad", data: {}, options: { jobId: "repo:1" } },
        ]),
      ).rejects.toThrow(/':'/);
      expect(await queue.counts("webhooks")).toMatchObject({ waiting: 0 });
    });

    it("rejects a jobId containing ':'", async () => {
      const queue = open();
      await expect(queue.enqueue("webhooks", "x", {}, { jobId: "repo:1" })).rejects.toThrow(/':'/);
    });

    it("retries with exponential backoff until the attempts are exhausted, then fails the job", async () => {
      const queue = open();
      const runs: { attemptsMade: number; at: number }[] = [];
      await queue.startWorker("analysis", async (job) => {
        runs.push({ attemptsMade: job.attemptsMade, at: Date.now() });
        throw new Error("GitHub 502");
      });

      await queue.enqueue("analysis", "flaky", {}, { attempts: 3, backoff: { type: "exponential", delayMs: BACKOFF_MS } });

      await waitFor(async () => (await queue.counts("analysis")).failed === 1, { what: "the job to fail" });
      expect(runs.map((run) => run.attemptsMade)).toEqual([0, 1, 2]);
      const [a, b, c] = runs.map((run) => run.at) as [number, number, number];
      expect(b - a).toBeGreaterThanOrEqual(BACKOFF_MS - 5);
      expect(c - b).toBeGreaterThanOrEqual(2 * BACKOFF_MS - 5);
      await sleep(4 * BACKOFF_MS);
      expect(runs).toHaveLength(3);
    });

    it("does not retry a PermanentJobError", async () => {
      const queue = open();
      let runs = 0;
      await queue.startWorker("notifications", async () => {
        runs += 1;
        throw new PermanentJobError("PagerDuty answered 400");
      });

      await queue.enqueue("notifications", "page", {}, { attempts: 5, backoff: { type: "fixed", delayMs: 10 } });

      await waitFor(async () => (await queue.counts("notifications")).failed === 1, { what: "the job to fail" });
      await sleep(60);
      expect(runs).toBe(1);
      expect(await queue.counts("notifications")).toMatchObject({ delayed: 0, waiting: 0, failed: 1 });
    });

    it("delays a RetryLaterError without consuming an attempt", async () => {
      const queue = open();
      const runs: { attemptsMade: number; at: number }[] = [];
      await queue.startWorker("analysis", async (job) => {
        runs.push({ attemptsMade: job.attemptsMade, at: Date.now() });
        // Two rate limits, then one real failure, then success: with 2 attempts this only completes if the
        // rate limits did not count.
        if (runs.length <= 2) throw new RetryLaterError(BACKOFF_MS, "GitHub 429, retry-after");
        if (runs.length === 3) throw new Error("GitHub 502");
      });

      await queue.enqueue("analysis", "rate-limited", {}, { attempts: 2, backoff: { type: "fixed", delayMs: 10 } });

      await waitFor(async () => (await queue.counts("analysis")).completed === 1, { what: "completion" });
      expect(runs.map((run) => run.attemptsMade)).toEqual([0, 0, 0, 1]);
      expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(BACKOFF_MS - 5);
      expect((await queue.counts("analysis")).failed).toBe(0);
    });

    it("holds a delayed job back until its delay has passed", async () => {
      const queue = open();
      let ranAt = 0;
      await queue.startWorker("scheduled-jobs", async () => {
        ranAt = Date.now();
      });
      const enqueuedAt = Date.now();

      await queue.enqueue("scheduled-jobs", "later", {}, { delayMs: 250 });

      expect(await queue.counts("scheduled-jobs")).toMatchObject({ delayed: 1, waiting: 0 });
      await waitFor(() => ranAt > 0, { what: "the delayed job" });
      expect(ranAt - enqueuedAt).toBeGreaterThanOrEqual(245);
    });

    it("never runs more jobs at once than the worker's concurrency", async () => {
      const queue = open();
      let running = 0;
      let maxRunning = 0;
      let done = 0;
      await queue.startWorker(
        "analysis",
        async () => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await sleep(40);
          running -= 1;
          done += 1;
        },
        { concurrency: 2 },
      );

      await Promise.all(Array.from({ length: 6 }, (_, n) => queue.enqueue("analysis", "slow", { n })));

      await waitFor(() => done === 6, { what: "all jobs" });
      expect(maxRunning).toBe(2);
    });

    it("counts waiting, active, delayed, completed and failed jobs", async () => {
      const queue = open();
      const release = deferred();
      await queue.startWorker("notifications", async (job) => {
        if (job.name === "block") await release.promise;
        if (job.name === "fail") throw new PermanentJobError("no");
      });
      await queue.enqueue("notifications", "block", {});
      await waitFor(async () => (await queue.counts("notifications")).active === 1, { what: "the blocking job to start" });
      await queue.enqueue("notifications", "fail", {});
      await queue.enqueue("notifications", "ok", {});
      await queue.enqueue("notifications", "later", {}, { delayMs: 60_000 });

      expect(await queue.counts("notifications")).toEqual({ waiting: 2, active: 1, delayed: 1, completed: 0, failed: 0 });

      release.resolve();
      await waitFor(async () => (await queue.counts("notifications")).completed === 2, { what: "completion" });
      expect(await queue.counts("notifications")).toEqual({ waiting: 0, active: 0, delayed: 1, completed: 2, failed: 1 });
    });

    it("keeps one scheduler per id when a schedule is upserted twice", async () => {
      const queue = open();
      const schedule = {
        id: "daily-metrics",
        queue: "scheduled-jobs" as const,
        pattern: "0 3 * * *",
        tz: "Europe/Paris",
        job: { name: "compute-daily-metrics", data: {} },
      };

      await queue.upsertSchedule(schedule);
      await queue.upsertSchedule({ ...schedule, pattern: "30 4 * * *" });

      // A scheduler is represented by exactly one pending (delayed) run.
      expect(await queue.counts("scheduled-jobs")).toMatchObject({ delayed: 1, waiting: 0 });
    });

    it("runs a scheduled job from its cron pattern", async () => {
      const queue = open();
      const runs: JobContext[] = [];
      await queue.startWorker("scheduled-jobs", async (job) => {
        runs.push(job);
      });

      await queue.upsertSchedule({
        id: "every-second",
        queue: "scheduled-jobs",
        pattern: "* * * * * *",
        job: { name: "tick", data: { source: "schedule" } },
      });

      await waitFor(() => runs.length >= 1, { timeoutMs: 3000, what: "a scheduled run" });
      expect(runs[0]).toMatchObject({ name: "tick", queue: "scheduled-jobs", data: { source: "schedule" } });
    });

    it("rejects an invalid cron pattern", async () => {
      const queue = open();
      await expect(
        queue.upsertSchedule({ id: "broken", queue: "scheduled-jobs", pattern: "not a cron", job: { name: "x" } }),
      ).rejects.toThrow();
    });

    it("lets the active job finish on close() and starts no other", async () => {
      const queue = open();
      const started: string[] = [];
      let finished = false;
      await queue.startWorker("analysis", async (job) => {
        started.push(job.name);
        await sleep(150);
        if (job.name === "long") finished = true;
      });
      await queue.enqueue("analysis", "long", {});
      await waitFor(() => started.length === 1, { what: "the long job to start" });
      await queue.enqueue("analysis", "next", {});

      await queue.close();

      expect(finished).toBe(true);
      expect(started).toEqual(["long"]);
    });

    it("lets a job that is finishing during close() queue its follow-up work, then refuses enqueues", async () => {
      const queue = open();
      let followUp: Promise<unknown> | undefined;
      let outcome: "completed" | "failed" | undefined;
      await queue.startWorker("scheduled-jobs", async () => {
        await sleep(150);
        followUp = queue.enqueue("notifications", "follow-up", {});
        try {
          await followUp;
          outcome = "completed";
        } catch (error) {
          outcome = "failed";
          throw error;
        }
      });
      await queue.enqueue("scheduled-jobs", "compute", {});
      await waitFor(async () => (await queue.counts("scheduled-jobs")).active === 1, { what: "the job to start" });

      await queue.close();

      expect(outcome).toBe("completed");
      await expect(queue.enqueue("notifications", "too-late", {})).rejects.toThrow(/closed/);
    });

    it("answers ping while open", async () => {
      const queue = open();
      expect(await queue.ping()).toBe(true);
    });

    describe("failed jobs (the queues page)", () => {
      /** Enqueues one job and waits until it has failed, so finish times (and the newest-first order) are distinct. */
      async function failOne(queue: JobQueue, name: string, jobId: string, data: unknown, options: { attempts?: number } = {}) {
        const before = (await queue.counts("notifications")).failed;
        await queue.enqueue("notifications", name, data, { jobId, attempts: options.attempts ?? 1, backoff: { type: "fixed", delayMs: 5 } });
        await waitFor(async () => (await queue.counts("notifications")).failed === before + 1, { what: `${jobId} to fail` });
        await sleep(5);
      }

      it("lists failed jobs newest first with their name, id, data, attempts and last error, page by page", async () => {
        const queue = open();
        await queue.startWorker("notifications", async (job) => {
          const { channel } = job.data as { channel: string };
          if (job.name === "flaky") throw new Error(`Slack 500 on try ${job.attemptsMade + 1}`);
          throw new PermanentJobError(`channel ${channel} was deleted`);
        });
        const startedAt = Date.now();

        await failOne(queue, "deliver-alert", "alert-1", { channel: "c1" });
        await failOne(queue, "flaky", "alert-2", { channel: "c2" }, { attempts: 2 });
        await failOne(queue, "deliver-alert", "alert-3", { channel: "c3" });

        const failed = await queue.listFailed("notifications", { offset: 0, limit: 10 });
        expect(failed.map((job) => job.id)).toEqual(["alert-3", "alert-2", "alert-1"]);
        expect(failed[1]).toMatchObject({
          id: "alert-2",
          name: "flaky",
          queue: "notifications",
          data: { channel: "c2" },
          attemptsMade: 2,
          attempts: 2,
          failedReason: "Slack 500 on try 2",
        });
        expect(failed[0]).toMatchObject({ attemptsMade: 1, attempts: 1, failedReason: "channel c3 was deleted" });
        for (const job of failed) {
          expect(job.enqueuedAt.getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
          expect(job.failedAt!.getTime()).toBeGreaterThanOrEqual(job.enqueuedAt.getTime());
        }
        expect(failed[0]!.failedAt!.getTime()).toBeGreaterThan(failed[2]!.failedAt!.getTime());

        expect((await queue.listFailed("notifications", { offset: 1, limit: 1 })).map((job) => job.id)).toEqual(["alert-2"]);
        expect((await queue.listFailed("notifications", { offset: 3, limit: 10 }))).toEqual([]);
        expect(await queue.listFailed("notifications", { offset: 0, limit: 0 })).toEqual([]);
        expect(await queue.listFailed("analysis", { offset: 0, limit: 10 })).toEqual([]);
        expect(await queue.getFailed("notifications", "alert-2")).toEqual(failed[1]);
        expect(await queue.getFailed("notifications", "alert-404")).toBeNull();
        expect(await queue.getFailed("analysis", "alert-2")).toBeNull();
        await expect(queue.listFailed("notifications", { offset: -1, limit: 10 })).rejects.toThrow(RangeError);
      });

      it("retries a failed job with fresh attempts: it runs again and can succeed", async () => {
        const queue = open();
        const attemptsSeen: number[] = [];
        await queue.startWorker("notifications", async (job) => {
          attemptsSeen.push(job.attemptsMade);
          // Fails twice (all its attempts), then, after the retry, once more before it succeeds: that only
          // completes if the retry gave the job its two attempts back.
          if (attemptsSeen.length !== 4) throw new Error("Slack 500");
        });
        await failOne(queue, "deliver-alert", "alert-retry", { channel: "c1" }, { attempts: 2 });
        expect(attemptsSeen).toEqual([0, 1]);

        expect(await queue.retryFailed("notifications", "alert-retry")).toBe(true);

        await waitFor(async () => (await queue.counts("notifications")).completed === 1, { what: "the retried job to complete" });
        expect(attemptsSeen).toEqual([0, 1, 0, 1]);
        expect(await queue.counts("notifications")).toMatchObject({ failed: 0, waiting: 0, delayed: 0, completed: 1 });
        expect(await queue.getFailed("notifications", "alert-retry")).toBeNull();
        expect(await queue.retryFailed("notifications", "alert-retry")).toBe(false);
      });

      it("answers false to the second of two concurrent retries of one job, and runs it once", async () => {
        const queue = open();
        let runs = 0;
        const release = deferred();
        await queue.startWorker("notifications", async () => {
          runs += 1;
          if (runs === 1) throw new PermanentJobError("first run fails");
          await release.promise;
        });
        await failOne(queue, "deliver-alert", "alert-race", {});

        const outcomes = await Promise.all([queue.retryFailed("notifications", "alert-race"), queue.retryFailed("notifications", "alert-race")]);

        expect(outcomes.filter(Boolean)).toHaveLength(1);
        release.resolve();
        await waitFor(async () => (await queue.counts("notifications")).completed === 1, { what: "the retried job" });
        await sleep(50);
        expect(runs).toBe(2);
      });

      it("discards a failed job: gone from the list and the counts, and its jobId is free again", async () => {
        const queue = open();
        await queue.startWorker("notifications", async (job) => {
          if (job.name === "doomed") throw new PermanentJobError("no");
        });
        await failOne(queue, "doomed", "alert-discard", {});
        await failOne(queue, "doomed", "alert-keep", {});

        expect(await queue.discardFailed("notifications", "alert-discard")).toBe(true);

        expect(await queue.counts("notifications")).toMatchObject({ failed: 1 });
        expect((await queue.listFailed("notifications", { offset: 0, limit: 10 })).map((job) => job.id)).toEqual(["alert-keep"]);
        expect(await queue.getFailed("notifications", "alert-discard")).toBeNull();
        expect(await queue.discardFailed("notifications", "alert-discard")).toBe(false);
        expect((await queue.enqueue("notifications", "fine", {}, { jobId: "alert-discard" })).created).toBe(true);
        await waitFor(async () => (await queue.counts("notifications")).completed === 1, { what: "the new job under the freed id" });
      });

      it("leaves alone jobs that have not failed, and ids that name no failed job in that queue", async () => {
        const queue = open();
        await queue.enqueue("notifications", "waiting", {}, { jobId: "alert-waiting" });

        expect(await queue.getFailed("notifications", "alert-waiting")).toBeNull();
        expect(await queue.retryFailed("notifications", "alert-waiting")).toBe(false);
        expect(await queue.discardFailed("notifications", "alert-waiting")).toBe(false);
        expect(await queue.counts("notifications")).toMatchObject({ waiting: 1, failed: 0 });

        await queue.startWorker("notifications", async () => {
          throw new PermanentJobError("no");
        });
        await waitFor(async () => (await queue.counts("notifications")).failed === 1, { what: "the job to fail" });
        for (const [name, id] of [["analysis", "alert-waiting"], ["notifications", "nope"], ["notifications", ""], ["notifications", "a:b"]] as const) {
          expect(await queue.retryFailed(name, id)).toBe(false);
          expect(await queue.discardFailed(name, id)).toBe(false);
          expect(await queue.getFailed(name, id)).toBeNull();
        }
        expect(await queue.counts("notifications")).toMatchObject({ failed: 1 });
      });
    });
  });
}
