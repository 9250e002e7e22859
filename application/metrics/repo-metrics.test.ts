import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayLineProvenance } from "../../domain/metrics/provenance.ts";
import { binCommits, estimateDayShare } from "../../domain/metrics/share-bins.ts";
import { addDays, localClock, localDayBounds } from "../../domain/metrics/time.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";
import type { Services } from "../services.ts";
import { loadPatchEvents, loadPatchEventsDecidingFocus } from "./provenance-store.ts";
import { computeRepoMetricsRange, loadRepositoryScope, type RepositoryScope } from "./repo-metrics.ts";
import { computeRepoSurvival } from "./survival.ts";

const NOW = new Date("2026-03-20T18:00:00Z");
let database: TestDatabase;
let services: Services;
let closeServices: () => Promise<void>;
let scopes: RepositoryScope[];
let from: string;
let to: string;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close: closeServices } = await createTestServices(database));
  await seedDemoOrganization({ db: services.db, queue: services.queue, logger: services.logger }, { analysis: "inline", days: 21, now: NOW, metrics: false });
  const repos = await database.sql<{ id: string }[]>`select id from repositories order by full_name`;
  scopes = (await Promise.all(repos.map((repo) => loadRepositoryScope(services.db, repo.id)))).filter((s): s is RepositoryScope => s !== null);
  to = addDays(localClock(NOW, "America/Los_Angeles").date, -1);
  from = addDays(to, -20);
}, 240_000);

afterAll(async () => {
  await closeServices?.();
  await database?.drop();
});

async function snapshot(table: "repo_metrics" | "line_survival") {
  return database.sql.unsafe(`select * from ${table} order by repo_id, ${table === "repo_metrics" ? "date" : "cohort_week, author_kind"}`);
}

