import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binCommits, estimateShareFromBins, shareBinOf } from "../../domain/metrics/share-bins.ts";
import { localClock, startOfLocalDay } from "../../domain/metrics/time.ts";
import { commits, organizations, pullRequests, repositories, teamMembers, teams } from "../../infrastructure/db/schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { getTeamDetail, getTeamsOverview } from "./team-figures.ts";

/**
 * The per-author daily rollups (author_daily_activity and author_daily_pull_requests, migration 0026, ADR 080) against a
 * computation from the commits and pull requests themselves, after every kind of write the product makes: new commits,
 * a re-score, a login fixed by a later sync, merges and late reviews, a deleted repository, and the organisation moving
 * to another time zone. And a team's figures over whole local days
 * against the figures the read over commits gave before the rollup.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

async function organization(timezone: string) {
  const [org] = await database.db.insert(organizations).values({ slug: `org-${randomUUID().slice(0, 8)}`, name: "org", timezone }).returning({ id: organizations.id });
  const repos = await database.db
    .insert(repositories)
    .values([0, 1].map((index) => ({ orgId: org!.id, fullName: `org/${index}-${randomUUID().slice(0, 6)}`, source: "demo" as const })))
    .returning({ id: repositories.id });
  return { orgId: org!.id, repoIds: repos.map((repo) => repo.id) };
}

let shaSeq = 0;
interface CommitOptions {
  login: string | null;
  at: string;
  confidence?: number | null;
  lines?: number;
  tool?: string;
}
function commit(orgId: string, repoId: string, options: CommitOptions) {
  shaSeq += 1;
  const confidence = options.confidence === undefined ? 0.1 : options.confidence;
  return {
    orgId,
    repoId,
    sha: shaSeq.toString(16).padStart(40, "b"),
    authorLogin: options.login,
    authoredAt: new Date(options.at),
    analysisStatus: confidence === null ? ("pending" as const) : ("analyzed" as const),
    aiConfidence: confidence,
    signals: options.tool ? [{ id: "trailer-co-authored-by", agent: options.tool }] : [],
    writtenLines: options.lines ?? 10,
  };
}

type Key = string;
interface Sums {
  commits: number;
  writtenLines: number;
  confidenceSum: number;
}

/** The organisation's commits grouped as the rollup should hold them: local day and bin computed here, not in SQL. */
async function fromCommits(orgId: string): Promise<Map<Key, Sums>> {
  const [org] = await database.db.select({ timezone: organizations.timezone }).from(organizations).where(eq(organizations.id, orgId));
  const rows = await database.db.execute<{ login: string; authored_at: string; confidence: number | null; written_lines: number; tool: string | null }>(sql`
    select author_login as login, authored_at::text, ai_confidence::float8 as confidence, written_lines,
      case when ai_confidence >= 0.5 then commit_ai_tool(signals) end as tool
    from commits where org_id = ${orgId} and author_login is not null`);
  const sums = new Map<Key, Sums>();
  for (const row of rows) {
    const day = localClock(new Date(row.authored_at), org!.timezone).date;
    const bin = row.confidence === null ? null : shareBinOf(row.confidence);
    const key = JSON.stringify([row.login, day, bin, row.tool]);
    const into = sums.get(key) ?? { commits: 0, writtenLines: 0, confidenceSum: 0 };
    into.commits += 1;
    into.writtenLines += row.written_lines;
    into.confidenceSum += row.confidence ?? 0;
    sums.set(key, into);
  }
  return sums;
}

/** The rollup's rows, summed per key (writers that overlapped leave several rows for one key). */
async function fromRollup(orgId: string): Promise<Map<Key, Sums>> {
  const rows = await database.db.execute<{ login: string; day: string; bin: number | null; tool: string | null; commits: number; written_lines: number; confidence_sum: number }>(sql`
    select author_login as login, to_char(day, 'YYYY-MM-DD') as day, bin, tool, sum(commits)::int as commits,
      sum(written_lines)::int as written_lines, sum(confidence_sum)::float8 as confidence_sum
    from author_daily_activity where org_id = ${orgId} group by 1, 2, 3, 4`);
  return new Map(rows.map((row) => [JSON.stringify([row.login, row.day, row.bin, row.tool]), { commits: row.commits, writtenLines: row.written_lines, confidenceSum: row.confidence_sum }]));
}

