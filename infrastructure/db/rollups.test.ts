import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { loadOrganizationHistory, shapeOf } from "../../bench/generate.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

/**
 * Rows where the rollups (kept by triggers, migrations 0007 and 0010) differ from the same numbers aggregated from the raw
 * tables right now. Empty means exact.
 */
async function drift(options: { lastEventExact: boolean } = { lastEventExact: true }) {
  const activity = await database.sql`
    with raw as (
      select repo_id, day, sum(events)::int as events, max(last_event_at) as last_event_at, sum(commits)::int as commits,
        sum(analyzed)::int as analyzed, sum(pending)::int as pending, sum(ai)::int as ai,
        sum(l1)::int as l1, sum(l2)::int as l2, sum(l3)::int as l3, sum(l4)::int as l4,
        sum(a1)::int as a1, sum(a2)::int as a2, sum(a3)::int as a3, sum(a4)::int as a4
      from (
        select repo_id, (timestamp at time zone 'UTC')::date as day, count(*) as events, max(timestamp) as last_event_at,
          0 as commits, 0 as analyzed, 0 as pending, 0 as ai, 0 as l1, 0 as l2, 0 as l3, 0 as l4, 0 as a1, 0 as a2, 0 as a3, 0 as a4
        from code_events group by 1, 2
        union all
        select repo_id, (authored_at at time zone 'UTC')::date, 0, null, count(*), count(*) filter (where analysis_status = 'analyzed'),
          count(*) filter (where analysis_status = 'pending'), count(*) filter (where ai_confidence >= 0.5), 0, 0, 0, 0, 0, 0, 0, 0
        from commits group by 1, 2
        union all
        select repo_id, (authored_at at time zone 'UTC')::date, 0, null, 0, 0, 0, 0,
          coalesce(sum(lines_added) filter (where risk_tier = 1), 0), coalesce(sum(lines_added) filter (where risk_tier = 2), 0),
          coalesce(sum(lines_added) filter (where risk_tier = 3), 0), coalesce(sum(lines_added) filter (where risk_tier = 4), 0),
          coalesce(sum(lines_added) filter (where risk_tier = 1 and ai_confidence >= 0.5), 0),
          coalesce(sum(lines_added) filter (where risk_tier = 2 and ai_confidence >= 0.5), 0),
          coalesce(sum(lines_added) filter (where risk_tier = 3 and ai_confidence >= 0.5), 0),
          coalesce(sum(lines_added) filter (where risk_tier = 4 and ai_confidence >= 0.5), 0)
        from code_attribution where counts_toward_share group by 1, 2
      ) sources group by 1, 2
    ),
    kept as (
      -- A day's numbers are the sum of its rows (one per writer that found the others held).
      select repo_id, day, sum(events)::int as events, max(last_event_at) as last_event_at, sum(commits)::int as commits,
        sum(analyzed_commits)::int as analyzed, sum(pending_commits)::int as pending, sum(ai_commits)::int as ai,
        sum(lines_t1)::int as l1, sum(lines_t2)::int as l2, sum(lines_t3)::int as l3, sum(lines_t4)::int as l4,
        sum(ai_lines_t1)::int as a1, sum(ai_lines_t2)::int as a2, sum(ai_lines_t3)::int as a3, sum(ai_lines_t4)::int as a4
      from repo_daily_activity group by repo_id, day
      -- A day whose rows were all deleted sums to zeros (and keeps its last event time): the same as no row.
      having (sum(events), sum(commits), sum(analyzed_commits), sum(pending_commits), sum(ai_commits), sum(lines_t1), sum(lines_t2),
              sum(lines_t3), sum(lines_t4), sum(ai_lines_t1), sum(ai_lines_t2), sum(ai_lines_t3), sum(ai_lines_t4))
             <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    )
    select coalesce(raw.repo_id, kept.repo_id) as repo_id, coalesce(raw.day, kept.day) as day, row_to_json(raw) as raw, row_to_json(kept) as kept
    from raw full join kept on kept.repo_id = raw.repo_id and kept.day = raw.day
    where row(raw.events, raw.commits, raw.analyzed, raw.pending, raw.ai, raw.l1, raw.l2, raw.l3, raw.l4, raw.a1, raw.a2, raw.a3, raw.a4)
      is distinct from row(kept.events, kept.commits, kept.analyzed, kept.pending, kept.ai, kept.l1, kept.l2, kept.l3, kept.l4, kept.a1, kept.a2, kept.a3, kept.a4)
      -- The latest event time is a maximum: exact while events are only appended (they are, outside these tests), an
      -- upper bound after an event moves to an earlier time or is deleted.
      or (raw.events > 0 and ${options.lastEventExact ? database.sql`raw.last_event_at is distinct from kept.last_event_at` : database.sql`raw.last_event_at > kept.last_event_at`})`;
  const files = await database.sql`
    with raw as (
      select repo_id, (authored_at at time zone 'UTC')::date as day, file_path, count(*)::int as changes
      from code_attribution where counts_toward_share and risk_tier >= 3 and ai_confidence >= 0.5 group by 1, 2, 3
    )
    , kept as (
      select repo_id, day, file_path, sum(changes)::int as changes from repo_daily_high_risk_files group by 1, 2, 3 having sum(changes) <> 0
    )
    select * from raw full join kept using (repo_id, day, file_path)
    where raw.changes is distinct from kept.changes`;
  // A file's last day is never behind the raw rows, and ahead of them only where a decrement was recorded that day.
  const lastDays = await database.sql`
    with raw as (
      select repo_id, file_path, max((authored_at at time zone 'UTC')::date) as last_day
      from code_attribution where counts_toward_share and risk_tier >= 3 and ai_confidence >= 0.5 group by 1, 2
    ), kept as (
      select repo_id, file_path, max(last_day) as last_day from repo_high_risk_file_last_days group by 1, 2
    )
    select coalesce(raw.repo_id, kept.repo_id) as repo_id, coalesce(raw.file_path, kept.file_path) as file_path,
      raw.last_day as raw, kept.last_day as kept
    from raw full join kept on kept.repo_id = raw.repo_id and kept.file_path = raw.file_path
    where kept.last_day is null
      or (raw.last_day is not null and kept.last_day < raw.last_day)
      or ((raw.last_day is null or kept.last_day > raw.last_day)
          and not exists (select 1 from repo_high_risk_decrements d where d.repo_id = kept.repo_id and d.day = kept.last_day))`;
  return { activity: [...activity], files: [...files], lastDays: [...lastDays] };
}

