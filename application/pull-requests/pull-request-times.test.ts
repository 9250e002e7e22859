import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { listPullRequests, type PullRequestGroupSummary } from "./list-pull-requests.ts";
import { comparePullRequestTimes, foldAllPullRequestTimes, foldPullRequestTimes } from "./pull-request-times.ts";
import { purgeRepository, repositoryToPurge } from "../operations/purge.ts";

/**
 * The comparison's histograms (ADR 084) against the exact comparison and against a computation from scratch, through
 * the real write paths: pull requests upserted and updated, commits and attribution rows whose triggers keep
 * pull_request_lines (ADR 079), a repository deleted.
 */
const NOW = new Date("2026-03-20T12:00:00Z");
const RANGE = { from: new Date("2025-12-20T12:00:00Z"), to: NOW }; // the last 90 days, part days at both ends
const MINUTE = 60_000;
const PULL_REQUESTS = 240;

/** A fixed sequence standing in for randomness, so every run builds the same history. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe("the pull-request comparison from per-day histograms", () => {
  let database: TestDatabase;
  let orgId: string;
  let apiId: string;
  let webId: string;
  let foreign: { orgId: string; repoId: string };

  const approximate = async (overrides: { repoId?: string; from?: Date; to?: Date } = {}) =>
    (await comparePullRequestTimes(database.db, { orgId, ...RANGE, ...overrides }, { pendingLimit: 10_000 }))!;
  const exact = async (overrides: { repoId?: string; from?: Date; to?: Date } = {}) =>
    (await listPullRequests(database.db, { orgId, ...RANGE, kind: "all", page: 1, limit: 1, ...overrides }, { exactUpTo: Number.MAX_SAFE_INTEGER })).summary;
  const queued = async () => (await database.sql<{ n: number }[]>`select count(*)::int as n from pull_request_time_queue`)[0]!.n;

  /** Counts equal; each percentile within 10 % of the exact one (and null exactly when it is). */
  function expectClose(found: Omit<PullRequestGroupSummary, "mergedWithoutReviewShare">, wanted: PullRequestGroupSummary) {
    expect({ pullRequests: found.pullRequests, merged: found.merged, reviewed: found.reviewed, mergedWithoutReview: found.mergedWithoutReview }).toEqual({
      pullRequests: wanted.pullRequests,
      merged: wanted.merged,
      reviewed: wanted.reviewed,
      mergedWithoutReview: wanted.mergedWithoutReview,
    });
    for (const key of ["cycleTimeMedianMinutes", "cycleTimeP75Minutes", "timeToFirstReviewMedianMinutes", "timeToFirstReviewP75Minutes"] as const) {
      const want = wanted[key];
      if (want === null) expect(found[key], key).toBeNull();
      else expect(Math.abs(found[key]! - want) / Math.max(want, 1), `${key}: ${found[key]} vs exact ${want}`).toBeLessThanOrEqual(0.1);
    }
  }

  async function expectMatchesExact(overrides: { repoId?: string; from?: Date; to?: Date } = {}) {
    const [found, wanted] = await Promise.all([approximate(overrides), exact(overrides)]);
    expectClose(found.ai, wanted.ai);
    expectClose(found.human, wanted.human);
    return found;
  }

  /** The stored histograms against the same rule applied to every pull request from scratch. */
  async function expectStoredMatchesScratch() {
    const scratch = (scope: string) => `
      select ${scope} day::text, ai_assisted, count(*)::int as pull_requests, count(*) filter (where merged)::int as merged,
        count(*) filter (where reviewed)::int as reviewed, count(*) filter (where merged and not reviewed)::int as merged_without_review,
        bucket_counts(array_agg(cycle_bucket)) as cycle_buckets, bucket_counts(array_agg(review_bucket)) as review_buckets
      from (
        select pr.org_id, pr.repo_id, (pr.opened_at at time zone 'UTC')::date as day,
          (jsonb_array_length(pr.ai_markers) > 0 or coalesce((select sum(l.ai_lines) from pull_request_lines l where l.repo_id = pr.repo_id and l.pr_number = pr.number), 0) > 0) as ai_assisted,
          pr.merged_at is not null as merged, pr.first_review_at is not null as reviewed,
          case when pr.merged_at is not null then lead_time_bucket(date_part('epoch', pr.merged_at - pr.opened_at) / 60) end as cycle_bucket,
          case when pr.first_review_at is not null then lead_time_bucket(date_part('epoch', greatest(pr.first_review_at - coalesce(pr.ready_for_review_at, pr.opened_at), interval '0')) / 60) end as review_bucket
        from pull_requests pr
      ) facts
      group by ${scope} day, ai_assisted order by ${scope} day, ai_assisted`;
    const stored = (table: string, scope: string) => `
      select ${scope} day::text, ai_assisted, pull_requests, merged, reviewed, merged_without_review, cycle_buckets, review_buckets
      from ${table} order by ${scope} day, ai_assisted`;
    expect(await database.sql.unsafe(stored("org_daily_pull_request_times", "org_id,"))).toEqual(await database.sql.unsafe(scratch("org_id,")));
    expect(await database.sql.unsafe(stored("repo_daily_pull_request_times", "org_id, repo_id,"))).toEqual(await database.sql.unsafe(scratch("org_id, repo_id,")));
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const sql = database.sql;
    const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('acme', 'Acme') returning id`;
    const [globex] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('globex', 'Globex') returning id`;
    orgId = org!.id;
    const repository = async (owner: string, fullName: string) =>
      (await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${owner}, ${fullName}) returning id`)[0]!.id;
    apiId = await repository(orgId, "acme/api");
    webId = await repository(orgId, "acme/web");
    foreign = { orgId: globex!.id, repoId: await repository(globex!.id, "globex/api") };

    // 240 pull requests over the 100 days before NOW (some before the range), cycle times from minutes to weeks, about
    // a third reviewed late or never, a few marked by an agent, a third with AI-written lines through their commits.
    const next = sequence(18);
    const rows = Array.from({ length: PULL_REQUESTS }, (_, index) => {
      const opened = new Date(NOW.getTime() - next() * 100 * 1440 * MINUTE);
      const merged = next() < 0.8 ? new Date(opened.getTime() + Math.exp(next() * 10) * MINUTE) : null;
      const reviewed = next() < 0.7 ? new Date(opened.getTime() + Math.exp(next() * 8) * MINUTE) : null;
      return {
        org_id: orgId,
        repo_id: index % 3 === 0 ? webId : apiId,
        number: index + 1,
        title: `PR ${index + 1}`,
        state: merged ? "merged" : "open",
        opened_at: opened.toISOString(),
        merged_at: merged?.toISOString() ?? null,
        first_review_at: reviewed?.toISOString() ?? null,
        ai_markers: next() < 0.05 ? ["branch:copilot"] : [],
        ai: next() < 0.33,
      };
    });
    for (const row of rows) {
      await sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at, merged_at, first_review_at, ai_markers)
        values (${row.org_id}, ${row.repo_id}, ${row.number}, ${row.title}, ${row.state}, 'main', ${row.opened_at}, ${row.merged_at}, ${row.first_review_at}, ${JSON.stringify(row.ai_markers)}::jsonb)`;
      const sha = `c${row.number.toString(16).padStart(6, "0")}`;
      await sql`insert into commits (org_id, repo_id, sha, authored_at, pr_number, written_lines, ai_confidence, analysis_status, signals, message_headline)
        values (${row.org_id}, ${row.repo_id}, ${sha}, ${row.opened_at}, ${row.number}, 20, ${row.ai ? 0.9 : 0.1}, 'analyzed', '[]'::jsonb, 'work')`;
      await sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at, written_lines, lines_added, counts_toward_share)
        values (${row.org_id}, ${row.repo_id}, ${sha}, 'src/a.ts', 'modified', ${row.ai ? 0.9 : 0.1}, 2, 2, 'test', ${row.opened_at}, 20, 20, true)`;
    }
    // Another organisation's pull requests, on the same days: never counted in Acme's.
    await sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at, merged_at, first_review_at)
      select ${foreign.orgId}, ${foreign.repoId}, n, 'theirs', 'merged', 'main', ${NOW.toISOString()}::timestamptz - n * interval '7 hours',
        ${NOW.toISOString()}::timestamptz - n * interval '6 hours', ${NOW.toISOString()}::timestamptz - n * interval '6 hours'
      from generate_series(1, 200) n`;
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("gives the exact counts and percentiles within 10 % before anything is folded, the queue read in its place", async () => {
    expect(await queued()).toBeGreaterThan(PULL_REQUESTS);
    const found = await expectMatchesExact();
    expect(found.ai.pullRequests).toBeGreaterThan(30);
    expect(found.human.pullRequests).toBeGreaterThan(100);
    await expectMatchesExact({ repoId: webId });
  });

  it("folds the queue into histograms equal to a computation from scratch, and reads the same figures from them", async () => {
    const before = await approximate();
    const result = await foldAllPullRequestTimes(database.db);
    expect(result).toMatchObject({ remaining: false, organisations: 2 });
    expect(await queued()).toBe(0);
    await expectStoredMatchesScratch();
    expect(await approximate()).toEqual(before);
    await expectMatchesExact();
    await expectMatchesExact({ repoId: apiId });
    // Ranges of whole days, of one part day, and a short one.
    await expectMatchesExact({ from: new Date("2026-02-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z") });
    await expectMatchesExact({ from: new Date("2026-03-10T05:00:00Z"), to: new Date("2026-03-10T23:00:00Z") });
    await expectMatchesExact({ from: new Date("2026-03-05T17:00:00Z"), to: new Date("2026-03-08T02:00:00Z"), repoId: webId });
  });

  it("moves a pull request to the AI side when a verdict gives it AI-written lines, before and after the fold", async () => {
    await foldAllPullRequestTimes(database.db);
    const [human] = await database.sql<{ number: number; sha: string }[]>`
      select pr.number, c.sha from pull_requests pr join commits c on c.repo_id = pr.repo_id and c.pr_number = pr.number
      where pr.repo_id = ${apiId} and pr.opened_at > ${RANGE.from.toISOString()} and c.ai_confidence < 0.5 and jsonb_array_length(pr.ai_markers) = 0
      order by pr.number limit 1`;
    const before = await approximate();
    await database.sql`update code_attribution set ai_confidence = 0.95 where repo_id = ${apiId} and commit_sha = ${human!.sha}`;
    const after = await approximate();
    expect(after.ai.pullRequests).toBe(before.ai.pullRequests + 1);
    expect(after.human.pullRequests).toBe(before.human.pullRequests - 1);
    await expectMatchesExact();
    await foldAllPullRequestTimes(database.db);
    expect(await approximate()).toEqual(after);
    await expectStoredMatchesScratch();
  });

  it("follows merges, reviews, agent markers and a deleted repository", async () => {
    await database.sql`update pull_requests set merged_at = opened_at + interval '3 days', state = 'merged' where repo_id = ${apiId} and merged_at is null and number % 2 = 0`;
    await database.sql`update pull_requests set first_review_at = opened_at + interval '20 minutes' where repo_id = ${webId} and first_review_at is null`;
    await database.sql`update pull_requests set ai_markers = '["branch:cursor"]'::jsonb where repo_id = ${webId} and number % 5 = 0`;
    await database.sql`update pull_requests set title = 'renamed' where repo_id = ${apiId}`; // not a column the facts read
    await expectMatchesExact();
    await foldAllPullRequestTimes(database.db);
    await expectStoredMatchesScratch();
    await expectMatchesExact();

    const [kept] = await database.sql<{ n: number }[]>`select count(*)::int as n from pull_requests where repo_id = ${apiId} and opened_at >= ${RANGE.from.toISOString()}`;
    await database.sql`delete from repositories where id = ${webId}`;
    const found = await expectMatchesExact();
    expect(found.ai.pullRequests + found.human.pullRequests).toBe(kept!.n);
    await foldAllPullRequestTimes(database.db);
    await expectStoredMatchesScratch();
    expect(await database.sql`select 1 from repo_daily_pull_request_times where repo_id = ${webId}`).toHaveLength(0);
    expect(await database.sql`select 1 from pull_request_time_facts where repo_id = ${webId}`).toHaveLength(0);
  });

  it("folds one organisation at a time: a second folder steps aside, and a write committed during a fold is folded next time", async () => {
    await foldAllPullRequestTimes(database.db);
    await database.sql`update pull_requests set merged_at = opened_at + interval '90 minutes' where repo_id = ${apiId} and number in (select number from pull_requests where repo_id = ${apiId} order by number limit 3)`;
    const reserved = await database.sql.reserve();
    try {
      await reserved`begin`;
      await reserved`select pg_advisory_xact_lock(84030, hashtext(${orgId}))`;
      expect(await foldPullRequestTimes(database.db, orgId)).toEqual({ folded: 0, busy: true });
      await reserved`rollback`;

      // A writer's transaction still open while the fold runs: its queue entry is not visible, so it stays queued.
      await reserved`begin`;
      await reserved`update pull_requests set first_review_at = opened_at + interval '5 minutes' where repo_id = ${apiId} and number = (select min(number) from pull_requests where repo_id = ${apiId})`;
      const folded = await foldPullRequestTimes(database.db, orgId);
      expect(folded.folded).toBeGreaterThanOrEqual(3);
      await reserved`commit`;
    } finally {
      reserved.release();
    }
    expect(await queued()).toBe(1);
    await expectMatchesExact();
    await foldAllPullRequestTimes(database.db);
    await expectStoredMatchesScratch();
  });

  it("rebuilds an organisation from scratch (the backfill and bulk loads) to what folding kept", async () => {
    await database.sql`update pull_requests set merged_at = opened_at + interval '2 hours' where repo_id = ${apiId} and number % 7 = 0`;
    await foldAllPullRequestTimes(database.db);
    const snapshot = async () => ({
      facts: await database.sql`select * from pull_request_time_facts order by repo_id, pr_number`,
      days: await database.sql`select * from org_daily_pull_request_times order by org_id, day, ai_assisted`,
      repoDays: await database.sql`select * from repo_daily_pull_request_times order by repo_id, day, ai_assisted`,
    });
    const folded = await snapshot();
    // Changed and changed back: queued, but nothing to fold.
    await database.sql`update pull_requests set merged_at = merged_at + interval '1 minute' where repo_id = ${apiId} and number % 11 = 0`;
    await database.sql`update pull_requests set merged_at = merged_at - interval '1 minute' where repo_id = ${apiId} and number % 11 = 0`;
    expect(await queued()).toBeGreaterThan(0);
    await database.sql`select rebuild_pull_request_times(id) from organizations`;
    expect(await queued()).toBe(0);
    expect(await snapshot()).toEqual(folded);
  });

  it("never counts another organisation's pull requests, even given its repository", async () => {
    const theirs = (await comparePullRequestTimes(database.db, { orgId, ...RANGE, repoId: foreign.repoId }))!;
    expect(theirs.ai.pullRequests + theirs.human.pullRequests).toBe(0);
    const own = (await comparePullRequestTimes(database.db, { orgId: foreign.orgId, ...RANGE }))!;
    expect(own.human.pullRequests).toBe(200);
  });

  it("says the list's percentiles are approximate above the exact limit, exact below it", async () => {
    const query = { orgId, ...RANGE, kind: "all" as const, page: 1, limit: 5 };
    const small = await listPullRequests(database.db, query);
    expect(small.summary.percentiles).toBe("exact");
    const large = await listPullRequests(database.db, query, { exactUpTo: 10 });
    expect(large.summary.percentiles).toBe("approximate");
    expect(large.total).toBe(small.total);
    expectClose(large.summary.ai, small.summary.ai);
    expect(large.summary.human.mergedWithoutReviewShare).toBeCloseTo(small.summary.human.mergedWithoutReviewShare!, 10);
  });

  it("takes the comparison exactly while more pull requests are queued than a read should look up (after a re-score)", async () => {
    await foldAllPullRequestTimes(database.db);
    await database.sql`update pull_requests set merged_at = opened_at + interval '4 hours' where repo_id = ${apiId} and number % 3 = 0`;
    expect(await queued()).toBeGreaterThan(20);
    expect(await comparePullRequestTimes(database.db, { orgId, ...RANGE }, { pendingLimit: 20 })).toBeNull();
    const query = { orgId, ...RANGE, kind: "all" as const, page: 1, limit: 5 };
    const busy = await listPullRequests(database.db, query, { exactUpTo: 10, pendingLimit: 20 });
    expect(busy.summary.percentiles).toBe("exact");
    expect(busy.summary).toEqual((await listPullRequests(database.db, query, { exactUpTo: Number.MAX_SAFE_INTEGER })).summary);
    await foldAllPullRequestTimes(database.db);
    expect((await listPullRequests(database.db, query, { exactUpTo: 10, pendingLimit: 20 })).summary.percentiles).toBe("approximate");
  });

  it("purging a repository takes its pull requests out of the organisation's days and leaves no row of its own (last: it removes acme/api)", async () => {
    await foldAllPullRequestTimes(database.db);
    const [repo] = await database.sql<{ id: string; org_id: string; full_name: string; github_id: number | null }[]>`
      select id, org_id, full_name, github_id from repositories where id = ${apiId}`;
    const result = await purgeRepository(database.db, repositoryToPurge(repo!));
    expect(result.complete).toBe(true);
    for (const table of ["pull_request_time_facts", "pull_request_time_queue", "repo_daily_pull_request_times"]) {
      const [left] = await database.sql<{ n: number }[]>`select count(*)::int as n from ${database.sql(table)} where repo_id = ${apiId}`;
      expect({ table, rows: left!.n }).toEqual({ table, rows: 0 });
    }
    await expectStoredMatchesScratch();
    const found = await approximate();
    expect(found.ai.pullRequests + found.human.pullRequests).toBe(0);
  });
});
