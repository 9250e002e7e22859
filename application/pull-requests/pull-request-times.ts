import { sql, type SQL } from "drizzle-orm";
import { histogramOfCounts, percentileOfHistogram } from "../../domain/metrics/histogram.ts";
import { splitIntoUtcDays } from "../../domain/metrics/time.ts";
import type { Database, Executor } from "../../infrastructure/db/client.ts";

/**
 * The pull-request lens' AI-assisted vs human comparison over a large range, from per-day histograms (ADR 084,
 * migration 0030). Each pull request has facts — its UTC opening day, its side (AI-assisted: an agent marker or a
 * positive sum of AI-written lines, ADR 079), merged, reviewed, and the 10 % buckets of its cycle time and time to
 * first review — and every day and side of the organisation and of each repository a histogram of them.
 *
 * Triggers only queue the pull requests a statement may have moved: a side flips when the sum of a pull request's
 * `pull_request_lines` rows crosses zero, and those rows are written without waiting on each other, so only a reader
 * of committed rows can tell. `foldPullRequestTimes` is that reader, one per organisation at a time; readers add what
 * is still queued, so a read never misses a write the folder has not reached yet.
 */

/**
 * Pull requests' facts as they are now (migration 0030's pull_request_time_fact): those `from` and `where` pick, the
 * pull requests aliased `pr`.
 */
export function currentFacts(from: SQL, where: SQL): SQL {
  return sql`
    select pr.org_id, pr.repo_id, pr.number as pr_number, f.day, f.ai_assisted, f.merged, f.reviewed, f.cycle_bucket, f.review_bucket
    ${from}
    cross join lateral pull_request_time_fact(pr.opened_at, pr.ready_for_review_at, pr.first_review_at, pr.merged_at, pr.ai_markers,
      (select sum(l.ai_lines) from pull_request_lines l where l.repo_id = pr.repo_id and l.pr_number = pr.number)) f
    where ${where}`;
}

/** Two numbers of the advisory lock a fold holds per organisation (the first names this lock's kind). */
const FOLD_LOCK = 84_030;

/** Pull requests folded per transaction: a rescore of a busy organisation queues tens of thousands. */
export const FOLD_BATCH = 2_000;

type FactRow = { repo_id: string; day: string; ai_assisted: boolean; merged: boolean; reviewed: boolean; cycle_bucket: number | null; review_bucket: number | null };

const factReturning = (table: string) =>
  sql.raw(`${table}.repo_id, ${table}.day::text, ${table}.ai_assisted, ${table}.merged, ${table}.reviewed, ${table}.cycle_bucket, ${table}.review_bucket`);

/**
 * Folds up to `limit` of an organisation's queued pull requests: takes them off the queue, replaces their facts with
 * their current ones, and adds the difference to the histograms of the days and sides they left and joined, for the
 * organisation and for their repositories. One transaction; one fold per organisation at a time (a second returns
 * `busy` at once), so the histograms only ever change by a difference computed from facts no one else is changing. A
 * write committed after this fold read its rows left its own queue entry, so it is folded next time.
 */
