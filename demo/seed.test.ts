import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDashboard } from "../app/presenters/dashboard.server.ts";
import { DETECTOR_TRAINING_PRIOR } from "../domain/detection/version.ts";
import { estimateAiShare } from "../domain/metrics/ai-share.ts";
import { combineShares } from "../domain/metrics/share-bins.ts";
import { startWorkers } from "../jobs/workers.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { organizations } from "../infrastructure/db/schema/index.ts";
import { demoDatasetFor } from "./commit-source.ts";
import { silentLogger } from "../infrastructure/logging/logger.ts";
import { waitFor } from "../tests/support/queue.ts";
import { seedDemoOrganization } from "./seed.ts";

const NOW = new Date("2026-11-20T12:00:00Z");
const SEED = 7;
const DAYS = 21;

async function snapshot(database: TestDatabase) {
  const [row] = await database.sql<
    { events: number; commits: number; analyzed: number; skipped: number; pending: number; files: number; incidents: number; links: number }[]
  >`
    select (select count(*) from code_events)::int as events,
           (select count(*) from commits)::int as commits,
           (select count(*) from commits where analysis_status = 'analyzed')::int as analyzed,
           (select count(*) from commits where analysis_status = 'skipped')::int as skipped,
           (select count(*) from commits where analysis_status = 'pending')::int as pending,
           (select count(*) from code_attribution)::int as files,
           (select count(*) from incidents)::int as incidents,
           (select count(*) from incident_commits)::int as links`;
  return row!;
}

/** Each seed replays three weeks of a simulated organisation (tens of seconds when the suite loads the machine). */
const SEEDING_TIMEOUT = { timeout: 120_000 };