async function expectRollupExact(orgId: string) {
  const expected = await fromCommits(orgId);
  const actual = await fromRollup(orgId);
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, sums] of expected) {
    const kept = actual.get(key)!;
    expect({ key, commits: kept.commits, writtenLines: kept.writtenLines }).toEqual({ key, commits: sums.commits, writtenLines: sums.writtenLines });
    expect(kept.confidenceSum).toBeCloseTo(sums.confidenceSum, 9);
  }
  // The weekly rows hold the same sums by the local ISO week (its Monday).
  const [weeksDiffer] = await database.db.execute<{ count: number }>(sql`
    with daily as (
      select author_login, day - (extract(isodow from day)::int - 1) as week, bin, tool, sum(commits) as commits, sum(written_lines) as lines, sum(confidence_sum) as confidence
      from author_daily_activity where org_id = ${orgId} group by 1, 2, 3, 4 having sum(commits) <> 0 or sum(written_lines) <> 0
    ), weekly as (
      select author_login, week, bin, tool, sum(commits) as commits, sum(written_lines) as lines, sum(confidence_sum) as confidence
      from author_weekly_activity where org_id = ${orgId} group by 1, 2, 3, 4 having sum(commits) <> 0 or sum(written_lines) <> 0
    )
    select count(*)::int as count from daily d full join weekly w
      on (d.author_login, d.week) = (w.author_login, w.week) and d.bin is not distinct from w.bin and d.tool is not distinct from w.tool
    where d.commits is distinct from w.commits or d.lines is distinct from w.lines or abs(coalesce(d.confidence, -1) - coalesce(w.confidence, 1)) > 1e-9`);
  expect(weeksDiffer!.count).toBe(0);
  // No row is left at zero to be summed by every read.
  const [empty] = await database.db.execute<{ count: number }>(sql`
    select count(*)::int as count from author_daily_activity where org_id = ${orgId} and commits = 0 and written_lines = 0 and abs(confidence_sum) < 1e-9`);
  expect(empty!.count).toBe(0);
  return actual;
}

/** Merged pull requests per author and local merge day, from the pull requests and from author_daily_pull_requests. */
async function expectPullRequestRollupExact(orgId: string) {
  const [org] = await database.db.select({ timezone: organizations.timezone }).from(organizations).where(eq(organizations.id, orgId));
  const merged = await database.db.execute<{ login: string; merged_at: string; unreviewed: boolean }>(sql`
    select author_login as login, merged_at::text, (review_count = 0 and first_review_at is null) as unreviewed
    from pull_requests where org_id = ${orgId} and merged_at is not null and author_login is not null`);
  const expected = new Map<string, [number, number]>();
  for (const row of merged) {
    const key = `${row.login} ${localClock(new Date(row.merged_at), org!.timezone).date}`;
    const [count, unreviewed] = expected.get(key) ?? [0, 0];
    expected.set(key, [count + 1, unreviewed + (row.unreviewed ? 1 : 0)]);
  }
  const rows = await database.db.execute<{ key: string; merged: number; unreviewed: number }>(sql`
    select author_login || ' ' || to_char(day, 'YYYY-MM-DD') as key, sum(merged)::int as merged, sum(merged_without_review)::int as unreviewed
    from author_daily_pull_requests where org_id = ${orgId} group by 1 having sum(merged) <> 0 or sum(merged_without_review) <> 0`);
  expect(new Map(rows.map((row) => [row.key, [row.merged, row.unreviewed]]))).toEqual(expected);
  const [empty] = await database.db.execute<{ count: number }>(sql`
    select count(*)::int as count from author_daily_pull_requests where org_id = ${orgId} and merged = 0 and merged_without_review = 0`);
  expect(empty!.count).toBe(0);
  return expected;
}

