import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { fixedClock } from "../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { FOLD_PULL_REQUEST_TIMES_JOB } from "../application/job-catalog.ts";
import { SCHEDULES } from "./schedules.ts";
import { startWorkers } from "./workers.ts";

const NOW = new Date("2026-09-01T04:00:00Z");

let database: TestDatabase;
let handle: { services: Services; close(): Promise<void> };
let orgId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const [org] = await database.sql<{ id: string }[]>`insert into organizations (slug, name) values ('fold', 'Fold') returning id`;
  orgId = org!.id;
  const [repo] = await database.sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${orgId}, 'fold/api') returning id`;
  await database.sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at, merged_at)
    select ${orgId}, ${repo!.id}, n, 'work', 'merged', 'main', ${NOW.toISOString()}::timestamptz - n * interval '1 day', ${NOW.toISOString()}::timestamptz - n * interval '1 day' + interval '3 hours'
    from generate_series(1, 30) n`;
  handle = await createTestServices(database, { queue: "bullmq", clock: fixedClock(NOW) });
}, 120_000);

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe("the pull-request times job", () => {
  it("is scheduled every minute and, run by a worker through BullMQ, folds the queued pull requests into their days", async () => {
    expect(SCHEDULES.find((schedule) => schedule.job.name === FOLD_PULL_REQUEST_TIMES_JOB)).toMatchObject({ pattern: "* * * * *", job: { queue: "scheduled-jobs" } });
    const [queued] = await database.sql<{ n: number }[]>`select count(*)::int as n from pull_request_time_queue where org_id = ${orgId}`;
    expect(queued!.n).toBe(30);
    await startWorkers(handle.services, { github: null });
    await handle.services.queue.enqueue("scheduled-jobs", FOLD_PULL_REQUEST_TIMES_JOB, {}, { jobId: "fold-test" });
    await waitFor(
      async () => {
        const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from pull_request_time_queue where org_id = ${orgId}`;
        return row!.n === 0;
      },
      { timeoutMs: 30_000, what: "the fold job to empty the queue" },
    );
    const [days] = await database.sql<{ pull_requests: number; merged: number }[]>`
      select sum(pull_requests)::int as pull_requests, sum(merged)::int as merged from org_daily_pull_request_times where org_id = ${orgId}`;
    expect(days).toEqual({ pull_requests: 30, merged: 30 });
  }, 60_000);
});
