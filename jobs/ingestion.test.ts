import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDashboard } from "../app/presenters/dashboard.server.ts";
import { listEvents } from "../app/presenters/events.server.ts";
import { listRepositoryOptions } from "../app/presenters/repositories.server.ts";
import { findRepository, getRepoOverview } from "../app/presenters/repository.server.ts";
import { codeAttribution, codeEvents, commits, repositories, webhookDeliveries } from "../infrastructure/db/schema/index.ts";
import { loadCorpusCommits, recentHistory, type GitHubCommitRecord } from "../tests/fixtures/corpus.ts";
import type { FakeGitHub } from "../tests/fakes/github.ts";
import type { GitHubApi } from "../infrastructure/github/github-api.ts";
import { startTestGitHub } from "../tests/fakes/github-client.ts";
import {
  installationPayload,
  installationRepositoriesPayload,
  pushPayload,
  signDelivery,
  webhookRequest,
  type FixtureRepository,
} from "../tests/fixtures/webhooks.ts";
import { handleGitHubWebhook } from "../app/webhooks/github-webhook.server.ts";
import { waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { enqueueCommitAnalysis } from "../application/analysis/enqueue-analysis.ts";
import { RECOVER_DELIVERIES_JOB } from "./recovery.ts";
import { startRecordingWorkers } from "../tests/support/recording-workers.ts";
import { startWorkers } from "./workers.ts";

const SECRET = "ingestion-secret";
const OWNER = { id: 424242, login: "acme-live" };

let database: TestDatabase;
let fake: FakeGitHub;
let api: GitHubApi;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fake, api } = await startTestGitHub());
});

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

afterAll(async () => {
  await fake?.close();
  await database?.drop();
});

async function servicesWith(queue: "bullmq" | "in-process", env: Record<string, string> = {}): Promise<Services> {
  const { services, close } = await createTestServices(database, { queue, env: { GITHUB_WEBHOOK_SECRET: SECRET, ...env } });
  cleanups.push(close);
  return services;
}

async function deliver(services: Services, event: string, payload: unknown): Promise<{ status: number; deliveryId: string }> {
  const delivery = signDelivery(SECRET, event, payload);
  const response = await handleGitHubWebhook(webhookRequest(delivery), services);
  return { status: response.status, deliveryId: delivery.deliveryId };
}

async function delivered(deliveryId: string): Promise<string | undefined> {
  const [row] = await database.db.select({ status: webhookDeliveries.status }).from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  return row?.status;
}

async function repoId(fullName: string): Promise<string> {
  const [row] = await database.db.select({ id: repositories.id }).from(repositories).where(eq(repositories.fullName, fullName));
  return row!.id;
}

async function commitCounts(id: string) {
  const [row] = await database.db
    .select({
      total: sql<number>`count(*)::int`,
      analyzed: sql<number>`count(*) filter (where ${commits.analysisStatus} = 'analyzed')::int`,
    })
    .from(commits)
    .where(eq(commits.repoId, id));
  return row!;
}

async function install(services: Services, installationId: number, repos: FixtureRepository[]): Promise<void> {
  const { status, deliveryId } = await deliver(services, "installation", installationPayload("created", installationId, OWNER, repos));
  expect(status).toBe(202);
  await waitFor(async () => (await delivered(deliveryId)) === "processed", { timeoutMs: 10_000, what: "installation processed" });
}