describe("author_daily_activity", () => {
  it("equal the commits' and pull requests' own sums after inserts, a re-score, merges and late reviews, login changes, deletes and a time-zone change", async () => {
    const { orgId, repoIds } = await organization("America/Los_Angeles");
    const [first, second] = repoIds as [string, string];
    const other = await organization("UTC");
    await database.db.insert(commits).values([
      // 23:30 in Los Angeles on 6 November, 07:30 on the 7th in UTC: the day moves with the zone.
      commit(orgId, first, { login: "ana", at: "2026-11-07T07:30:00Z", confidence: 0.97, lines: 120, tool: "Claude Code" }),
      commit(orgId, first, { login: "ana", at: "2026-11-07T09:00:00Z", confidence: 0.96, lines: 30, tool: "Claude Code" }),
      commit(orgId, second, { login: "ana", at: "2026-11-07T10:00:00Z", confidence: 0.5, lines: 7, tool: "Cursor" }),
      commit(orgId, second, { login: "ana", at: "2026-11-07T11:00:00Z", confidence: 0.49, lines: 9 }),
      commit(orgId, first, { login: "bo", at: "2026-11-08T18:00:00Z", confidence: 0.05, lines: 40 }),
      commit(orgId, first, { login: "bo", at: "2026-11-08T19:00:00Z", confidence: null, lines: 0 }),
      commit(orgId, second, { login: "cy", at: "2026-11-09T02:00:00Z", confidence: 0.7, lines: 15 }),
      commit(orgId, second, { login: null, at: "2026-11-09T03:00:00Z", confidence: 0.9, lines: 99, tool: "Cursor" }),
      commit(other.orgId, other.repoIds[0]!, { login: "ana", at: "2026-11-07T09:00:00Z", confidence: 0.99, lines: 500, tool: "Devin" }),
    ]);
    const inserted = await expectRollupExact(orgId);
    expect(inserted.get(JSON.stringify(["ana", "2026-11-06", 19, "Claude Code"]))).toMatchObject({ commits: 1, writtenLines: 120 });
    expect(inserted.get(JSON.stringify(["bo", "2026-11-08", null, null]))).toMatchObject({ commits: 1 });
    await expectRollupExact(other.orgId);
    const pr = (repoId: string, number: number, login: string | null, mergedAt: string | null, reviewCount = 0) => ({
      orgId,
      repoId,
      number,
      authorLogin: login,
      state: mergedAt ? ("merged" as const) : ("open" as const),
      openedAt: new Date("2026-11-01T00:00:00Z"),
      mergedAt: mergedAt ? new Date(mergedAt) : null,
      reviewCount,
    });
    await database.db.insert(pullRequests).values([
      pr(first, 1, "ana", "2026-11-07T07:30:00Z"),
      pr(first, 2, "ana", "2026-11-07T09:00:00Z", 2),
      pr(second, 3, "cy", "2026-11-08T12:00:00Z"),
      pr(second, 4, "bo", null),
      pr(second, 5, null, "2026-11-08T12:00:00Z"),
    ]);
    expect(await expectPullRequestRollupExact(orgId)).toEqual(new Map([["ana 2026-11-06", [1, 1]], ["ana 2026-11-07", [1, 0]], ["cy 2026-11-08", [1, 1]]]));
    // A first review arrives after the merge; another pull request is merged; a merge time is corrected.
    await database.db.update(pullRequests).set({ firstReviewAt: new Date("2026-11-09T00:00:00Z") }).where(and(eq(pullRequests.repoId, first), eq(pullRequests.number, 1)));
    await database.db.update(pullRequests).set({ state: "merged", mergedAt: new Date("2026-11-09T12:00:00Z") }).where(and(eq(pullRequests.repoId, second), eq(pullRequests.number, 4)));
    await database.db.update(pullRequests).set({ mergedAt: new Date("2026-11-10T12:00:00Z"), authorLogin: "cy-renamed" }).where(and(eq(pullRequests.repoId, second), eq(pullRequests.number, 3)));
    await expectPullRequestRollupExact(orgId);

    // A re-score (ADR 074) moves commits between bins and tools and changes their written lines, several in one statement.
    await database.db
      .update(commits)
      .set({ aiConfidence: sql`case when ${commits.aiConfidence} >= 0.5 then 0.2 else 0.91 end`, writtenLines: sql`${commits.writtenLines} + 3`, signals: [{ id: "trailer-co-authored-by", agent: "Aider" }] })
      .where(and(eq(commits.orgId, orgId), inArray(commits.authorLogin, ["ana", "bo"])));
    await expectRollupExact(orgId);
    // An update that changes none of the rollup's columns writes nothing.
    await database.db.update(commits).set({ prNumber: 12 }).where(eq(commits.orgId, orgId));
    await expectRollupExact(orgId);

    // A login recorded late (a later sync matched the e-mail), and another corrected.
    await database.db.update(commits).set({ authorLogin: "dee" }).where(and(eq(commits.orgId, orgId), sql`${commits.authorLogin} is null`));
    await database.db.update(commits).set({ authorLogin: "cy-renamed" }).where(and(eq(commits.orgId, orgId), eq(commits.authorLogin, "cy")));
    await expectRollupExact(orgId);

    // One commit deleted, then a whole repository (its commits go with it; the authors' other rows stay).
    await database.db.delete(commits).where(and(eq(commits.orgId, orgId), eq(commits.authorLogin, "bo"), sql`${commits.aiConfidence} is null`));
    await expectRollupExact(orgId);
    await database.db.delete(repositories).where(eq(repositories.id, second));
    const afterDelete = await expectRollupExact(orgId);
    expect([...afterDelete.keys()].some((key) => key.includes("cy-renamed"))).toBe(false);
    expect([...(await expectPullRequestRollupExact(orgId)).keys()]).toEqual(["ana 2026-11-06", "ana 2026-11-07"]);

    // The organisation moves to UTC: every day boundary moves.
    await database.db.update(organizations).set({ timezone: "UTC" }).where(eq(organizations.id, orgId));
    const rezoned = await expectRollupExact(orgId);
    expect([...(await expectPullRequestRollupExact(orgId)).keys()]).toEqual(["ana 2026-11-07"]);
    expect([...rezoned.keys()].some((key) => key.startsWith(JSON.stringify(["ana", "2026-11-07"]).slice(0, -1)))).toBe(true);
    await expectRollupExact(other.orgId);

    // Deleting an organisation takes its rows with it and writes none back.
    await database.db.delete(organizations).where(eq(organizations.id, other.orgId));
    const [left] = await database.db.execute<{ count: number }>(sql`select count(*)::int as count from author_daily_activity where org_id = ${other.orgId}`);
    expect(left!.count).toBe(0);
  });

  it("gives a team the figures the read over its people's commits gave, for a range of whole local days", async () => {
    const timezone = "Europe/Berlin";
    const { orgId, repoIds } = await organization(timezone);
    const logins = ["ana", "bo", "cy"];
    const tools = ["Claude Code", "Cursor", "Copilot"];
    const rows = [];
    // Three weeks of commits every five hours and a bit, so some fall just either side of a local midnight.
    for (let index = 0; index < 100; index += 1) {
      const at = new Date(Date.parse("2026-10-20T00:00:00Z") + index * 5.3 * 3_600_000).toISOString();
      const confidence = index % 7 === 0 ? null : ((index * 37) % 100) / 100;
      rows.push(commit(orgId, repoIds[index % 2]!, { login: logins[index % 3]!, at, confidence, lines: (index * 13) % 50, tool: tools[index % 3] }));
    }
    await database.db.insert(commits).values(rows);
    await database.db.insert(pullRequests).values(
      Array.from({ length: 40 }, (_, index) => ({
        orgId,
        repoId: repoIds[index % 2]!,
        number: index + 1,
        authorLogin: logins[index % 3]!,
        state: "merged" as const,
        openedAt: new Date("2026-10-19T00:00:00Z"),
        mergedAt: new Date(Date.parse("2026-10-20T00:00:00Z") + index * 11.7 * 3_600_000),
        reviewCount: index % 4 === 0 ? 0 : 1,
      })),
    );
    const [team] = await database.db.insert(teams).values({ orgId, slug: "core", name: "Core", source: "manual" }).returning({ id: teams.id });
    await database.db.insert(teamMembers).values(logins.map((login) => ({ teamId: team!.id, orgId, login, source: "manual" as const })));
    // Crosses the change to winter time (25 October in Berlin): the range's days are local days.
    const range = { from: startOfLocalDay("2026-10-22", timezone), to: startOfLocalDay("2026-11-02", timezone) };

    const overview = await getTeamsOverview(database.db, orgId, range);
    const figures = overview.teams[0]!.figures;
    const reference = await database.db.execute<{ commits: number; ai_commits: number; lines: number; people: number }>(sql`
      select count(*)::int as commits, count(*) filter (where ai_confidence >= 0.5)::int as ai_commits,
        coalesce(sum(written_lines), 0)::int as lines, count(distinct author_login)::int as people
      from commits where org_id = ${orgId} and authored_at >= ${range.from.toISOString()}::timestamptz and authored_at < ${range.to.toISOString()}::timestamptz`);
    expect(reference[0]!.commits).toBeGreaterThan(30);
    expect({ activePeople: figures.activePeople, commits: figures.commits, aiCommits: figures.aiCommits, writtenLines: figures.writtenLines }).toEqual({
      activePeople: reference[0]!.people,
      commits: reference[0]!.commits,
      aiCommits: reference[0]!.ai_commits,
      writtenLines: reference[0]!.lines,
    });
    const byTool = await database.db.execute<{ tool: string; commits: number }>(sql`
      select commit_ai_tool(signals) as tool, count(*)::int as commits from commits
      where org_id = ${orgId} and ai_confidence >= 0.5 and authored_at >= ${range.from.toISOString()}::timestamptz and authored_at < ${range.to.toISOString()}::timestamptz
      group by 1 order by 2 desc, 1`);
    expect(figures.aiCommitsByTool).toEqual(byTool.map((row) => ({ tool: row.tool, commits: row.commits })));
    // The AI share is the estimate over the very commits' bins.
    const scored = await database.db.execute<{ confidence: number; written_lines: number }>(sql`
      select ai_confidence::float8 as confidence, written_lines from commits
      where org_id = ${orgId} and ai_confidence is not null and authored_at >= ${range.from.toISOString()}::timestamptz and authored_at < ${range.to.toISOString()}::timestamptz`);
    const estimate = estimateShareFromBins(binCommits(scored.map((row) => ({ confidence: row.confidence, writtenLines: row.written_lines }))));
    expect(figures.aiShare).not.toBeNull();
    expect(figures.aiShare!).toBeCloseTo(estimate.share!, 9);
    expect(figures.aiShareLow!).toBeCloseTo(estimate.low!, 9);
    expect(figures.aiShareHigh!).toBeCloseTo(estimate.high!, 9);

    const [prs] = await database.db.execute<{ merged: number; unreviewed: number }>(sql`
      select count(*)::int as merged, count(*) filter (where review_count = 0 and first_review_at is null)::int as unreviewed from pull_requests
      where org_id = ${orgId} and merged_at >= ${range.from.toISOString()}::timestamptz and merged_at < ${range.to.toISOString()}::timestamptz`);
    expect(prs!.merged).toBeGreaterThan(10);
    expect([figures.prsMerged, figures.prsMergedWithoutReview]).toEqual([prs!.merged, prs!.unreviewed]);

    // Per person, the same: one login's commits of those days.
    const detail = await getTeamDetail(database.db, orgId, team!.id, range, { perPerson: true });
    const perPerson = await database.db.execute<{ login: string; commits: number }>(sql`
      select author_login as login, count(*)::int as commits from commits
      where org_id = ${orgId} and authored_at >= ${range.from.toISOString()}::timestamptz and authored_at < ${range.to.toISOString()}::timestamptz
      group by 1 order by 1`);
    expect(detail.status === "shown" && detail.people?.map((person) => [person.login, person.commits])).toEqual(perPerson.map((row) => [row.login, row.commits]));

    // Whole weeks with days after them, and a range shorter than a week: the same commits as the commit read.
    for (const [first, end] of [
      ["2026-10-22", "2026-11-05"],
      ["2026-10-27", "2026-10-30"],
      ["2026-10-26", "2026-11-09"],
    ] as const) {
      const days = { from: startOfLocalDay(first, timezone), to: startOfLocalDay(end, timezone) };
      const [counted] = await database.db.execute<{ commits: number }>(sql`
        select count(*)::int as commits from commits
        where org_id = ${orgId} and authored_at >= ${days.from.toISOString()}::timestamptz and authored_at < ${days.to.toISOString()}::timestamptz`);
      expect([first, end, (await getTeamsOverview(database.db, orgId, days)).teams[0]!.figures.commits]).toEqual([first, end, counted!.commits]);
    }

    // A range that does not start at a local midnight counts the whole day it starts in (ADR 080).
    const midDay = await getTeamsOverview(database.db, orgId, { from: new Date(range.from.getTime() + 12 * 3_600_000), to: range.to });
    expect(midDay.teams[0]!.figures.commits).toBe(figures.commits);
  });
});
