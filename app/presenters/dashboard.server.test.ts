import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binCommits, confidenceAtPrior, estimateShareFromBins, expectedAiLinesAtPrior } from "../../domain/metrics/share-bins.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { getDashboard, windowStartDay } from "./dashboard.server.ts";
import { getHighRiskFiles, getRepoOverview, getRepoShareEstimate } from "./repository.server.ts";

/** Thursday afternoon; the 90-day window starts on 2025-12-21 (UTC), today included. */
const NOW = new Date("2026-03-20T15:00:00Z");

/**
 * The analysed commits of acme/api in the window: their commit-level confidences and written lines by tier (the
 * counted files' lines below). AI share is the estimate over these (ADR 033); counting files at ≥ 0.5 read 45 / 72.
 */
const IN_WINDOW = [
  { confidence: 0.9, writtenLines: 30, linesByTier: { t1: 0, t2: 0, t3: 30, t4: 0 } },
  { confidence: 0.8, writtenLines: 15, linesByTier: { t1: 0, t2: 0, t3: 10, t4: 5 } },
  { confidence: 0.1, writtenLines: 27, linesByTier: { t1: 0, t2: 20, t3: 7, t4: 0 } },
];
const ESTIMATE = estimateShareFromBins(binCommits(IN_WINDOW));

