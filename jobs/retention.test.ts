import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { fixedClock } from "../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { seedAnalysedHistory, type AnalysedHistory } from "../tests/support/rescore-history.ts";
import { createTestServices } from "../tests/support/services.ts";
import { RETENTION_JOB } from "./retention.ts";
import { SCHEDULES } from "./schedules.ts";
import { startWorkers } from "./workers.ts";

const NOW = new Date("2026-09-01T04:00:00Z");
const DAY = 86_400_000;

let database: TestDatabase;
let removed: AnalysedHistory;
let active: AnalysedHistory;
let handle: { services: Services; close(): Promise<void> };

beforeAll(async () => {
  database = await createTestDatabase();
  removed = await seedAnalysedHistory(database.db, "retention-job-removed", { owner: 94001, repo: 94002, installation: 9401 });
  active = await seedAnalysedHistory(database.db, "retention-job-active", { owner: 94011, repo: 94012, installation: 9411 });
  await database.sql`update repositories set disabled_at = ${new Date(NOW.getTime() - 8 * DAY).toISOString()} where id = ${removed.repoId}`;
  handle = await createTestServices(database, { queue: "bullmq", clock: fixedClock(NOW), env: { SENTINEL_PURGE_AFTER_DAYS: "7" } });
}, 120_000);

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe("the retention job", () => {
  it("is scheduled daily and, run by a worker through BullMQ, purges a repository removed longer ago than SENTINEL_PURGE_AFTER_DAYS", async () => {
    expect(SCHEDULES.find((schedule) => schedule.job.name === RETENTION_JOB)).toMatchObject({ pattern: "53 3 * * *", job: { queue: "scheduled-jobs" } });
    await startWorkers(handle.services, { github: null });
    await handle.services.queue.enqueue("scheduled-jobs", RETENTION_JOB, {}, { jobId: "retention-test" });
    await waitFor(
      async () => {
        const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from repositories where id = ${removed.repoId}`;
        return row!.n === 0;
      },
      { timeoutMs: 30_000, what: "the retention job to purge the removed repository" },
    );
    const [left] = await database.sql<{ removed: number; active: number }[]>`
      select (select count(*)::int from code_events where repo_id = ${removed.repoId}) as removed,
             (select count(*)::int from code_events where repo_id = ${active.repoId}) as active`;
    expect(left!.removed).toBe(0);
    expect(left!.active).toBeGreaterThan(0);
  }, 60_000);
});