export async function foldPullRequestTimes(db: Executor, orgId: string, limit = FOLD_BATCH): Promise<{ folded: number; busy: boolean }> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${FOLD_LOCK}, hashtext(${orgId})) as locked`);
    if (!lock!.locked) return { folded: 0, busy: true };
    const taken = await tx.execute<{ repo_id: string; pr_number: number }>(sql`
      delete from pull_request_time_queue
      where id in (select id from pull_request_time_queue where org_id = ${orgId} order by id limit ${limit})
      returning repo_id, pr_number`);
    if (taken.length === 0) return { folded: 0, busy: false };
    const distinct = [...new Map(taken.map((row) => [`${row.repo_id}|${row.pr_number}`, row])).values()];
    const keys = sql`(select repo_id, pr_number from jsonb_to_recordset(${JSON.stringify(distinct)}::jsonb) as k(repo_id uuid, pr_number int))`;
    const left = await tx.execute<FactRow>(sql`
      delete from pull_request_time_facts f using ${keys} k
      where f.repo_id = k.repo_id and f.pr_number = k.pr_number and f.org_id = ${orgId}
      returning ${factReturning("f")}`);
    const joined = await tx.execute<FactRow>(sql`
      insert into pull_request_time_facts (org_id, repo_id, pr_number, day, ai_assisted, merged, reviewed, cycle_bucket, review_bucket)
      ${currentFacts(sql`from pull_requests pr join ${keys} k on k.repo_id = pr.repo_id and k.pr_number = pr.number`, sql`pr.org_id = ${orgId}`)}
      returning ${factReturning("pull_request_time_facts")}`);
    await addDifference(tx, orgId, [...left.map((row) => ({ ...row, sign: -1 })), ...joined.map((row) => ({ ...row, sign: 1 }))]);
    return { folded: taken.length, busy: false };
  });
}

/**
 * Adds facts that left (sign -1) and joined (+1) to the organisation's and their repositories' day rows, as one
 * difference per day and side; a row left with no pull request is deleted, so a day no pull request was opened on has
 * no row (what a computation from scratch gives).
 */
async function addDifference(tx: Executor, orgId: string, changes: Array<FactRow & { sign: number }>): Promise<void> {
  if (changes.length === 0) return;
  const changed = sql`jsonb_to_recordset(${JSON.stringify(changes)}::jsonb)
    as c(repo_id uuid, day date, ai_assisted boolean, merged boolean, reviewed boolean, cycle_bucket smallint, review_bucket smallint, sign int)`;
  const difference = (scope: SQL) => sql`
    select ${scope} day, ai_assisted, sum(sign)::int as pull_requests, sum(sign * merged::int)::int as merged,
      sum(sign * reviewed::int)::int as reviewed, sum(sign * (merged and not reviewed)::int)::int as merged_without_review,
      combine_bucket_counts(bucket_counts(array_agg(cycle_bucket) filter (where sign > 0)), bucket_counts(array_agg(cycle_bucket) filter (where sign < 0)), -1) as cycle_buckets,
      combine_bucket_counts(bucket_counts(array_agg(review_bucket) filter (where sign > 0)), bucket_counts(array_agg(review_bucket) filter (where sign < 0)), -1) as review_buckets
    from ${changed}
    group by ${scope} day, ai_assisted`;
  const add = (table: SQL, key: SQL) => sql`
    on conflict (${key}, day, ai_assisted) do update set
      pull_requests = ${table}.pull_requests + excluded.pull_requests,
      merged = ${table}.merged + excluded.merged,
      reviewed = ${table}.reviewed + excluded.reviewed,
      merged_without_review = ${table}.merged_without_review + excluded.merged_without_review,
      cycle_buckets = combine_bucket_counts(${table}.cycle_buckets, excluded.cycle_buckets, 1),
      review_buckets = combine_bucket_counts(${table}.review_buckets, excluded.review_buckets, 1)`;
  await tx.execute(sql`
    insert into org_daily_pull_request_times as t (org_id, day, ai_assisted, pull_requests, merged, reviewed, merged_without_review, cycle_buckets, review_buckets)
    select ${orgId}::uuid, d.* from (${difference(sql``)}) d
    ${add(sql`t`, sql`org_id`)}`);
  await tx.execute(sql`delete from org_daily_pull_request_times where org_id = ${orgId} and pull_requests = 0 and day in (select day from ${changed})`);
  await tx.execute(sql`
    insert into repo_daily_pull_request_times as t (org_id, repo_id, day, ai_assisted, pull_requests, merged, reviewed, merged_without_review, cycle_buckets, review_buckets)
    select ${orgId}::uuid, d.* from (${difference(sql`repo_id,`)}) d
    ${add(sql`t`, sql`repo_id`)}`);
  await tx.execute(sql`delete from repo_daily_pull_request_times where org_id = ${orgId} and pull_requests = 0
    and (repo_id, day) in (select repo_id, day from ${changed})`);
}

/**
 * Folds every organisation's queue, a batch at a time, until it is empty or `budgetMs` has passed (the rest waits for
 * the next run). An organisation another process is folding is skipped.
 */
export async function foldAllPullRequestTimes(db: Database, options: { budgetMs?: number; now?: () => number } = {}): Promise<{ folded: number; organisations: number; remaining: boolean }> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.budgetMs ?? 30_000);
  const orgs = await db.execute<{ org_id: string }>(sql`select distinct org_id from pull_request_time_queue`);
  let folded = 0;
  for (const { org_id: orgId } of orgs) {
    for (;;) {
      if (now() >= deadline) return { folded, organisations: orgs.length, remaining: true };
      const batch = await foldPullRequestTimes(db, orgId);
      folded += batch.folded;
      if (batch.busy || batch.folded < FOLD_BATCH) break;
    }
  }
  return { folded, organisations: orgs.length, remaining: false };
}

/** One side's figures, as the comparison shows them. */
export interface TimesSide {
  pullRequests: number;
  merged: number;
  reviewed: number;
  mergedWithoutReview: number;
  cycleTimeMedianMinutes: number | null;
  cycleTimeP75Minutes: number | null;
  timeToFirstReviewMedianMinutes: number | null;
  timeToFirstReviewP75Minutes: number | null;
}

type PartRow = {
  sign: number;
  ai_assisted: boolean;
  pull_requests: number;
  merged: number;
  reviewed: number;
  merged_without_review: number;
  cycle_buckets: number[] | null;
  review_buckets: number[] | null;
  cycle_bucket: number | null;
  review_bucket: number | null;
};

const isoDay = (at: Date) => at.toISOString().slice(0, 10);

class Side {
  pullRequests = 0;
  merged = 0;
  reviewed = 0;
  mergedWithoutReview = 0;
  readonly cycle = new Map<number, number>();
  readonly review = new Map<number, number>();

  add(row: PartRow): void {
    const sign = Number(row.sign);
    this.pullRequests += sign * Number(row.pull_requests);
    this.merged += sign * Number(row.merged);
    this.reviewed += sign * Number(row.reviewed);
    this.mergedWithoutReview += sign * Number(row.merged_without_review);
    addCounts(this.cycle, sign, row.cycle_buckets, row.cycle_bucket);
    addCounts(this.review, sign, row.review_buckets, row.review_bucket);
  }

  figures(): TimesSide {
    const cycle = histogramOfCounts(this.cycle);
    const review = histogramOfCounts(this.review);
    return {
      pullRequests: this.pullRequests,
      merged: this.merged,
      reviewed: this.reviewed,
      mergedWithoutReview: this.mergedWithoutReview,
      cycleTimeMedianMinutes: rounded(percentileOfHistogram(cycle, 0.5)),
      cycleTimeP75Minutes: rounded(percentileOfHistogram(cycle, 0.75)),
      timeToFirstReviewMedianMinutes: rounded(percentileOfHistogram(review, 0.5)),
      timeToFirstReviewP75Minutes: rounded(percentileOfHistogram(review, 0.75)),
    };
  }
}

function addCounts(into: Map<number, number>, sign: number, counts: number[] | null, bucket: number | null): void {
  if (counts) counts.forEach((count, index) => count !== 0 && into.set(index, (into.get(index) ?? 0) + sign * count));
  if (bucket !== null) into.set(Number(bucket), (into.get(Number(bucket)) ?? 0) + sign);
}

const rounded = (minutes: number | null) => (minutes === null ? null : Math.round(minutes));

/** A single pull request's facts as a part row of the comparison. */
const FACT_PART = (sign: number, alias: string) =>
  sql.raw(`${sign} as sign, ${alias}.ai_assisted, 1 as pull_requests, ${alias}.merged::int as merged, ${alias}.reviewed::int as reviewed,
    (${alias}.merged and not ${alias}.reviewed)::int as merged_without_review, null::int[] as cycle_buckets, null::int[] as review_buckets,
    ${alias}.cycle_bucket, ${alias}.review_bucket`);

/**
 * Past this many queued pull requests (a re-score of a busy organisation queues all of them, and the folder needs a
 * minute or two to catch up), looking each one up would cost more than sorting the range's times: the comparison
 * answers null and the caller takes it exactly.
 */
export const PENDING_READ_LIMIT = 5_000;

/**
 * The comparison of the pull requests opened in [from, to) in the organisation (or one of its repositories), with
 * percentiles from histograms: within 10 % of the exact ones (`percentileOfHistogram`); the counts are exact. One
 * statement, so it sees one state of the queue, the facts and the histograms: whole days from the histograms, minus the
 * stored facts of the pull requests still queued and plus their current facts, and the part days at the ends from the
 * pull requests themselves. Null when more than `pendingLimit` pull requests are queued.
 */
export async function comparePullRequestTimes(
  db: Executor,
  query: { orgId: string; from: Date; to: Date; repoId?: string },
  options: { pendingLimit?: number } = {},
): Promise<{ ai: TimesSide; human: TimesSide } | null> {
  // Whole UTC days from the histograms; the part days at the ends from the pull requests themselves (a day in all).
  const { days, edges } = splitIntoUtcDays(query);
  const repo = (column: string) => (query.repoId ? sql`and ${sql.raw(column)} = ${query.repoId}` : sql``);
  const pendingLimit = options.pendingLimit ?? PENDING_READ_LIMIT;
  const [queued] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from (
      select 1 from pull_request_time_queue q where q.org_id = ${query.orgId} ${repo("q.repo_id")} limit ${pendingLimit + 1}
    ) q`);
  if (queued!.n > pendingLimit) return null;
  const parts: SQL[] = [];
  if (days) {
    const table = query.repoId ? sql`repo_daily_pull_request_times` : sql`org_daily_pull_request_times`;
    const dayFrom = isoDay(days.from);
    const dayTo = isoDay(days.to);
    parts.push(sql`
      select 1 as sign, h.ai_assisted, h.pull_requests, h.merged, h.reviewed, h.merged_without_review, h.cycle_buckets, h.review_buckets,
        null::smallint as cycle_bucket, null::smallint as review_bucket
      from ${table} h where h.org_id = ${query.orgId} ${repo("h.repo_id")} and h.day >= ${dayFrom}::date and h.day < ${dayTo}::date`);
    // The queued pull requests one by one, by primary key (`limit 1` keeps each a lookup, whatever the planner
    // guesses of the queue's size): their stored facts out, their current ones in.
    parts.push(sql`
      select ${FACT_PART(-1, "f")} from pending p
      cross join lateral (
        select * from pull_request_time_facts f where f.repo_id = p.repo_id and f.pr_number = p.pr_number and f.org_id = ${query.orgId} limit 1
      ) f
      where f.day >= ${dayFrom}::date and f.day < ${dayTo}::date`);
    parts.push(sql`
      select ${FACT_PART(1, "c")} from (
        ${currentFacts(
          sql`from pending p cross join lateral (
            select * from pull_requests pr where pr.repo_id = p.repo_id and pr.number = p.pr_number and pr.org_id = ${query.orgId} limit 1
          ) pr`,
          sql`pr.opened_at >= ${days.from.toISOString()}::timestamptz and pr.opened_at < ${days.to.toISOString()}::timestamptz`,
        )}
      ) c`);
  }
  for (const edge of edges) {
    parts.push(sql`
      select ${FACT_PART(1, "c")} from (
        ${currentFacts(
          sql`from pull_requests pr`,
          sql`pr.org_id = ${query.orgId} ${repo("pr.repo_id")} and pr.opened_at >= ${edge.from.toISOString()}::timestamptz and pr.opened_at < ${edge.to.toISOString()}::timestamptz`)}
      ) c`);
  }
  const sides = { ai: new Side(), human: new Side() };
  if (parts.length > 0) {
    const rows = await db.execute<PartRow>(sql`
      with pending as (
        select distinct q.repo_id, q.pr_number from pull_request_time_queue q where q.org_id = ${query.orgId} ${repo("q.repo_id")}
      )
      ${sql.join(parts, sql` union all `)}`);
    for (const row of rows) (row.ai_assisted ? sides.ai : sides.human).add(row);
  }
  return { ai: sides.ai.figures(), human: sides.human.figures() };
}