describe("overview and repository numbers (from the daily rollups)", () => {
  let database: TestDatabase;
  let orgId: string;
  let repoId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const sql = database.sql;
    const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('acme', 'Acme') returning id`;
    const [other] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('globex', 'Globex') returning id`;
    orgId = org!.id;
    const [repo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${orgId}, 'acme/api') returning id`;
    const [hidden] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name, disabled_at) values (${orgId}, 'acme/old', now()) returning id`;
    const [foreign] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${other!.id}, 'globex/api') returning id`;
    repoId = repo!.id;
    const event = (repo: string, owner: string, key: string, at: string) =>
      sql`insert into code_events (org_id, repo_id, type, event_key, timestamp) values (${owner}, ${repo}, 'commit', ${key}, ${at})`;
    await event(repoId, orgId, "before-window", "2025-12-20T23:59:59Z");
    await event(repoId, orgId, "first-moment", "2025-12-21T00:00:00Z");
    await event(repoId, orgId, "today-1", "2026-03-20T09:00:00Z");
    await event(repoId, orgId, "today-2", "2026-03-20T14:00:00Z");
    await event(hidden!.id, orgId, "hidden", "2026-03-20T10:00:00Z");
    await event(foreign!.id, other!.id, "foreign", "2026-03-20T11:00:00Z");

    // Written lines by tier: the commit's counted files below, as the verdict writer sums them.
    const commit = (repo: string, owner: string, sha: string, at: string, status: string, confidence: number | null, tiers = [0, 0, 0, 0]) =>
      sql`insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, detector_version,
            written_lines, written_lines_t1, written_lines_t2, written_lines_t3, written_lines_t4)
          values (${owner}, ${repo}, ${sha}, ${at}, ${status}, ${confidence}, ${confidence === null ? null : "sentinel-detector-1.3.0"},
            ${tiers.reduce((sum, lines) => sum + lines, 0)}, ${tiers[0]!}, ${tiers[1]!}, ${tiers[2]!}, ${tiers[3]!})`;
    await commit(repoId, orgId, "a1", "2026-01-05T10:00:00Z", "analyzed", 0.9, [0, 0, 30, 0]);
    await commit(repoId, orgId, "a2", "2026-03-02T10:00:00Z", "analyzed", 0.8, [0, 0, 10, 5]);
    await commit(repoId, orgId, "h1", "2026-03-03T10:00:00Z", "analyzed", 0.1, [0, 20, 7, 0]);
    await commit(repoId, orgId, "p1", "2026-03-20T12:00:00Z", "pending", null);
    await commit(repoId, orgId, "old", "2025-12-20T10:00:00Z", "analyzed", 0.9, [0, 0, 1000, 0]);
    await commit(foreign!.id, other!.id, "f1", "2026-03-20T10:00:00Z", "analyzed", 0.9, [0, 0, 0, 999]);

    const file = (repo: string, owner: string, sha: string, path: string, at: string, confidence: number, tier: number, lines: number, counts = true) =>
      sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, lines_added,
            counts_toward_share, detector_version, authored_at)
          values (${owner}, ${repo}, ${sha}, ${path}, 'modified', ${confidence}, ${tier}, ${tier}, ${lines}, ${counts}, 'test', ${at})`;
    await file(repoId, orgId, "a1", "src/auth/login.ts", "2026-01-05T10:00:00Z", 0.9, 3, 30);
    await file(repoId, orgId, "a1", "package-lock.json", "2026-01-05T10:00:00Z", 0.9, 4, 500, false);
    await file(repoId, orgId, "a2", "src/auth/login.ts", "2026-03-02T10:00:00Z", 0.8, 3, 10);
    await file(repoId, orgId, "a2", "src/crypto/keys.ts", "2026-03-02T10:00:00Z", 0.8, 4, 5);
    await file(repoId, orgId, "h1", "src/ui/list.tsx", "2026-03-03T10:00:00Z", 0.1, 2, 20);
    await file(repoId, orgId, "h1", "src/billing/invoice.ts", "2026-03-03T10:00:00Z", 0.1, 3, 7);
    await file(repoId, orgId, "old", "src/auth/session.ts", "2025-12-20T10:00:00Z", 0.9, 3, 1000);
    await file(foreign!.id, other!.id, "f1", "src/auth/login.ts", "2026-03-20T10:00:00Z", 0.9, 4, 999);

    // Nightly metrics: AI tax weighted by changed lines; days without a tax and days before the window do not count.
    const metrics = (repo: string, owner: string, date: string, added: number, deleted: number, tax: number | null) =>
      sql`insert into repo_metrics (org_id, repo_id, date, lines_added, lines_deleted, ai_tax) values (${owner}, ${repo}, ${date}, ${added}, ${deleted}, ${tax})`;
    await metrics(repoId, orgId, "2026-03-01", 80, 20, 0.1);
    await metrics(repoId, orgId, "2026-03-02", 250, 50, 0.3);
    await metrics(repoId, orgId, "2026-03-03", 900, 100, null);
    await metrics(repoId, orgId, "2025-12-20", 900, 100, 0.9);
    await metrics(foreign!.id, other!.id, "2026-03-02", 900, 100, 0.99);

    const incident = (repo: string, owner: string, title: string, startedAt: string, resolvedAt: string | null) =>
      sql`insert into incidents (org_id, repo_id, title, severity, started_at, resolved_at) values (${owner}, ${repo}, ${title}, 'sev2', ${startedAt}, ${resolvedAt})`;
    await incident(repoId, orgId, "open in the window", "2026-03-10T08:00:00Z", null);
    await incident(repoId, orgId, "resolved", "2026-03-11T08:00:00Z", "2026-03-11T09:00:00Z");
    await incident(repoId, orgId, "open before the window", "2025-12-01T08:00:00Z", null);
    await incident(hidden!.id, orgId, "disabled repository", "2026-03-12T08:00:00Z", null);
    await incident(foreign!.id, other!.id, "another tenant", "2026-03-12T08:00:00Z", null);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("counts the last 90 UTC days, today included, of the organisation's active repositories only", async () => {
    expect(windowStartDay(NOW, 90)).toBe("2025-12-21");
    const dashboard = await getDashboard(database.db, orgId, NOW);
    expect(dashboard.repositories).toEqual([
      {
        id: repoId,
        fullName: "acme/api",
        source: "github",
        events: 3,
        commits: 4,
        analyzedCommits: 3,
        pendingCommits: 1,
        aiCommits: 2,
        // The lockfile's lines belong to nobody; the file from before the window is outside it.
        linesAdded: 30 + 10 + 5 + 20 + 7,
        writtenLines: 72,
        aiLines: Math.round(ESTIMATE.aiLines),
        aiShare: expect.closeTo(ESTIMATE.share!, 6),
        aiShareLow: expect.closeTo(ESTIMATE.low!, 6),
        aiShareHigh: expect.closeTo(ESTIMATE.high!, 6),
        // login.ts (twice) and keys.ts; invoice.ts is human-written.
        highRiskFiles: 2,
        // (0.1 × 100 + 0.3 × 300) ÷ 400 changed lines.
        aiTax: expect.closeTo(0.25, 6),
        openIncidents: 1,
        lastActivityAt: "2026-03-20T14:00:00.000Z",
      },
    ]);
    expect(dashboard.totals).toEqual({
      events: 3,
      commits: 4,
      analyzedCommits: 3,
      pendingCommits: 1,
      // One repository: the organisation's share is its share.
      aiShare: expect.closeTo(ESTIMATE.share!, 6),
      aiShareLow: expect.closeTo(ESTIMATE.low!, 6),
      aiShareHigh: expect.closeTo(ESTIMATE.high!, 6),
      aiTax: expect.closeTo(0.25, 6),
      openIncidents: 1,
    });
    expect(dashboard.detectorVersions).toEqual(["sentinel-detector-1.3.0"]);
  });

  it("draws 12 weekly AI shares from Monday to Monday", async () => {
    const { sparklines } = await getDashboard(database.db, orgId, NOW);
    expect(sparklines.weeks).toEqual([
      "2025-12-29", "2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02",
      "2026-02-09", "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16",
    ]);
    expect(Object.keys(sparklines.aiShare)).toEqual([repoId]);
    const series = sparklines.aiShare[repoId]!;
    // One prior, the window's (the same three commits), each week's lines at that prior.
    const p = (confidence: number) => confidenceAtPrior(confidence, ESTIMATE.prior);
    expect(series[sparklines.weeks.indexOf("2026-01-05")]).toBeCloseTo(Math.round(p(0.9) * 1000) / 10, 6);
    expect(series[sparklines.weeks.indexOf("2026-03-02")]).toBeCloseTo(Math.round(((15 * p(0.8) + 27 * p(0.1)) / 42) * 1000) / 10, 6);
    expect(series.filter((share) => share !== null)).toHaveLength(2);
  });

  it("gives the repository page the same window: lines by tier, AI share and high-risk files", async () => {
    const [other] = await database.sql<{ id: string }[]>`select id from organizations where slug = 'globex'`;
    const overview = await getRepoOverview(database.db, orgId, repoId, NOW);
    const dashboard = await getDashboard(database.db, orgId, NOW);
    // The overview's row and the repository's cards agree.
    expect(overview!.cards).toMatchObject({
      aiShare: dashboard.repositories[0]!.aiShare,
      aiShareLow: dashboard.repositories[0]!.aiShareLow,
      aiShareHigh: dashboard.repositories[0]!.aiShareHigh,
      writtenLines: 72,
      highRiskFiles: 2,
      openIncidents: dashboard.repositories[0]!.openIncidents,
    });
    expect(overview!.cards.aiTax).toBeCloseTo(dashboard.repositories[0]!.aiTax!, 9);
    expect(overview!.detectorVersions).toEqual(["sentinel-detector-1.3.0"]);
    // Written lines by tier, split by the share's own adjusted confidences.
    const tiers = expectedAiLinesAtPrior(binCommits(IN_WINDOW), ESTIMATE.prior);
    expect(overview!.linesByTier).toEqual(
      (["t1", "t2", "t3", "t4"] as const).map((tier, index) => ({
        tier: `T${index + 1}`,
        ai: Math.round(tiers.aiLinesByTier[tier]),
        human: tiers.linesByTier[tier] - Math.round(tiers.aiLinesByTier[tier]),
      })),
    );
    expect(overview!.linesByTier.map((tier) => tier.ai + tier.human)).toEqual([0, 20, 47, 5]);
    // Any range, from the same bins: the window's whole days give the cards' numbers.
    const range = await getRepoShareEstimate(database.db, orgId, repoId, { from: "2025-12-21", to: "2026-03-20" });
    expect(range).toMatchObject({ writtenLines: 72, analyzedCommits: 3, detectorVersions: ["sentinel-detector-1.3.0"] });
    expect(range.aiShare).toBeCloseTo(overview!.cards.aiShare!, 9);
    const january = await getRepoShareEstimate(database.db, orgId, repoId, { from: "2026-01-01", to: "2026-01-31" });
    expect(january).toMatchObject({ writtenLines: 30, analyzedCommits: 1 });
    expect(await getRepoShareEstimate(database.db, other!.id, repoId, { from: "2025-12-21", to: "2026-03-20" })).toMatchObject({ writtenLines: 0, aiShare: null });
    const files = await getHighRiskFiles(database.db, orgId, repoId, { now: NOW });
    expect(files.map((row) => [row.path, row.aiLinesAdded, row.aiCommits])).toEqual([
      ["src/crypto/keys.ts", 5, 1],
      ["src/auth/login.ts", 40, 2],
    ]);
    // Another organisation asking for this repository gets nothing.
    expect(await getRepoOverview(database.db, other!.id, repoId, NOW)).toBeNull();
    expect(await getHighRiskFiles(database.db, other!.id, repoId, { now: NOW })).toEqual([]);
  });

  it("stays exact when re-tiering takes a file out of T3/T4 and puts it back", async () => {
    const count = async () => (await getDashboard(database.db, orgId, NOW)).repositories[0]!.highRiskFiles;
    const card = async () => (await getRepoOverview(database.db, orgId, repoId, NOW))!.cards.highRiskFiles;
    await database.sql`update code_attribution set risk_tier = 2 where repo_id = ${repoId} and file_path = 'src/crypto/keys.ts'`;
    expect([await count(), await card()]).toEqual([1, 1]);
    await database.sql`update code_attribution set risk_tier = 4 where repo_id = ${repoId} and file_path = 'src/crypto/keys.ts'`;
    expect([await count(), await card()]).toEqual([2, 2]);
  });

  it("shows the repository's survival curves (the oldest cohort with a curve, per author kind) and its latest review-queue snapshot", async () => {
    const [other] = await database.sql<{ id: string }[]>`select id from organizations where slug = 'globex'`;
    const [foreignRepo] = await database.sql<{ id: string }[]>`select id from repositories where full_name = 'globex/api'`;
    const cohort = (owner: string, repo: string, week: string, kind: string, curve: Array<{ days: number; survival: number }>, halfLife: number | null) =>
      database.sql`insert into line_survival (org_id, repo_id, cohort_week, author_kind, lines_born, lines_died, lines_lost, half_life_days, curve, as_of)
        values (${owner}, ${repo}, ${week}, ${kind}, 100, 10, 0, ${halfLife}, ${JSON.stringify(curve)}::jsonb, '2026-03-20T00:00:00Z')`;
    await cohort(orgId, repoId, "2026-01-05", "ai", [{ days: 0, survival: 1 }, { days: 28, survival: 0.6 }], 40);
    await cohort(orgId, repoId, "2026-02-02", "ai", [{ days: 0, survival: 1 }, { days: 14, survival: 0.9 }], 90);
    await cohort(orgId, repoId, "2026-01-05", "human", [], null);
    await cohort(orgId, repoId, "2026-01-12", "human", [{ days: 0, survival: 1 }, { days: 28, survival: 0.85 }], 120);
    await cohort(other!.id, foreignRepo!.id, "2025-12-29", "ai", [{ days: 0, survival: 1 }, { days: 7, survival: 0.1 }], 3);

    const snapshot = (owner: string, repo: string, at: string, waiting: number) =>
      database.sql`insert into review_queue_snapshots (org_id, repo_id, taken_at, waiting, hanging, oldest_wait_minutes, median_pickup_minutes, ai_waiting_share)
        values (${owner}, ${repo}, ${at}, ${waiting}, 1, 300, 45, 0.5)`;
    await snapshot(orgId, repoId, "2026-03-20T13:00:00Z", 4);
    await snapshot(orgId, repoId, "2026-03-20T14:00:00Z", 6);
    await snapshot(other!.id, foreignRepo!.id, "2026-03-20T15:00:00Z", 99);

    const overview = await getRepoOverview(database.db, orgId, repoId, NOW);
    expect(overview!.survival).toEqual({
      ai: [{ days: 0, survival: 1 }, { days: 28, survival: 0.6 }],
      human: [{ days: 0, survival: 1 }, { days: 28, survival: 0.85 }],
      aiHalfLifeDays: 40,
      humanHalfLifeDays: 120,
    });
    expect(overview!.reviewQueue).toEqual({
      takenAt: "2026-03-20T14:00:00.000Z",
      waiting: 6,
      hanging: 1,
      oldestWaitMinutes: 300,
      medianPickupMinutes: 45,
      aiWaitingShare: 0.5,
    });
  });
});