describe("seedDemoOrganization (inline analysis)", SEEDING_TIMEOUT, () => {
  let database: TestDatabase;
  const dataset = demoDatasetFor({ seed: SEED, anchor: NOW.toISOString(), days: DAYS });

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("replays the generated deliveries into events, commits and per-file attribution", async () => {
    const services = await createTestServices(database);
    const result = await seedDemoOrganization(
      { db: database.db, queue: services.services.queue, logger: silentLogger },
      { seed: SEED, now: NOW, days: DAYS, analysis: "inline" },
    );
    await services.close();
    expect(result.status).toBe("seeded");

    const counts = await snapshot(database);
    expect(counts.commits).toBe(dataset.commits.length);
    expect(counts.pending).toBe(0);
    const merges = dataset.commits.filter((commit) => commit.parents.length > 1).length;
    expect(counts.skipped).toBe(merges);
    expect(counts.analyzed).toBe(dataset.commits.length - merges);
    expect(counts.files).toBeGreaterThan(counts.analyzed);
    expect(counts.incidents).toBe(dataset.incidents.length);

    // The nightly job's code computed the daily metrics, so the dashboard has series to chart.
    const [metrics] = await database.sql<{ days: number; commits: number }[]>`
      select count(distinct date)::int as days, coalesce(sum(commits), 0)::int as commits from repo_metrics`;
    expect(metrics!.days).toBeGreaterThan(DAYS / 2);
    expect(metrics!.commits).toBeGreaterThan(0);

    const [org] = await database.db.select().from(organizations).where(eq(organizations.isDemo, true));
    expect(org?.slug).toBe("acme-demo");
    const repos = await database.sql<{ full_name: string; source: string }[]>`select full_name, source from repositories order by full_name`;
    expect(repos).toEqual(dataset.repositories.map((repo) => ({ full_name: repo.full_name, source: "demo" })).sort((a, b) => a.full_name.localeCompare(b.full_name)));
  });

  it("detects the demo's marked AI commits and leaves most human commits below 0.5", async () => {
    const rows = await database.sql<{ sha: string; ai_confidence: number }[]>`
      select sha, ai_confidence from commits where analysis_status = 'analyzed'`;
    const truth = dataset.groundTruth.commits;
    const marked = rows.filter((row) => truth[row.sha]?.marked);
    const human = rows.filter((row) => truth[row.sha] && !truth[row.sha]!.aiAssisted);
    expect(marked.length).toBeGreaterThan(10);
    expect(marked.every((row) => row.ai_confidence >= 0.5)).toBe(true);
    const humanFlagged = human.filter((row) => row.ai_confidence >= 0.5).length;
    expect(humanFlagged / human.length).toBeLessThan(0.1);
  });

  it("does nothing on a second run, and a resumed run after an interruption ends with identical rows", async () => {
    const services = await createTestServices(database);
    const deps = { db: database.db, queue: services.services.queue, logger: silentLogger };
    const before = await snapshot(database);
    const again = await seedDemoOrganization(deps, { analysis: "inline", now: NOW });
    expect(again.status).toBe("exists");
    expect(await snapshot(database)).toEqual(before);

    // Interrupted seeding: not marked done, 25 analyses never ran (analysis writes the verdict and the file rows
    // in one transaction, so a lost analysis is a pending commit without file rows), some events never written.
    await database.sql`update organizations set settings = settings #- '{demo,seededAt}' where is_demo`;
    const lost = await database.sql<{ sha: string }[]>`
      update commits set analysis_status = 'pending', ai_confidence = null, signals = '[]'
      where sha in (select sha from commits where analysis_status = 'analyzed' order by sha limit 25) returning sha`;
    await database.sql`delete from code_attribution where commit_sha in ${database.sql(lost.map((row) => row.sha))}`;
    await database.sql`delete from code_events where id in (select id from code_events order by id desc limit 40)`;
    const resumed = await seedDemoOrganization(deps, { analysis: "inline", now: NOW });
    await services.close();
    expect(resumed.status).toBe("seeded");
    expect(await snapshot(database)).toEqual(before);
  });

  it("shows the organisation's repositories on the dashboard, and nothing to another organisation", async () => {
    const [org] = await database.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDemo, true));
    const dashboard = await getDashboard(database.db, org!.id, NOW);
    expect(dashboard.repositories).toHaveLength(3);
    // AI share: per repository, the estimate over its analysed commits (confidence, counted files' written lines),
    // then the repositories' AI lines over their written lines (ADR 033). The demo's history is all in the window.
    const commits = await database.sql<{ repo_id: string; confidence: number; lines: number }[]>`
      select c.repo_id, c.ai_confidence as confidence,
        coalesce((select sum(a.written_lines) from code_attribution a where a.repo_id = c.repo_id and a.commit_sha = c.sha and a.counts_toward_share), 0)::int as lines
      from commits c where c.analysis_status = 'analyzed' and c.ai_confidence is not null`;
    const estimates = dashboard.repositories.map((repo) =>
      estimateAiShare(
        commits.filter((commit) => commit.repo_id === repo.id),
        { trainingPrior: DETECTOR_TRAINING_PRIOR },
      ),
    );
    expect(estimates.every((estimate) => estimate.lines > 0)).toBe(true);
    // The rollup's bins stand each commit in for its bin's mean confidence: within half a point of the exact estimate.
    // Shares are fractions 0–1 (issue 19): half a point is 0.005.
    expect(Math.abs(dashboard.totals.aiShare! - combineShares(estimates).share!)).toBeLessThan(0.005);
    expect(dashboard.totals.commits).toBe(dataset.commits.length);

    const [other] = await database.db.insert(organizations).values({ slug: "other", name: "Other" }).returning({ id: organizations.id });
    const foreign = await getDashboard(database.db, other!.id, NOW);
    expect(foreign.repositories).toEqual([]);
    expect(foreign.totals.events).toBe(0);
  });
});

describe("seedDemoOrganization through BullMQ workers on the real Redis", SEEDING_TIMEOUT, () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("queues every commit for analysis and the workers drain it", async () => {
    const { services, close } = await createTestServices(database, { queue: "bullmq" });
    try {
      await startWorkers(services);
      const result = await seedDemoOrganization(
        { db: services.db, queue: services.queue, logger: silentLogger },
        { seed: 11, now: NOW, days: 10, analysis: "queue" },
      );
      expect(result.status).toBe("seeded");
      await waitFor(
        async () => {
          const [row] = await database.sql<{ pending: number }[]>`
            select count(*)::int as pending from commits where analysis_status = 'pending'`;
          return row!.pending === 0;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: "all commits analysed" },
      );
      const [row] = await database.sql<{ analyzed: number; files: number }[]>`
        select (select count(*) from commits where analysis_status = 'analyzed')::int as analyzed,
               (select count(*) from code_attribution)::int as files`;
      expect(row!.analyzed).toBeGreaterThan(0);
      expect(row!.files).toBeGreaterThanOrEqual(row!.analyzed);
      const counts = await services.queue.counts("analysis");
      expect(counts.failed).toBe(0);
      // Once every commit is analysed, the demo-metrics job computes the daily metrics.
      await waitFor(
        async () => {
          const [row] = await database.sql<{ rows: number }[]>`select count(*)::int as rows from repo_metrics`;
          return row!.rows > 0;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: "demo metrics computed" },
      );
    } finally {
      await close();
    }
  });
});

