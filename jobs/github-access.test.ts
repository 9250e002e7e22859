import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as repoPage from "../app/routes/repos.$repoId.tsx";
import * as queuesPage from "../app/routes/settings.queues.tsx";
import { commits, organizationMembers, repositories, users, webhookDeliveries } from "../infrastructure/db/schema/index.ts";
import { loadCorpusCommits, type GitHubCommitRecord } from "../tests/fixtures/corpus.ts";
import type { FakeGitHub } from "../tests/fakes/github.ts";
import type { GitHubApi } from "../infrastructure/github/github-api.ts";
import { startTestGitHub } from "../tests/fakes/github-client.ts";
import { installationPayload, installationRepositoriesPayload, pushPayload, signDelivery, webhookRequest, type FixtureRepository } from "../tests/fixtures/webhooks.ts";
import { handleGitHubWebhook } from "../app/webhooks/github-webhook.server.ts";
import { waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { fixedClock } from "../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { startRecordingWorkers, type RecordedRun } from "../tests/support/recording-workers.ts";

/**
 * Issue 16: GitHub refusing a repository for a reason waiting does not fix (the App lacks a permission) used to be
 * taken for a rate limit, and the job was delayed and run again forever. Through the real webhook intake, BullMQ on
 * Redis and the production job handlers: the job fails once, the repository records why, its page and the queues
 * page say so, and the next successful fetch clears it. Rate limits still wait and run again.
 */

const SECRET = "github-access-secret";
const OWNER = { id: 515151, login: "acme-locked" };
const NOW = new Date("2026-03-02T10:00:00Z");

let database: TestDatabase;
let fake: FakeGitHub;
let api: GitHubApi;
let services: Services;
let runs: RecordedRun[];
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  database = await createTestDatabase();
  // The GitHub client's clock is stopped too: the time it stamps on a refusal, and waits computed from reset times.
  ({ fake, api } = await startTestGitHub({ now: () => NOW.getTime() }));
  const created = await createTestServices(database, { queue: "bullmq", clock: fixedClock(NOW), env: { GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_BACKFILL_DAYS: "0" } });
  services = created.services;
  cleanups.push(created.close);
  ({ runs } = await startRecordingWorkers(services, api, { queues: ["webhooks", "analysis"] }));
});

afterEach(() => {
  fake.requests.length = 0;
});

afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
  await fake?.close();
  await database?.drop();
});

async function deliver(event: string, payload: unknown): Promise<string> {
  const delivery = signDelivery(SECRET, event, payload);
  const response = await handleGitHubWebhook(webhookRequest(delivery), services);
  expect(response.status).toBe(202);
  await waitFor(
    async () => {
      const [row] = await database.db.select({ status: webhookDeliveries.status }).from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, delivery.deliveryId));
      return row?.status === "processed";
    },
    { timeoutMs: 10_000, what: `${event} processed` },
  );
  return delivery.deliveryId;
}

async function repositoryRow(fullName: string) {
  const [row] = await database.db
    .select({ id: repositories.id, orgId: repositories.orgId, accessError: repositories.accessError, accessErrorAt: repositories.accessErrorAt })
    .from(repositories)
    .where(eq(repositories.fullName, fullName));
  return row!;
}

async function analysisStatus(repoId: string, sha: string): Promise<string | undefined> {
  const [row] = await database.db
    .select({ status: commits.analysisStatus })
    .from(commits)
    .where(and(eq(commits.repoId, repoId), eq(commits.sha, sha)));
  return row?.status;
}

/** An owner of the organisation the installation created, signed in: the pages are read through their loaders. */
async function ownerCookie(orgId: string): Promise<string> {
  const [user] = await database.db.insert(users).values({ login: "locked-owner", githubId: 919191 }).returning({ id: users.id });
  await database.db.insert(organizationMembers).values({ orgId, userId: user!.id, role: "owner" });
  const session = await services.sessionStorage.getSession();
  session.set("userId", user!.id);
  session.set("orgId", orgId);
  return (await services.sessionStorage.commitSession(session)).split(";")[0]!;
}