describe("AI share is an estimate, not a count of files at ≥ 0.5 (ADR 033)", () => {
  let database: TestDatabase;
  let orgId: string;
  let human: string;
  let agent: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const sql = database.sql;
    const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('initech', 'Initech') returning id`;
    orgId = org!.id;
    const [humanRepo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${orgId}, 'initech/human') returning id`;
    const [agentRepo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${orgId}, 'initech/agent') returning id`;
    human = humanRepo!.id;
    agent = agentRepo!.id;
    const commits = (repo: string, rows: Array<{ confidence: number; lines: number }>) =>
      sql`insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, detector_version, written_lines, written_lines_t2)
        select ${orgId}, ${repo}, 'c' || n, '2026-03-01T10:00:00Z'::timestamptz + n * interval '7 hours', 'analyzed', confidence, 'sentinel-detector-1.3.0', lines, lines
        from unnest(${rows.map((row) => row.confidence)}::real[], ${rows.map((row) => row.lines)}::int[]) with ordinality as r(confidence, lines, n)`;
    // 40 human commits with weak, shared tells (0.1–0.3) of 50 lines, and one large commit at 0.6: half of all lines.
    await commits(human, [...Array.from({ length: 40 }, (_, index) => ({ confidence: 0.1 + (index % 5) * 0.05, lines: 50 })), { confidence: 0.6, lines: 2000 }]);
    // An agent's repository: every commit at 0.99.
    await commits(agent, Array.from({ length: 30 }, () => ({ confidence: 0.99, lines: 80 })));
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("reads a human-only repository at ≤ 3 % despite one large commit at 0.6 (the count read 50 %), an agent's at ≥ 90 %", async () => {
    const dashboard = await getDashboard(database.db, orgId, NOW);
    const byName = Object.fromEntries(dashboard.repositories.map((repo) => [repo.fullName, repo]));
    expect(byName["initech/human"]).toMatchObject({ writtenLines: 4000, analyzedCommits: 41 });
    expect(byName["initech/human"]!.aiShare!).toBeLessThanOrEqual(0.03);
    expect(byName["initech/human"]!.aiShareLow!).toBeLessThanOrEqual(byName["initech/human"]!.aiShare!);
    expect(byName["initech/agent"]).toMatchObject({ writtenLines: 2400, analyzedCommits: 30 });
    expect(byName["initech/agent"]!.aiShare!).toBeGreaterThanOrEqual(0.9);

    // The organisation: each repository's expected AI lines over all written lines, each with its own prior.
    const aiLines = [byName["initech/human"]!, byName["initech/agent"]!].map((repo) => (repo.aiShare ?? 0) * repo.writtenLines);
    expect(dashboard.totals.aiShare).toBeCloseTo((aiLines[0]! + aiLines[1]!) / 6400, 8);
    expect(dashboard.totals.aiShareLow!).toBeLessThanOrEqual(dashboard.totals.aiShare!);
    expect(dashboard.totals.aiShareHigh!).toBeGreaterThanOrEqual(dashboard.totals.aiShare!);
    // One fit over the whole organisation would have let the agent's commits lift the human repository's prior.
    expect(dashboard.totals.aiShare!).toBeLessThan((2400 + 2000) / 6400);

    const { sparklines } = dashboard;
    expect(Math.max(...sparklines.aiShare[human]!.map((share) => share ?? 0))).toBeLessThanOrEqual(3);
    expect(Math.min(...sparklines.aiShare[agent]!.filter((share): share is number => share !== null))).toBeGreaterThanOrEqual(90);
  });

  it("follows a re-score: the rollup moves the commits to their new bins at once", async () => {
    await database.sql`update commits set ai_confidence = 0.97, detector_version = 'sentinel-detector-1.4.0' where repo_id = ${human}`;
    const overview = await getRepoOverview(database.db, orgId, human, NOW);
    expect(overview!.cards.aiShare!).toBeGreaterThanOrEqual(0.9);
    expect(overview!.detectorVersions).toEqual(["sentinel-detector-1.4.0"]);
    await database.sql`update commits set ai_confidence = 0.05 where repo_id = ${human}`;
    expect((await getRepoOverview(database.db, orgId, human, NOW))!.cards.aiShare!).toBeLessThanOrEqual(0.03);
    await database.sql`delete from commits where repo_id = ${human}`;
    expect((await getRepoOverview(database.db, orgId, human, NOW))!.cards).toMatchObject({ aiShare: null, writtenLines: 0 });
  });
});