describe("GitHub ingestion end to end (real PostgreSQL, local GitHub fake)", () => {
  it("push of 20 commits → 20 commits analysed with attribution rows (BullMQ on Redis)", async () => {
    const services = await servicesWith("bullmq");
    await startWorkers(services, { github: api });
    const repo = { id: 500001, full_name: "acme-live/api", default_branch: "main" };
    await install(services, 7001, [repo]);
    const records = loadCorpusCommits().slice(100, 120);
    fake.addCommits(records);
    const tokensBefore = fake.tokensIssued;
    const { status } = await deliver(services, "push", pushPayload({ installationId: 7001, owner: OWNER, repo, records }));
    expect(status).toBe(202);
    const id = await repoId(repo.full_name);
    await waitFor(async () => (await commitCounts(id)).analyzed === 20, { timeoutMs: 30_000, what: "20 commits analysed" });
    const attributed = await database.db
      .selectDistinct({ sha: codeAttribution.commitSha })
      .from(codeAttribution)
      .where(eq(codeAttribution.repoId, id));
    expect(attributed).toHaveLength(20);
    expect(fake.tokensIssued - tokensBefore).toBeLessThanOrEqual(1);
  });

  it("row 9: a push listing 2048 commits fetches the rest through the compare API", async () => {
    // No backfill here: it would import the same history through the list-commits API.
    const services = await servicesWith("in-process", { GITHUB_BACKFILL_DAYS: "0" });
    const { runs } = await startRecordingWorkers(services, api, { queues: ["webhooks", "analysis"] });
    const repo = { id: 500002, full_name: "acme-live/monorepo", default_branch: "main" };
    const history = recentHistory(2100, { now: new Date(), salt: "row9" });
    fake.addRepository({ fullName: repo.full_name, history });
    await install(services, 7002, [repo]);
    // GitHub lists at most 2048 commits; the range before..after holds 2099.
    const listed = history.slice(0, 2048).reverse();
    const payload = pushPayload({ installationId: 7002, owner: OWNER, repo, records: listed, before: history[2099]!.sha });
    const { status, deliveryId } = await deliver(services, "push", payload);
    expect(status).toBe(202);
    const id = await repoId(repo.full_name);
    await waitFor(async () => (await commitCounts(id)).total === 2099, { timeoutMs: 60_000, what: "all 2099 commits recorded" });
    await waitFor(async () => runs.find((run) => run.name === "fetch-push-range")?.outcome !== undefined, { timeoutMs: 30_000, what: "compare job done" });
    expect(runs.find((run) => run.name === "fetch-push-range")).toMatchObject({ id: `push-range-${deliveryId}`, outcome: { status: "done", commits: 2099 } });
    const compareCalls = fake.requests.filter((request) => request.path.includes("/compare/"));
    expect(compareCalls.length).toBe(9); // 2099 commits, 250 per page
    const [events] = await database.db.select({ n: sql<number>`count(*)::int` }).from(codeEvents).where(eq(codeEvents.repoId, id));
    expect(events!.n).toBe(2099);
  }, 90_000);

  it("row 18: a 429 with retry-after delays the analysis job without using an attempt", async () => {
    const services = await servicesWith("in-process");
    const { runs } = await startRecordingWorkers(services, api, { queues: ["webhooks", "analysis"] });
    const repo = { id: 500003, full_name: "acme-live/web", default_branch: "main" };
    await install(services, 7003, [repo]);
    const [record] = loadCorpusCommits().slice(200, 201) as [GitHubCommitRecord];
    fake.addCommits([record]);
    fake.fail({ path: new RegExp(`/commits/${record.sha}$`), times: 1, status: 429, headers: { "retry-after": "1" } });
    fake.fail({ path: new RegExp(`/commits/${record.sha}$`), times: 1, status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000)) } });
    await deliver(services, "push", pushPayload({ installationId: 7003, owner: OWNER, repo, records: [record] }));
    const id = await repoId(repo.full_name);
    await waitFor(async () => (await commitCounts(id)).analyzed === 1, { timeoutMs: 15_000, what: "analysed after the rate limits" });
    const analysisRuns = runs.filter((run) => run.name === "analyze-commit" && run.id.includes(record.sha));
    expect(analysisRuns.length).toBe(3);
    expect(analysisRuns.map((run) => run.attemptsMade)).toEqual([0, 0, 0]);
    expect(analysisRuns[0]!.error).toMatch(/RetryLaterError/);
  });

  it("a backfill of a newly added repository pages through 90 days, rate limited halfway, with progress", async () => {
    const services = await servicesWith("in-process");
    const { runs, progress } = await startRecordingWorkers(services, api, { queues: ["webhooks", "analysis"] });
    await install(services, 7004, []);
    const repo = { id: 500004, full_name: "acme-live/payments", default_branch: "main" };
    const history = recentHistory(250, { now: new Date(), days: 80, salt: "backfill" });
    fake.addRepository({ fullName: repo.full_name, history });
    fake.fail({ path: /\/repos\/acme-live\/payments\/commits$/, times: 0, status: 200 });
    let listCalls = 0;
    const original = fake.requests.push.bind(fake.requests);
    fake.requests.push = (...items) => {
      for (const item of items) {
        if (item.path === "/repos/acme-live/payments/commits" && ++listCalls === 2) {
          fake.fail({ path: /\/repos\/acme-live\/payments\/commits$/, times: 1, status: 429, headers: { "retry-after": "1" } });
        }
      }
      return original(...items);
    };
    const added = await deliver(services, "installation_repositories", installationRepositoriesPayload("added", 7004, OWNER, [repo]));
    expect(added.status).toBe(202);
    await waitFor(async () => (await delivered(added.deliveryId)) === "processed", { timeoutMs: 10_000, what: "repositories added" });
    const id = await repoId(repo.full_name);
    await waitFor(async () => (await commitCounts(id)).total === 250, { timeoutMs: 30_000, what: "250 commits backfilled" });
    const backfills = runs.filter((run) => run.name === "backfill-repository");
    await waitFor(async () => backfills.some((run) => run.outcome !== undefined), { timeoutMs: 10_000, what: "backfill done" });
    expect(backfills.map((run) => run.attemptsMade)).toEqual([0, 0]);
    expect(backfills[0]!.error).toMatch(/RetryLaterError/);
    expect(backfills[1]!.outcome).toMatchObject({ status: "done", commits: 250 });
    // First run: page 1, then the 429 on page 2. The re-run starts over; page 1 is a no-op write the second time.
    expect(progress.filter((entry) => entry.id === backfills[1]!.id).map((entry) => (entry.progress as { page: number }).page)).toEqual([1, 1, 2, 3]);
    const [onDefault] = await database.db.select({ n: sql<number>`count(*)::int` }).from(commits).where(and(eq(commits.repoId, id), eq(commits.onDefaultBranch, true)));
    expect(onDefault!.n).toBe(250);
  });

  it("installation removed while its jobs are queued: the jobs skip, nothing is attributed, the dashboard hides it", async () => {
    const services = await servicesWith("in-process");
    await startRecordingWorkers(services, api, { queues: ["webhooks"] });
    const repo = { id: 500005, full_name: "acme-live/legacy", default_branch: "main" };
    await install(services, 7005, [repo]);
    const id = await repoId(repo.full_name);
    const records = loadCorpusCommits().slice(300, 305);
    fake.addCommits(records);
    const push = await deliver(services, "push", pushPayload({ installationId: 7005, owner: OWNER, repo, records }));
    await waitFor(async () => (await delivered(push.deliveryId)) === "processed", { timeoutMs: 10_000, what: "push processed" });
    // Five commit analyses plus the new repository's backfill. The delivery is marked processed before its analyses
    // are queued (the job queues them after its transaction), so under load the count can lag the status a moment.
    await waitFor(async () => (await services.queue.counts("analysis")).waiting === 6, { timeoutMs: 10_000, what: "analyses queued" });
    const [org] = await database.db.select({ orgId: repositories.orgId }).from(repositories).where(eq(repositories.id, id));
    expect((await getDashboard(database.db, org!.orgId, new Date())).repositories.map((row) => row.id)).toContain(id);

    const removed = await deliver(services, "installation", installationPayload("deleted", 7005, OWNER, [repo]));
    await waitFor(async () => (await delivered(removed.deliveryId)) === "processed", { timeoutMs: 10_000, what: "deletion processed" });
    const requestsBefore = fake.requests.length;
    const { runs } = await startRecordingWorkers(services, api, { queues: ["analysis"] });
    await waitFor(async () => runs.filter((run) => run.outcome !== undefined).length === 6, { timeoutMs: 10_000, what: "queued jobs ran" });
    for (const run of runs) expect(run.outcome).toMatchObject({ status: "skipped", reason: "repository was removed from Sentinel" });
    expect(runs.filter((run) => run.name === "analyze-commit")).toHaveLength(5);
    expect(fake.requests.length).toBe(requestsBefore); // no GitHub call for a removed installation
    expect(await database.db.select().from(codeAttribution).where(eq(codeAttribution.repoId, id))).toHaveLength(0);
    expect((await getDashboard(database.db, org!.orgId, new Date())).repositories.map((row) => row.id)).not.toContain(id);

    // Later events for it are recorded as deliveries but change nothing.
    const later = await deliver(services, "push", pushPayload({ installationId: 7005, owner: OWNER, repo, records: loadCorpusCommits().slice(305, 306) }));
    await waitFor(async () => (await delivered(later.deliveryId)) === "ignored", { timeoutMs: 10_000, what: "later push ignored" });
    expect((await commitCounts(id)).total).toBe(5);
  });

  it("row 34: repositories removed from an installation are hidden and their later events ignored; its other repositories keep working", async () => {
    const services = await servicesWith("in-process", { GITHUB_BACKFILL_DAYS: "0" });
    await startRecordingWorkers(services, api, { queues: ["webhooks", "analysis"] });
    const kept = { id: 500007, full_name: "acme-live/kept", default_branch: "main" };
    const dropped = { id: 500008, full_name: "acme-live/dropped", default_branch: "main" };
    await install(services, 7007, [kept, dropped]);
    const keptId = await repoId(kept.full_name);
    const droppedId = await repoId(dropped.full_name);
    const records = loadCorpusCommits().slice(320, 328);
    fake.addCommits(records);
    for (const [repo, slice] of [[kept, records.slice(0, 3)], [dropped, records.slice(3, 6)]] as const) {
      const push = await deliver(services, "push", pushPayload({ installationId: 7007, owner: OWNER, repo, records: [...slice] }));
      await waitFor(async () => (await delivered(push.deliveryId)) === "processed", { timeoutMs: 10_000, what: `push to ${repo.full_name} processed` });
    }
    await waitFor(async () => (await commitCounts(keptId)).analyzed === 3 && (await commitCounts(droppedId)).analyzed === 3, { timeoutMs: 30_000, what: "both repositories analysed" });
    const [org] = await database.db.select({ orgId: repositories.orgId }).from(repositories).where(eq(repositories.id, keptId));
    const orgId = org!.orgId;
    const dashboardIds = async () => (await getDashboard(database.db, orgId, new Date())).repositories.map((row) => row.id);
    expect(await dashboardIds()).toEqual(expect.arrayContaining([keptId, droppedId]));

    const removed = await deliver(services, "installation_repositories", installationRepositoriesPayload("removed", 7007, OWNER, [dropped]));
    expect(removed.status).toBe(202);
    await waitFor(async () => (await delivered(removed.deliveryId)) === "processed", { timeoutMs: 10_000, what: "removal processed" });

    // Hidden from every dashboard read; its rows stay (frozen), the installation's other repository is untouched.
    expect(await dashboardIds()).toContain(keptId);
    expect(await dashboardIds()).not.toContain(droppedId);
    // The organisation holds the other tests' repositories too: the kept one is offered, the dropped one is not.
    const options = (await listRepositoryOptions(database.db, orgId)).map((row) => row.id);
    expect(options).toContain(keptId);
    expect(options).not.toContain(droppedId);
    expect(await findRepository(database.db, orgId, droppedId)).toBeNull();
    expect(await getRepoOverview(database.db, orgId, droppedId, new Date())).toBeNull();
    expect(await findRepository(database.db, orgId, keptId)).toMatchObject({ id: keptId });
    const feed = await listEvents(database.db, orgId, { limit: 200 });
    expect(feed.events.some((event) => event.repoId === keptId)).toBe(true);
    expect(feed.events.filter((event) => event.repoId === droppedId)).toEqual([]);
    expect((await listEvents(database.db, orgId, { limit: 200, repo: droppedId })).events).toEqual([]);

    // Later events: the removed repository's are recorded as deliveries and ignored, the other's still processed.
    const laterDropped = await deliver(services, "push", pushPayload({ installationId: 7007, owner: OWNER, repo: dropped, records: [records[6]!] }));
    const laterKept = await deliver(services, "push", pushPayload({ installationId: 7007, owner: OWNER, repo: kept, records: [records[7]!] }));
    expect([laterDropped.status, laterKept.status]).toEqual([202, 202]);
    await waitFor(async () => (await delivered(laterDropped.deliveryId)) === "ignored", { timeoutMs: 10_000, what: "push to the removed repository ignored" });
    await waitFor(async () => (await commitCounts(keptId)).analyzed === 4, { timeoutMs: 30_000, what: "the kept repository's new commit analysed" });
    expect(await delivered(laterKept.deliveryId)).toBe("processed");
    expect(await commitCounts(droppedId)).toEqual({ total: 3, analyzed: 3 });
    const [droppedEvents] = await database.db.select({ n: sql<number>`count(*)::int` }).from(codeEvents).where(eq(codeEvents.repoId, droppedId));
    expect(droppedEvents!.n).toBe(3);
  });

  it("recovery redelivers the failed deliveries Sentinel never recorded, and queues recorded ones that lost their job", async () => {
    const services = await servicesWith("in-process");
    const { runs } = await startRecordingWorkers(services, api, { queues: ["webhooks", "scheduled-jobs"] });
    const repo = { id: 500006, full_name: "acme-live/infra", default_branch: "main" };
    const missed = signDelivery(SECRET, "installation", installationPayload("created", 7006, OWNER, [repo]));
    const recorded = await deliver(services, "ping", { zen: "Design for failure.", hook_id: 1 });
    const now = Date.now();
    fake.hookDeliveries.splice(0, fake.hookDeliveries.length,
      { id: 3, guid: missed.deliveryId, delivered_at: new Date(now - 60_000).toISOString(), redelivery: false, status_code: 503, status: "Service Unavailable", event: "installation", action: "created", installation_id: 7006, repository_id: null },
      { id: 2, guid: recorded.deliveryId, delivered_at: new Date(now - 120_000).toISOString(), redelivery: false, status_code: 200, status: "OK", event: "ping", action: null, installation_id: null, repository_id: null },
      { id: 1, guid: "old-and-failed", delivered_at: new Date(now - 5 * 86_400_000).toISOString(), redelivery: false, status_code: 500, status: "Internal Server Error", event: "push", action: null, installation_id: 7006, repository_id: 1 },
    );
    fake.onRedeliver = async (hookDelivery) => {
      // GitHub sends the same delivery again, with the same X-GitHub-Delivery.
      if (hookDelivery.guid === missed.deliveryId) await handleGitHubWebhook(webhookRequest(missed), services);
    };
    await services.queue.enqueue("scheduled-jobs", RECOVER_DELIVERIES_JOB, {}, { jobId: "recover-test" });
    await waitFor(async () => (await delivered(missed.deliveryId)) === "processed", { timeoutMs: 10_000, what: "redelivered installation processed" });
    const recovery = runs.find((run) => run.name === RECOVER_DELIVERIES_JOB);
    await waitFor(async () => recovery?.outcome !== undefined, { timeoutMs: 5_000, what: "recovery finished" });
    expect(recovery!.outcome).toMatchObject({ redelivery: { redelivered: [missed.deliveryId], failedUnrecorded: 1 } });
    expect(fake.requests.filter((request) => request.path.endsWith("/attempts"))).toEqual([{ method: "POST", path: "/app/hook/deliveries/3/attempts" }]);
    expect(await repoId(repo.full_name)).toBeTruthy();
  });
});

describe("analysis jobs are keyed by repository and commit", () => {
  it("enqueueing the same commit twice queues one job", async () => {
    const services = await servicesWith("in-process");
    const target = { repoId: "00000000-0000-4000-8000-000000000001", sha: "a".repeat(40), trigger: "new" as const };
    await enqueueCommitAnalysis(services.queue, target);
    await enqueueCommitAnalysis(services.queue, target);
    expect((await services.queue.counts("analysis")).waiting).toBe(1);
    expect(inArray).toBeDefined();
  });
});
