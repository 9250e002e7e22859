import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizationMembers, organizations, repositories, users } from "../../infrastructure/db/schema/index.ts";
import { waitFor } from "../../tests/support/queue.ts";
import type { Services } from "../../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as queuesPage from "./settings.queues.tsx";

type RouteHandler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let cookies: { owner: string; member: string; adminB: string };
let repoA: string;
let repoB: string;
/** Job ids whose next run throws, with the error it throws; everything else succeeds. */
const broken = new Map<string, string>();
const completedRuns: string[] = [];

async function signIn(userId: string, orgId: string): Promise<string> {
  const session = await services.sessionStorage.getSession();
  session.set("userId", userId);
  session.set("orgId", orgId);
  return (await services.sessionStorage.commitSession(session)).split(";")[0]!;
}

async function run(
  handler: RouteHandler,
  path: string,
  options: { form?: Record<string, string>; cookie?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const headers = new Headers({ Cookie: options.cookie ?? cookies.owner });
  const body = options.form ? new URLSearchParams(options.form) : undefined;
  const request = new Request(`http://sentinel.test${path}`, { method: options.form ? "POST" : "GET", headers, body });
  const unwrap = (value: unknown, fallbackStatus: number) => {
    if (value instanceof Response) return { status: value.status, body: null };
    // `data(value, init)`, returned or thrown.
    if (value && typeof value === "object" && "type" in value && (value as { type: string }).type === "DataWithResponseInit") {
      const wrapped = value as unknown as { data: unknown; init: ResponseInit | null };
      return { status: wrapped.init?.status ?? fallbackStatus, body: wrapped.data };
    }
    return { status: fallbackStatus, body: value };
  };
  try {
    return unwrap(await handler({ request, params: {}, context: { services } }), 200);
  } catch (thrown) {
    if (thrown instanceof Response || (thrown && typeof thrown === "object" && "type" in thrown)) return unwrap(thrown, 500);
    throw thrown;
  }
}

interface Overview {
  depth: { queue: string; counts: Record<string, number> }[];
  selected: string;
  failed: { id: string; name: string; attemptsMade: number; attempts: number; failedReason: string; failedAt: string | null }[];
  failedTotal: number;
}

async function overview(path = "/settings/queues?queue=analysis", cookie?: string): Promise<Overview> {
  const outcome = await run(queuesPage.loader, path, { cookie });
  expect(outcome.status).toBe(200);
  return outcome.body as Overview;
}

/** Queues an analysis job that fails on its one attempt with `error`, and waits until it has failed. */
async function failingJob(repoId: string, error: string): Promise<string> {
  const jobId = `analyse-${randomUUID()}`;
  broken.set(jobId, error);
  const before = (await services.queue.counts("analysis")).failed;
  await services.queue.enqueue("analysis", "analyse-commit", { repoId, sha: "abc1234" }, { jobId, attempts: 1 });
  await waitFor(async () => (await services.queue.counts("analysis")).failed === before + 1, { what: `${jobId} to fail` });
  return jobId;
}

beforeAll(async () => {
  database = await createTestDatabase();
  // BullMQ on the real Redis, under this file's own key prefix.
  ({ services, close } = await createTestServices(database, { queue: "bullmq" }));
  const db = database.db;
  const [orgA, orgB] = await db
    .insert(organizations)
    .values([
      { slug: "acme", name: "Acme" },
      { slug: "globex", name: "Globex" },
    ])
    .returning({ id: organizations.id });
  const rows = await db
    .insert(repositories)
    .values([
      { orgId: orgA!.id, fullName: "acme/api", githubId: 1 },
      { orgId: orgB!.id, fullName: "globex/secret", githubId: 2 },
    ])
    .returning({ id: repositories.id });
  repoA = rows[0]!.id;
  repoB = rows[1]!.id;
  const [owner, member, adminB] = await db
    .insert(users)
    .values([
      { login: "alice", githubId: 1001 },
      { login: "mallory", githubId: 1002 },
      { login: "bob", githubId: 1003 },
    ])
    .returning({ id: users.id });
  await db.insert(organizationMembers).values([
    { orgId: orgA!.id, userId: owner!.id, role: "owner" },
    { orgId: orgA!.id, userId: member!.id, role: "member" },
    { orgId: orgB!.id, userId: adminB!.id, role: "admin" },
  ]);
  cookies = { owner: await signIn(owner!.id, orgA!.id), member: await signIn(member!.id, orgA!.id), adminB: await signIn(adminB!.id, orgB!.id) };

  await services.queue.startWorker("analysis", async (job) => {
    const error = broken.get(job.id);
    if (error !== undefined) throw new Error(error);
    completedRuns.push(job.id);
  });
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("queues page", () => {
  it("shows an admin the depth of every queue and their organisation's failed job with its error, not another's", async () => {
    const mine = await failingJob(repoA, "GitHub answered 502 for acme/api@abc1234");
    const theirs = await failingJob(repoB, "GitHub answered 404 for globex/secret@abc1234");
    // A job that belongs to no organisation (an hourly tick): shown to nobody.
    // Marked broken before it is queued: the worker may take it before enqueue returns.
    broken.set("tick-1", "tick failed");
    await services.queue.enqueue("analysis", "tick", {}, { jobId: "tick-1", attempts: 1 });
    await waitFor(async () => (await services.queue.counts("analysis")).failed === 3, { what: "the tick to fail" });

    // Without ?queue the page opens on the first queue where the organisation has failed jobs.
    const page = await overview("/settings/queues");

    expect(page.selected).toBe("analysis");
    expect(page.depth.map((row) => row.queue)).toEqual(["webhooks", "analysis", "scheduled-jobs", "notifications"]);
    expect(page.depth.find((row) => row.queue === "analysis")!.counts).toMatchObject({ failed: 3, waiting: 0, active: 0 });
    expect(page.failedTotal).toBe(1);
    expect(page.failed).toEqual([
      {
        id: mine,
        name: "analyse-commit",
        attemptsMade: 1,
        attempts: 1,
        failedReason: "GitHub answered 502 for acme/api@abc1234",
        failedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        enqueuedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
    ]);

    const globex = await overview("/settings/queues?queue=analysis", cookies.adminB);
    expect(globex.failed.map((job) => job.id)).toEqual([theirs]);
    expect(globex.failed[0]!.failedReason).toBe("GitHub answered 404 for globex/secret@abc1234");
  });

  it("Retry runs the job again, and this time it succeeds", async () => {
    const jobId = await failingJob(repoA, "GitHub answered 502");
    broken.delete(jobId); // the outage is over

    const outcome = await run(queuesPage.action, "/settings/queues?queue=analysis", { form: { intent: "retry", queue: "analysis", jobId } });

    expect(outcome).toEqual({ status: 200, body: { notice: `Queued analyse-commit ${jobId} again.` } });
    await waitFor(() => completedRuns.includes(jobId), { what: "the retried job to succeed" });
    expect((await overview()).failed.map((job) => job.id)).not.toContain(jobId);
    expect(await services.queue.getFailed("analysis", jobId)).toBeNull();
  });

  it("Discard removes the failed job without running it", async () => {
    const jobId = await failingJob(repoA, "GitHub answered 410");
    const failedBefore = (await services.queue.counts("analysis")).failed;
    broken.delete(jobId);

    const outcome = await run(queuesPage.action, "/settings/queues?queue=analysis", { form: { intent: "discard", queue: "analysis", jobId } });

    expect(outcome).toEqual({ status: 200, body: { notice: `Discarded analyse-commit ${jobId}.` } });
    expect((await overview()).failed.map((job) => job.id)).not.toContain(jobId);
    expect((await services.queue.counts("analysis")).failed).toBe(failedBefore - 1);
    expect(completedRuns).not.toContain(jobId);
  });

  it("Retry all queues the organisation's failed jobs again, and leaves another organisation's alone", async () => {
    const theirs = await failingJob(repoB, "still broken");
    const mineNow = (await overview()).failed.map((job) => job.id);
    expect(mineNow.length).toBeGreaterThanOrEqual(1);
    for (const id of mineNow) broken.delete(id);

    const outcome = await run(queuesPage.action, "/settings/queues?queue=analysis", { form: { intent: "retry-all", queue: "analysis" } });

    expect(outcome).toEqual({ status: 200, body: { notice: `Queued ${mineNow.length} failed analysis ${mineNow.length === 1 ? "job" : "jobs"} again.` } });
    await waitFor(() => mineNow.every((id) => completedRuns.includes(id)), { what: "the retried jobs to succeed" });
    expect((await overview()).failed).toEqual([]);
    expect(await services.queue.getFailed("analysis", theirs)).not.toBeNull();
  });

  it("another organisation's job id answers 404 like an unknown one, and the job stays failed", async () => {
    const theirs = await failingJob(repoB, "GitHub answered 500");

    const retry = await run(queuesPage.action, "/settings/queues", { form: { intent: "retry", queue: "analysis", jobId: theirs } });
    const discard = await run(queuesPage.action, "/settings/queues", { form: { intent: "discard", queue: "analysis", jobId: theirs } });
    const unknown = await run(queuesPage.action, "/settings/queues", { form: { intent: "retry", queue: "analysis", jobId: "no-such-job" } });

    expect(retry).toEqual({ status: 404, body: { error: `No failed job "${theirs}" in the analysis queue (it may have been retried or discarded already).` } });
    expect(discard.status).toBe(404);
    expect(unknown).toEqual({ status: 404, body: { error: 'No failed job "no-such-job" in the analysis queue (it may have been retried or discarded already).' } });
    expect(await services.queue.getFailed("analysis", theirs)).toMatchObject({ failedReason: "GitHub answered 500" });
  });

  it("refuses members: 403 on the page and on every action, and nothing changes", async () => {
    const jobId = await failingJob(repoA, "GitHub answered 503");

    const page = await run(queuesPage.loader, "/settings/queues", { cookie: cookies.member });
    const retry = await run(queuesPage.action, "/settings/queues", { cookie: cookies.member, form: { intent: "retry", queue: "analysis", jobId } });
    const discard = await run(queuesPage.action, "/settings/queues", { cookie: cookies.member, form: { intent: "discard", queue: "analysis", jobId } });
    const all = await run(queuesPage.action, "/settings/queues", { cookie: cookies.member, form: { intent: "retry-all", queue: "analysis" } });

    expect([page.status, retry.status, discard.status, all.status]).toEqual([403, 403, 403, 403]);
    expect(await services.queue.getFailed("analysis", jobId)).not.toBeNull();
  });

  it("answers bad input with what is wrong", async () => {
    const unknownQueue = await run(queuesPage.loader, "/settings/queues?queue=emails");
    const badPage = await run(queuesPage.loader, "/settings/queues?queue=analysis&page=0");
    const notANumber = await run(queuesPage.loader, "/settings/queues?page=two");
    expect(unknownQueue).toEqual({ status: 404, body: 'There is no queue named "emails"; the queues are webhooks, analysis, scheduled-jobs, notifications.' });
    expect(badPage).toEqual({ status: 400, body: "page must be a whole number from 1" });
    expect(notANumber).toEqual({ status: 400, body: "page must be a whole number from 1" });

    const post = (form: Record<string, string>) => run(queuesPage.action, "/settings/queues", { form });
    expect(await post({ intent: "retry", queue: "emails", jobId: "x" })).toEqual({
      status: 400,
      body: {
        error: "choose a queue: webhooks, analysis, scheduled-jobs, notifications",
        fieldErrors: { queue: "choose a queue: webhooks, analysis, scheduled-jobs, notifications" },
      },
    });
    expect(await post({ intent: "discard", queue: "analysis" })).toMatchObject({ status: 400, body: { fieldErrors: { jobId: "choose a job" } } });
    expect(await post({ intent: "discard", queue: "analysis", jobId: "repo:1" })).toMatchObject({
      status: 400,
      body: { fieldErrors: { jobId: "a job id never contains ':'" } },
    });
    expect(await post({ intent: "purge", queue: "analysis" })).toMatchObject({ status: 400, body: { fieldErrors: { intent: "choose retry, discard or retry all" } } });
  });
});