/**
 * Keys where the share bins (migration 0019, kept by triggers on commits) differ from the analysed commits right now,
 * per day and per week; and rows left at all zeros (a writer deletes the row it emptied). Empty means exact.
 */
async function shareBinDrift() {
  const compare = (period: "day" | "week") => {
    const table = database.sql(period === "day" ? "repo_daily_share_bins" : "repo_weekly_share_bins");
    const column = database.sql(period);
    const start =
      period === "day"
        ? database.sql`(authored_at at time zone 'UTC')::date`
        : database.sql`(authored_at at time zone 'UTC')::date - (extract(isodow from (authored_at at time zone 'UTC')::date)::int - 1)`;
    return database.sql`
      with raw as (
        select repo_id, ${start} as period, least(floor(ai_confidence::float8 * 20), 19)::int as bin, coalesce(detector_version, '') as version,
          count(*)::int as commits, sum(written_lines)::bigint as lines, sum(written_lines_t1)::bigint as t1, sum(written_lines_t2)::bigint as t2,
          sum(written_lines_t3)::bigint as t3, sum(written_lines_t4)::bigint as t4, sum(ai_confidence::float8) as confidence
        from commits where analysis_status = 'analyzed' and ai_confidence is not null group by 1, 2, 3, 4
      ), kept as (
        select repo_id, ${column} as period, bin::int as bin, detector_version as version, sum(commits)::int as commits, sum(written_lines)::bigint as lines,
          sum(written_lines_t1)::bigint as t1, sum(written_lines_t2)::bigint as t2, sum(written_lines_t3)::bigint as t3,
          sum(written_lines_t4)::bigint as t4, sum(confidence_sum) as confidence
        from ${table} group by 1, 2, 3, 4
        having (sum(commits), sum(written_lines), sum(written_lines_t1), sum(written_lines_t2), sum(written_lines_t3), sum(written_lines_t4))
          <> (0, 0, 0, 0, 0, 0) or abs(sum(confidence_sum)) > 1e-6
      )
      select coalesce(raw.repo_id, kept.repo_id) as repo_id, coalesce(raw.period, kept.period) as period, coalesce(raw.bin, kept.bin) as bin,
        row_to_json(raw) as raw, row_to_json(kept) as kept
      from raw full join kept on kept.repo_id = raw.repo_id and kept.period = raw.period and kept.bin = raw.bin and kept.version = raw.version
      where row(raw.commits, raw.lines, raw.t1, raw.t2, raw.t3, raw.t4) is distinct from row(kept.commits, kept.lines, kept.t1, kept.t2, kept.t3, kept.t4)
        or abs(raw.confidence - kept.confidence) > 1e-6`;
  };
  const [days, weeks, [empty]] = await Promise.all([
    compare("day"),
    compare("week"),
    database.sql<{ rows: number }[]>`
      select (select count(*) from repo_daily_share_bins where commits = 0 and written_lines = 0 and abs(confidence_sum) < 1e-9)::int
        + (select count(*) from repo_weekly_share_bins where commits = 0 and written_lines = 0 and abs(confidence_sum) < 1e-9)::int as rows`,
  ]);
  return { days: [...days], weeks: [...weeks], emptyRows: empty!.rows };
}