describe("daily metrics on the demo organisation", () => {
  it("stores the patches of analysed commits for provenance", async () => {
    const [row] = await database.sql<{ count: number }[]>`select count(*)::int as count from commit_file_patches`;
    expect(row!.count).toBeGreaterThan(100);
  });

  it("matches an independent SQL computation of commits and lines per local day, and the estimate of each day's AI share", async () => {
    for (const scope of scopes) await computeRepoMetricsRange(services.db, scope, { from, to });
    const expected = await database.sql<{ repo_id: string; date: string; commits: number; ai_commits: number; lines_added: number; written_lines: number }[]>`
      with days as (
        select c.repo_id, (c.authored_at at time zone o.timezone)::date::text as date,
               count(*)::int as commits, count(*) filter (where c.ai_confidence >= 0.5)::int as ai_commits
        from commits c join organizations o on o.id = c.org_id
        where c.analysis_status = 'analyzed' group by 1, 2
      ), lines as (
        select a.repo_id, (a.authored_at at time zone o.timezone)::date::text as date,
               sum(a.lines_added) filter (where a.counts_toward_share)::int as lines_added,
               coalesce(sum(a.written_lines) filter (where a.counts_toward_share), 0)::int as written_lines
        from code_attribution a join organizations o on o.id = a.org_id group by 1, 2
      )
      select d.repo_id, d.date, d.commits, d.ai_commits, coalesce(l.lines_added, 0) as lines_added, coalesce(l.written_lines, 0) as written_lines
      from days d left join lines l using (repo_id, date)
      where d.date between ${from} and ${to}`;
    // Each analysed commit's local day, confidence and written lines (its counted files'), for the estimate by hand.
    const analysed = await database.sql<{ repo_id: string; date: string; confidence: number; lines: number }[]>`
      select c.repo_id, (c.authored_at at time zone o.timezone)::date::text as date, c.ai_confidence as confidence,
        coalesce((select sum(a.written_lines) from code_attribution a where a.repo_id = c.repo_id and a.commit_sha = c.sha and a.counts_toward_share), 0)::int as lines
      from commits c join organizations o on o.id = c.org_id
      where c.analysis_status = 'analyzed' and c.ai_confidence is not null`;
    const stored = await database.sql<{
      repo_id: string;
      date: string;
      commits: number;
      ai_commits: number;
      lines_added: number;
      written_lines: number;
      ai_lines_added: number;
      ai_percentage: number;
      ai_share_low: number | null;
      ai_share_high: number | null;
      detector_version: string | null;
    }[]>`
      select repo_id, date::text, commits, ai_commits, lines_added, written_lines, ai_lines_added, ai_percentage, ai_share_low, ai_share_high, detector_version
      from repo_metrics`;
    expect(expected.length).toBeGreaterThan(20);
    const byKey = new Map(stored.map((row) => [`${row.repo_id}/${row.date}`, row]));
    for (const row of expected) {
      const mine = byKey.get(`${row.repo_id}/${row.date}`);
      expect(mine, `${row.repo_id}/${row.date}`).toMatchObject({
        commits: row.commits,
        ai_commits: row.ai_commits,
        lines_added: row.lines_added,
        written_lines: row.written_lines,
        detector_version: expect.stringMatching(/^sentinel-detector-/),
      });
      // The day's commits at the prior fitted over them and the 89 days before (ADR 033).
      const window = analysed.filter((commit) => commit.repo_id === row.repo_id && commit.date >= addDays(row.date, -89) && commit.date < row.date);
      const day = analysed.filter((commit) => commit.repo_id === row.repo_id && commit.date === row.date);
      const estimate = estimateDayShare(
        binCommits(window.map((commit) => ({ confidence: commit.confidence, writtenLines: 0 }))),
        day.map((commit) => ({ confidence: commit.confidence, writtenLines: commit.lines })),
      );
      expect(mine!.ai_lines_added, `${row.repo_id}/${row.date}`).toBe(Math.round(estimate.aiLines));
      expect(mine!.ai_percentage).toBeCloseTo(estimate.share === null ? 0 : estimate.share * 100, 3);
      if (estimate.share !== null) {
        expect(mine!.ai_share_low!).toBeLessThanOrEqual(mine!.ai_percentage + 1e-3);
        expect(mine!.ai_share_high!).toBeGreaterThanOrEqual(mine!.ai_percentage - 1e-3);
      }
    }
    // Every day of the range has a row, also the quiet ones.
    expect(stored.length).toBe(scopes.length * 21);
  });

  it("finds churn and rework tax in the demo's history (later commits modify earlier lines)", async () => {
    const [totals] = await database.sql<{ ai: number; human: number; tax_days: number }[]>`
      select sum(ai_churn_lines)::int as ai, sum(human_churn_lines)::int as human, count(*) filter (where ai_tax > 0)::int as tax_days from repo_metrics`;
    expect(totals!.ai + totals!.human).toBeGreaterThan(0);
    expect(totals!.tax_days).toBeGreaterThan(0);
    const scope = scopes[0]!;
    const events = await loadPatchEvents(services.db, scope.repoId, { from: new Date(0), to: NOW });
    const { stats } = replayLineProvenance(events);
    // The replay follows the demo's patches: almost no deleted line disagrees with the text the replay holds.
    const deletions = events.reduce((sum, e) => sum + (e.patch?.split("\n").filter((l) => l.startsWith("-")).length ?? 0), 0);
    expect(stats.mismatchedLines).toBeLessThanOrEqual(deletions * 0.05);
  });

  it("leaves exactly the same rows when the same range runs again, and when two runs race", async () => {
    const before = await snapshot("repo_metrics");
    await computeRepoMetricsRange(services.db, scopes[0]!, { from, to });
    expect(await snapshot("repo_metrics")).toEqual(before);
    await Promise.all([
      computeRepoMetricsRange(services.db, scopes[1]!, { from, to }),
      computeRepoMetricsRange(services.db, scopes[1]!, { from, to }),
      computeRepoMetricsRange(services.db, scopes[1]!, { from: to, to }),
    ]);
    expect(await snapshot("repo_metrics")).toEqual(before);
  });

  it("computes weekly survival cohorts for AI and human lines, idempotently", async () => {
    const cohorts = await computeRepoSurvival(services.db, scopes[0]!, { asOfDate: to });
    expect(cohorts.some((c) => c.authorKind === "ai")).toBe(true);
    expect(cohorts.some((c) => c.authorKind === "human")).toBe(true);
    for (const cohort of cohorts) {
      expect(cohort.linesDied + cohort.linesLost).toBeLessThanOrEqual(cohort.linesBorn);
      for (const value of Object.values(cohort.survivalByWeeks)) if (value !== null) expect(value).toBeGreaterThanOrEqual(0);
    }
    const before = await snapshot("line_survival");
    await computeRepoSurvival(services.db, scopes[0]!, { asOfDate: to });
    expect(await snapshot("line_survival")).toEqual(before);
    expect(before.length).toBe(cohorts.length);
  });
});