type Handler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

async function load<T>(handler: Handler, path: string, cookie: string, params: Record<string, string> = {}, form?: Record<string, string>): Promise<T> {
  const request = new Request(`http://sentinel.test${path}`, {
    method: form ? "POST" : "GET",
    headers: { Cookie: cookie },
    body: form ? new URLSearchParams(form) : undefined,
  });
  const value = (await handler({ request, params, context: { services } })) as { type?: string; data?: unknown };
  // `data(value, init)` from an action.
  return (value && typeof value === "object" && value.type === "DataWithResponseInit" ? value.data : value) as T;
}

interface RepoPageData {
  overview: { accessError: { reason: string; at: string | null } | null };
}
interface QueuesPageData {
  accessErrors: { fullName: string; reason: string; at: string | null }[];
  failed: { id: string; attemptsMade: number; attempts: number; failedReason: string }[];
}

describe("a repository GitHub refuses to the App (real BullMQ worker, local GitHub fake)", () => {
  it("a push whose commit fetch gets a permission 403 fails its job once, records and shows why, and a later successful fetch clears it", async () => {
    const repo: FixtureRepository = { id: 610001, full_name: "acme-locked/api", default_branch: "main" };
    await deliver("installation", installationPayload("created", 8101, OWNER, [repo]));
    const [record] = loadCorpusCommits().slice(400, 401) as [GitHubCommitRecord];
    fake.addCommits([record]);
    const commitPath = new RegExp(`/commits/${record.sha}$`);
    // A permission refusal: quota left, no retry-after, GitHub's own message. One answer only: a retry would succeed.
    fake.fail({
      path: commitPath,
      times: 1,
      status: 403,
      headers: { "x-ratelimit-remaining": "4990", "x-ratelimit-limit": "5000", "x-ratelimit-reset": String(NOW.getTime() / 1000 + 3600) },
      body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest/commits/commits#get-a-commit" },
    });
    await deliver("push", pushPayload({ installationId: 8101, owner: OWNER, repo, records: [record] }));
    const { id: repoId, orgId } = await repositoryRow(repo.full_name);
    const jobId = `analyze-${repoId}-${record.sha}`;

    const failed = await waitFor(() => services.queue.getFailed("analysis", jobId), { timeoutMs: 15_000, what: "the analysis job failed" });
    expect(failed.attemptsMade).toBe(1);
    expect(failed.attempts).toBeGreaterThan(1); // it had attempts left, and used none of them
    expect(failed.failedReason).toMatch(/^the App lacks Contents: read on acme-locked\/api \(GitHub: "Resource not accessible by integration"\)/);
    expect(runs.filter((run) => run.id === jobId)).toHaveLength(1);
    expect(fake.requests.filter((request) => commitPath.test(request.path))).toHaveLength(1);
    expect(await analysisStatus(repoId, record.sha)).toBe("pending");

    const refused = await repositoryRow(repo.full_name);
    expect(refused.accessError).toBe(failed.failedReason);
    expect(refused.accessErrorAt).toEqual(NOW);

    const cookie = await ownerCookie(orgId);
    const page = await load<RepoPageData>(repoPage.loader as Handler, `/repos/${repoId}`, cookie, { repoId });
    expect(page.overview.accessError).toEqual({ reason: refused.accessError, at: NOW.toISOString() });
    const queues = await load<QueuesPageData>(queuesPage.loader as Handler, "/settings/queues?queue=analysis", cookie);
    expect(queues.accessErrors).toEqual([{ repoId, fullName: repo.full_name, reason: refused.accessError, at: NOW.toISOString() }]);
    expect(queues.failed).toEqual([expect.objectContaining({ id: jobId, attemptsMade: 1, failedReason: refused.accessError })]);

    // The permission is granted on GitHub; the owner retries the job from the queues page. It fetches, analyses, and clears.
    const retried = await load<{ notice?: string }>(queuesPage.action as Handler, "/settings/queues", cookie, {}, { intent: "retry", queue: "analysis", jobId });
    expect(retried.notice).toMatch(/^Queued analyze-commit/);
    await waitFor(async () => (await analysisStatus(repoId, record.sha)) === "analyzed", { timeoutMs: 15_000, what: "analysed after the retry" });
    expect(await repositoryRow(repo.full_name)).toMatchObject({ accessError: null, accessErrorAt: null });
    expect((await load<RepoPageData>(repoPage.loader as Handler, `/repos/${repoId}`, cookie, { repoId })).overview.accessError).toBeNull();
    expect((await load<QueuesPageData>(queuesPage.loader as Handler, "/settings/queues?queue=analysis", cookie)).accessErrors).toEqual([]);
  }, 60_000);

  it("a repository gone from the installation's access fails its backfill once as 'not found or not visible'", async () => {
    await deliver("installation", installationPayload("created", 8102, OWNER, []));
    const repo: FixtureRepository = { id: 610002, full_name: "acme-locked/moved", default_branch: "main" };
    fake.fail({ path: /^\/repos\/acme-locked\/moved\//, times: 1, status: 404, body: { message: "Not Found" } });
    fake.fail({ path: /^\/repos\/acme-locked\/moved$/, times: 1, status: 404, body: { message: "Not Found" } });
    await deliver("installation_repositories", installationRepositoriesPayload("added", 8102, OWNER, [repo]));
    const { id: repoId } = await repositoryRow(repo.full_name);
    // GITHUB_BACKFILL_DAYS is 0 here: queue the backfill as a newly added repository's would be.
    const since = "2026-01-01";
    const jobId = `backfill-${repoId}-${since}`;
    await services.queue.enqueue("analysis", "backfill-repository", { repoId, since }, { jobId });
    const failed = await waitFor(() => services.queue.getFailed("analysis", jobId), { timeoutMs: 15_000, what: "the backfill failed" });
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^acme-locked\/moved not found or not visible to the installation/);
    expect((await repositoryRow(repo.full_name)).accessError).toBe(failed.failedReason);
  }, 30_000);

  it("rate limits still wait and run again without using an attempt: quota spent, 429 retry-after, secondary limit", async () => {
    const repo: FixtureRepository = { id: 610003, full_name: "acme-locked/busy", default_branch: "main" };
    await deliver("installation", installationPayload("created", 8103, OWNER, [repo]));
    const [record] = loadCorpusCommits().slice(401, 402) as [GitHubCommitRecord];
    fake.addCommits([record]);
    const path = new RegExp(`/commits/${record.sha}$`);
    // Waits of about a second each: the reset is the client's (stopped) clock, and GitHub's retry-after.
    fake.fail({ path, times: 1, status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW.getTime() / 1000) }, body: { message: "API rate limit exceeded for installation ID 8103." } });
    fake.fail({ path, times: 1, status: 429, headers: { "retry-after": "1" }, body: { message: "Too many requests" } });
    fake.fail({ path, times: 1, status: 403, headers: { "retry-after": "1" }, body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." } });
    await deliver("push", pushPayload({ installationId: 8103, owner: OWNER, repo, records: [record] }));
    const { id: repoId } = await repositoryRow(repo.full_name);
    await waitFor(async () => (await analysisStatus(repoId, record.sha)) === "analyzed", { timeoutMs: 20_000, what: "analysed after three rate limits" });
    const jobRuns = runs.filter((run) => run.id === `analyze-${repoId}-${record.sha}`);
    expect(jobRuns.map((run) => run.attemptsMade)).toEqual([0, 0, 0, 0]);
    expect(jobRuns.slice(0, 3).map((run) => run.error)).toEqual([expect.stringMatching(/^RetryLaterError/), expect.stringMatching(/^RetryLaterError/), expect.stringMatching(/^RetryLaterError/)]);
    expect(fake.requests.filter((request) => path.test(request.path))).toHaveLength(4);
    expect((await repositoryRow(repo.full_name)).accessError).toBeNull();
  }, 40_000);
});