const EXACT_BINS = { days: [], weeks: [], emptyRows: 0 };

async function totals() {
  const [row] = await database.sql<{ events: number; commits: number; analyzed: number; lines: number; files: number }[]>`
    select sum(events)::int as events, sum(commits)::int as commits, sum(analyzed_commits)::int as analyzed,
      sum(lines_t1 + lines_t2 + lines_t3 + lines_t4)::int as lines,
      (select count(*)::int from (select 1 from repo_daily_high_risk_files group by repo_id, day, file_path having sum(changes) > 0) f) as files
    from repo_daily_activity`;
  return row!;
}

describe("daily rollups kept by triggers (repo_daily_activity, repo_daily_high_risk_files)", () => {
  it("match the raw rows after webhooks and analysis (inserts, then pending → analysed updates)", async () => {
    const { services, close } = await createTestServices(database);
    try {
      await seedDemoOrganization({ db: services.db, queue: services.queue, logger: services.logger }, { analysis: "inline", days: 10, now: new Date("2026-03-20T18:00:00Z"), metrics: false });
    } finally {
      await close();
    }
    const sums = await totals();
    expect(sums.events).toBeGreaterThan(100);
    expect(sums.analyzed).toBeGreaterThan(50);
    expect(sums.lines).toBeGreaterThan(1000);
    expect(await drift()).toEqual({ activity: [], files: [], lastDays: [] });
    expect(await shareBinDrift()).toEqual(EXACT_BINS);
    const [bins] = await database.sql<{ commits: number; lines: number }[]>`
      select sum(commits)::int as commits, sum(written_lines)::int as lines from repo_daily_share_bins`;
    expect(bins!.commits).toBe(sums.analyzed);
    expect(bins!.lines).toBeGreaterThan(1000);
  }, 180_000);

  it("match after a COPY load, re-tiering and re-scoring updates, and deletes down to a whole repository", async () => {
    const generated = await loadOrganizationHistory(database.sql, { ...shapeOf({ repos: 3, days: 20, until: "2026-03-20" }), slug: "rollups" });
    expect((await totals()).files).toBeGreaterThan(0);
    expect(await drift()).toEqual({ activity: [], files: [], lastDays: [] });
    expect(await shareBinDrift()).toEqual(EXACT_BINS);

    const [repo] = await database.sql<{ id: string }[]>`select id from repositories where org_id = ${generated.orgId} order by full_name limit 1`;
    // A re-score by a new detector: confidences move between bins, the version changes, written lines change.
    await database.sql`update commits set ai_confidence = ai_confidence / 2, detector_version = 'sentinel-detector-9.0.0'
      where repo_id = ${repo!.id} and ai_confidence < 0.9 and written_lines % 3 = 0`;
    await database.sql`update commits set written_lines = written_lines + 7, written_lines_t2 = written_lines_t2 + 7 where repo_id = ${repo!.id} and written_lines % 3 = 1`;
    expect(await shareBinDrift()).toEqual(EXACT_BINS);
    // Re-scored back: the 9.0.0 rows empty out and are deleted.
    await database.sql`update commits set ai_confidence = ai_confidence * 2, detector_version = ${"sentinel-detector-1.2.2"} where detector_version = 'sentinel-detector-9.0.0'`;
    expect(await shareBinDrift()).toEqual(EXACT_BINS);
    const [versions] = await database.sql<{ rows: number }[]>`select count(*)::int as rows from repo_daily_share_bins where detector_version = 'sentinel-detector-9.0.0'`;
    expect(versions!.rows).toBe(0);
    // Re-tiering and re-scoring move lines between tiers and in or out of the high-risk files.
    await database.sql`update code_attribution set risk_tier = 4, ai_confidence = 0.9 where repo_id = ${repo!.id} and file_path like 'src/%' and risk_tier < 3`;
    await database.sql`update code_attribution set ai_confidence = 0.1 where repo_id = ${repo!.id} and risk_tier = 3`;
    await database.sql`update commits set analysis_status = 'pending', ai_confidence = null where repo_id = ${repo!.id} and ai_confidence >= 0.9`;
    await database.sql`update code_events set timestamp = timestamp - interval '1 day' where repo_id = ${repo!.id} and type = 'pr_review'`;
    expect(await drift({ lastEventExact: false })).toEqual({ activity: [], files: [], lastDays: [] });
    expect(await shareBinDrift()).toEqual(EXACT_BINS);

    await database.sql`delete from code_attribution where repo_id = ${repo!.id} and lines_added > 20`;
    await database.sql`delete from commits where repo_id = ${repo!.id} and analysis_status = 'pending'`;
    await database.sql`delete from commits where repo_id = ${repo!.id} and ai_confidence < 0.1`;
    expect(await drift({ lastEventExact: false })).toEqual({ activity: [], files: [], lastDays: [] });
    expect(await shareBinDrift()).toEqual(EXACT_BINS);

    const before = await totals();
    await database.sql`delete from repositories where id = ${repo!.id}`;
    expect(await drift({ lastEventExact: false })).toEqual({ activity: [], files: [], lastDays: [] });
    expect(await shareBinDrift()).toEqual(EXACT_BINS);
    expect((await totals()).events).toBeLessThan(before.events);
  }, 120_000);

  it("never make two writers of the same repository and day wait for each other (a webhook and an analysis deadlocked on a total row)", async () => {
    const [org] = await database.sql<{ id: string }[]>`insert into organizations (slug, name) values ('busy', 'Busy') returning id`;
    const [repo] = await database.sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${org!.id}, 'busy/api') returning id`;
    const at = "2026-03-19T10:00:00Z";
    await database.sql`insert into commits (org_id, repo_id, sha, authored_at) values (${org!.id}, ${repo!.id}, 'x1', ${at})`;
    const webhook = await database.sql.reserve();
    const analysis = await database.sql.reserve();
    const within = <T>(promise: Promise<T>, what: string) =>
      Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} waited for the other transaction`)), 3000))]);
    try {
      // The webhook job records another commit of the same day; its transaction stays open.
      await webhook`begin`;
      await webhook`insert into commits (org_id, repo_id, sha, authored_at, branch) values (${org!.id}, ${repo!.id}, 'y1', ${at}, 'feature')`;
      // The analysis job marks x1 analysed and writes its files, in its own open transaction: neither waits.
      await analysis`begin`;
      await within(analysis`update commits set analysis_status = 'analyzed', ai_confidence = 0.9 where repo_id = ${repo!.id} and sha = 'x1'`, "the analysis update");
      // The webhook job now links x1 to a pull request: it waits for the analysis job's commit row, as it must.
      const linking = webhook`update commits set pr_number = 7 where repo_id = ${repo!.id} and sha = 'x1'`.execute();
      await within(
        analysis`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, lines_added, detector_version, authored_at)
          values (${org!.id}, ${repo!.id}, 'x1', 'src/auth/token.ts', 'modified', 0.9, 4, 4, 12, 'test', ${at})`,
        "the analysis job's attribution rows",
      );
      await analysis`commit`;
      await linking;
      await webhook`commit`;
    } finally {
      webhook.release();
      analysis.release();
    }
    expect(await drift()).toEqual({ activity: [], files: [], lastDays: [] });
    const [day] = await database.sql<{ commits: number; analyzed: number; ai_lines: number }[]>`
      select sum(commits)::int as commits, sum(analyzed_commits)::int as analyzed, sum(ai_lines_t4)::int as ai_lines
      from repo_daily_activity where repo_id = ${repo!.id}`;
    expect(day).toEqual({ commits: 2, analyzed: 1, ai_lines: 12 });
    // The analysis job found the day's row held by the webhook job and wrote a row of its own instead of waiting.
    const [rows] = await database.sql<{ rows: number }[]>`select count(*)::int as rows from repo_daily_activity where repo_id = ${repo!.id}`;
    expect(rows!.rows).toBe(2);
  });

  it("let two analyses of the same repository, day and bin write at once: the second adds a row instead of waiting", async () => {
    const [org] = await database.sql<{ id: string }[]>`insert into organizations (slug, name) values ('bins', 'Bins') returning id`;
    const [repo] = await database.sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${org!.id}, 'bins/api') returning id`;
    const at = "2026-03-18T10:00:00Z";
    await database.sql`insert into commits (org_id, repo_id, sha, authored_at) values (${org!.id}, ${repo!.id}, 'a1', ${at}), (${org!.id}, ${repo!.id}, 'b1', ${at})`;
    const first = await database.sql.reserve();
    const second = await database.sql.reserve();
    const within = <T>(promise: Promise<T>, what: string) =>
      Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} waited for the other transaction`)), 3000))]);
    const analyse = (sql: typeof first, sha: string, lines: number) =>
      sql`update commits set analysis_status = 'analyzed', ai_confidence = 0.97, detector_version = 'd-1', written_lines = ${lines}, written_lines_t3 = ${lines}
        where repo_id = ${repo!.id} and sha = ${sha}`;
    try {
      await first`begin`;
      await analyse(first, "a1", 30);
      await second`begin`;
      await within(analyse(second, "b1", 12), "the second analysis");
      await second`commit`;
      await first`commit`;
    } finally {
      first.release();
      second.release();
    }
    expect(await shareBinDrift()).toEqual(EXACT_BINS);
    const rows = await database.sql<{ commits: number; lines: number; t3: number }[]>`
      select commits, written_lines::int as lines, written_lines_t3::int as t3 from repo_daily_share_bins where repo_id = ${repo!.id} order by written_lines`;
    expect(rows).toEqual([
      { commits: 1, lines: 12, t3: 12 },
      { commits: 1, lines: 30, t3: 30 },
    ]);
  });

  it("keep a day in one row while its writers come one after another", async () => {
    const [org] = await database.sql<{ id: string }[]>`insert into organizations (slug, name) values ('sequential', 'Sequential') returning id`;
    const [repo] = await database.sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${org!.id}, 'sequential/api') returning id`;
    for (let index = 0; index < 20; index += 1) {
      await database.sql`insert into code_events (org_id, repo_id, type, event_key, timestamp) values (${org!.id}, ${repo!.id}, 'commit', ${`k${index}`}, '2026-03-19T10:00:00Z')`;
    }
    const [rows] = await database.sql<{ rows: number; events: number }[]>`
      select count(*)::int as rows, sum(events)::int as events from repo_daily_activity where repo_id = ${repo!.id}`;
    expect(rows).toEqual({ rows: 1, events: 20 });
  });
});