describe("the daily job's focused replay (ADR 032)", () => {
  it("gives every day the same row as the range recompute's whole-window replay, also across a rename", async () => {
    const scope = scopes[2]!;
    const zone = scope.timeZone;
    // A rename two days before the end of the range, then an edit of the renamed file's first lines the next day.
    const [source] = await database.sql<{ path: string }[]>`
      select file_path as path from commit_file_patches
      where repo_id = ${scope.repoId} and status = 'added' and patch is not null and authored_at < ${localDayBounds(addDays(to, -4), zone).start.toISOString()}
      order by authored_at desc limit 1`;
    const renamedTo = `${source!.path}.moved.ts`;
    const extra = [
      { sha: "ade0000000000000000000000000000000000032", day: addDays(to, -2), path: renamedTo, previous: source!.path, status: "renamed", patch: null },
      { sha: "ade0000000000000000000000000000000000033", day: addDays(to, -1), path: renamedTo, previous: null, status: "modified", patch: "@@ -1,2 +1,1 @@\n-x\n-y\n+z" },
    ];
    for (const commit of extra) {
      const at = new Date(localDayBounds(commit.day, zone).start.getTime() + 12 * 3_600_000);
      await database.sql`insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, on_default_branch, lines_added)
        values (${scope.orgId}, ${scope.repoId}, ${commit.sha}, ${at.toISOString()}, 'analyzed', 0.1, true, 1)`;
      await database.sql`insert into commit_file_patches (org_id, repo_id, commit_sha, file_path, previous_path, status, patch, ai_authored, authored_at)
        values (${scope.orgId}, ${scope.repoId}, ${commit.sha}, ${commit.path}, ${commit.previous}, ${commit.status}, ${commit.patch}, false, ${at.toISOString()})`;
    }
    const lastDay = localDayBounds(addDays(to, -1), zone);
    const focused = await loadPatchEventsDecidingFocus(services.db, scope.repoId, { from: new Date(lastDay.start.getTime() - 14 * 86_400_000), to: lastDay.end }, { from: lastDay.start, to: lastDay.end });
    expect(focused.some((event) => event.path === source!.path)).toBe(true); // the rename brought the old path in

    const range = await computeRepoMetricsRange(services.db, scope, { from, to });
    expect(range.length).toBe(21);
    const before = await snapshot("repo_metrics");
    for (const row of range) {
      const [daily] = await computeRepoMetricsRange(services.db, scope, { from: row.date, to: row.date });
      expect(daily, row.date).toEqual(row);
    }
    expect(await snapshot("repo_metrics")).toEqual(before);
  }, 60_000);
});

describe("local-day boundaries", () => {
  it("counts a commit authored at 23:30 local time on that local day", async () => {
    const scope = scopes[0]!;
    const day = "2026-01-14";
    // 23:30 in Los Angeles on the 14th is 07:30 UTC on the 15th.
    const authoredAt = "2026-01-14T23:30:00-08:00";
    await database.sql`insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, lines_added)
      values (${scope.orgId}, ${scope.repoId}, 'feedface00000000000000000000000000000001', ${authoredAt}, 'analyzed', 0.9, 12)`;
    await database.sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, lines_added, written_lines, detector_version, authored_at)
      values (${scope.orgId}, ${scope.repoId}, 'feedface00000000000000000000000000000001', 'src/late.ts', 'added', 0.9, 1, 1, 12, 12, 'test', ${authoredAt})`;
    const rows = await computeRepoMetricsRange(services.db, scope, { from: day, to: addDays(day, 1) });
    expect(rows.map((row) => [row.date, row.commits, row.linesAdded, row.writtenLines, row.aiLinesAdded])).toEqual([
      [day, 1, 12, 12, 12],
      [addDays(day, 1), 0, 0, 0, 0],
    ]);
    // Its only commit in 90 days, at 0.9: the prior it fits is all but 1.
    expect(rows[0]!.aiPercentage).toBeGreaterThan(99);
    await database.sql`select 1 from repo_metrics where repo_id = ${scope.repoId} and date = ${day}`.then((r) => expect(r.length).toBe(1));
  });
});
