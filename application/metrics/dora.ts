import { sql, type SQL } from "drizzle-orm";
import { doraFromTotals, type DoraFigures, type DoraRange, type DoraTotals, type MatchedIncident } from "../../domain/metrics/dora.ts";
import { percentileOfHistogram } from "../../domain/metrics/histogram.ts";
import { DAY_MS, splitIntoUtcDays, type TimeSpan } from "../../domain/metrics/time.ts";
import type { Executor } from "../../infrastructure/db/client.ts";

/** One repository of the organisation, or all its active repositories (`repoId` null). */
export interface DoraScope {
  orgId: string;
  repoId: string | null;
}

/*
 * What each finished production deployment shipped is stored as it changes (deployment_facts, migration 0028, ADR 082):
 * the commits since the repository's previous successful production deployment — the default branch's commits that
 * landed in between (the incident form's definition, ADR 060) and the commits of the pull requests merged into the
 * default branch in between (a merge's push lists only the commits new to the repository, so a pull request's own
 * commits, where the authoring times and the AI verdicts are, are never on the default branch) — each one's minutes
 * from authoring to the deployment finishing, and whether one of them put AI-written code into a T3/T4 file. The
 * organisation's view adds up the day and week totals of those facts (org_daily_deployments, org_daily_lead_times,
 * org_weekly_lead_times) instead of
 * reading every deployment.
 */

/** The scope's active repositories (`r`): a repository of another organisation, or a disabled one, yields nothing. */
function repositoriesOf(scope: DoraScope): SQL {
  return sql`r.org_id = ${scope.orgId} and r.disabled_at is null ${scope.repoId ? sql`and r.id = ${scope.repoId}` : sql``}`;
}

/** Deployments by AI flag and the lead times of the successful ones. */
type Counted = Pick<DoraTotals, "aiHighRisk" | "other" | "leadTime">;

type CountRow = {
  ai_high_risk: boolean;
  deployments: number;
  successful: number;
  shipping: number;
};

function sidesOf(rows: readonly CountRow[]): Pick<DoraTotals, "aiHighRisk" | "other"> & { shipping: number } {
  const side = (aiHighRisk: boolean) => {
    const row = rows.find((candidate) => candidate.ai_high_risk === aiHighRisk);
    return { deployments: Number(row?.deployments ?? 0), successful: Number(row?.successful ?? 0) };
  };
  return { aiHighRisk: side(true), other: side(false), shipping: rows.reduce((sum, row) => sum + Number(row.shipping), 0) };
}

const countColumns = sql`
  f.ai_high_risk, count(*)::int as deployments, count(*) filter (where f.successful)::int as successful,
  count(*) filter (where f.successful and f.shipped_commits > 0)::int as shipping`;

/**
 * One repository from its deployments' facts: a few thousand rows at most over a year, so the lead times' median is
 * exact (percentile_cont at 0.5 is `median`'s mean of the two middle values).
 */
async function countRepository(db: Executor, scope: DoraScope, range: DoraRange): Promise<Counted> {
  const facts = sql`
    repositories r join deployment_facts f on f.repo_id = r.id
    where ${repositoriesOf(scope)} and f.created_at >= ${range.from.toISOString()} and f.created_at < ${range.to.toISOString()}`;
  const [rows, [lead]] = await Promise.all([
    db.execute<CountRow>(sql`select ${countColumns} from ${facts} group by f.ai_high_risk`),
    db.execute<{ median: number | null; commits: number }>(sql`
      select percentile_cont(0.5) within group (order by shipped.minutes) as median, count(*)::int as commits
      from (select unnest(f.lead_minutes) as minutes from ${facts} and f.successful) shipped`),
  ]);
  const sides = sidesOf(rows);
  return {
    aiHighRisk: sides.aiHighRisk,
    other: sides.other,
    leadTime: { medianMinutes: lead?.median ?? null, commits: Number(lead?.commits ?? 0), deployments: sides.shipping },
  };
}

const isoDay = (at: Date) => at.toISOString().slice(0, 10);
/** The Monday (UTC) on or after a UTC midnight. */
const mondayFrom = (day: Date) => new Date(day.getTime() + ((8 - day.getUTCDay()) % 7) * DAY_MS);

/**
 * The organisation's range in parts: whole ISO weeks (UTC) and whole UTC days, which its totals answer, and the parts
 * of a day at either end, which the facts answer. The totals count every repository: a disabled one's facts over the
 * whole days are taken away again (`sign` -1). Each facts part is one index range of deployment_facts.
 */
function organisationParts(orgId: string, range: DoraRange): { days: TimeSpan | null; weeks: TimeSpan | null; dayEnds: TimeSpan[]; facts: SQL } {
  const part = (from: Date, to: Date, active: boolean) => sql`
    select f.*, ${sql.raw(active ? "1" : "-1")} as sign from repositories r join deployment_facts f on f.repo_id = r.id
    where r.org_id = ${orgId} and r.disabled_at is ${active ? sql`null` : sql`not null`}
      and f.created_at >= ${from.toISOString()} and f.created_at < ${to.toISOString()}`;
  const { days } = splitIntoUtcDays(range);
  if (!days) return { days: null, weeks: null, dayEnds: [], facts: part(range.from, range.to, true) };
  const { from: firstDay, to: endDay } = days;
  const firstWeek = mondayFrom(firstDay);
  const endWeek = new Date(mondayFrom(endDay).getTime() - (endDay.getUTCDay() === 1 ? 0 : 7 * DAY_MS));
  const weeks = firstWeek.getTime() < endWeek.getTime() ? { from: firstWeek, to: endWeek } : null;
  return {
    days: { from: firstDay, to: endDay },
    weeks,
    dayEnds: weeks ? [{ from: firstDay, to: firstWeek }, { from: endWeek, to: endDay }].filter((span) => span.from < span.to) : [{ from: firstDay, to: endDay }],
    facts: sql.join([part(range.from, firstDay, true), part(endDay, range.to, true), part(firstDay, endDay, false)], sql` union all `),
  };
}

/** The lead-time buckets of whole weeks and the remaining whole days, from the organisation's totals. */
function leadTimeTotals(orgId: string, parts: ReturnType<typeof organisationParts>): SQL {
  const weeks = parts.weeks
    ? [sql`select bucket, commits from org_weekly_lead_times where org_id = ${orgId} and week >= ${isoDay(parts.weeks.from)} and week < ${isoDay(parts.weeks.to)}`]
    : [];
  const days = parts.dayEnds.map(
    (span) => sql`select bucket, commits from org_daily_lead_times where org_id = ${orgId} and day >= ${isoDay(span.from)} and day < ${isoDay(span.to)}`,
  );
  const all = [...weeks, ...days];
  return all.length > 0 ? sql.join(all, sql` union all `) : sql`select 0::smallint, 0 where false`;
}

/**
 * The whole organisation from its totals and, at the range's ends, its facts: a few thousand rows for a year. The lead
 * times' median comes from their histogram (`percentileOfHistogram`): within 10 % of the exact one.
 */
async function countOrganisation(db: Executor, orgId: string, range: DoraRange): Promise<Counted> {
  const parts = organisationParts(orgId, range);
  const dayCounts = parts.days
    ? sql`select ai_high_risk, deployments, successful, shipping from org_daily_deployments
          where org_id = ${orgId} and day >= ${isoDay(parts.days.from)} and day < ${isoDay(parts.days.to)}`
    : sql`select null::boolean, 0, 0, 0 where false`;
  const [rows, buckets] = await Promise.all([
    db.execute<CountRow>(sql`
      select ai_high_risk, sum(deployments)::int as deployments, sum(successful)::int as successful, sum(shipping)::int as shipping
      from (
        ${dayCounts}
        union all
        select f.ai_high_risk, f.sign, f.sign * f.successful::int, f.sign * (f.successful and f.shipped_commits > 0)::int
        from (${parts.facts}) f
      ) counted
      group by ai_high_risk`),
    db.execute<{ bucket: number; commits: number }>(sql`
      select bucket, sum(commits)::int as commits
      from (
        ${leadTimeTotals(orgId, parts)}
        union all
        select lead_time_bucket(minutes), f.sign from (${parts.facts}) f cross join unnest(f.lead_minutes) as minutes where f.successful
      ) counted
      group by bucket`),
  ]);
  const sides = sidesOf(rows);
  const histogram = buckets.map((row) => ({ bucket: Number(row.bucket), count: Number(row.commits) }));
  return {
    aiHighRisk: sides.aiHighRisk,
    other: sides.other,
    leadTime: {
      medianMinutes: percentileOfHistogram(histogram, 0.5),
      commits: histogram.reduce((sum, entry) => sum + entry.count, 0),
      deployments: sides.shipping,
    },
  };
}

/**
 * The incidents that started in the range, each with the deployment it followed: its repository's latest finished
 * production deployment created at or before it started, if that one is in the range too (incidents are few: one
 * index probe each).
 */
async function loadIncidents(db: Executor, scope: DoraScope, range: DoraRange): Promise<MatchedIncident[]> {
  const rows = await db.execute<{
    id: string;
    repo_id: string;
    started_at: string | Date;
    resolved_at: string | Date | null;
    deployment_id: string | null;
    successful: boolean | null;
    ai_high_risk: boolean | null;
  }>(sql`
    select i.id, i.repo_id, i.started_at, i.resolved_at, f.deployment_id, f.successful, f.ai_high_risk
    from repositories r
    join incidents i on i.repo_id = r.id and i.org_id = r.org_id
    left join lateral (
      select f.deployment_id, f.successful, f.ai_high_risk from deployment_facts f
      where f.repo_id = i.repo_id and f.created_at <= i.started_at and f.created_at >= ${range.from.toISOString()}
      order by f.created_at desc
      limit 1
    ) f on true
    where ${repositoriesOf(scope)}
      and i.started_at >= ${range.from.toISOString()} and i.started_at < ${range.to.toISOString()}
  `);
  return rows.map((row) => ({
    id: row.id,
    repoId: row.repo_id,
    startedAt: new Date(row.started_at),
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at),
    deployment: row.deployment_id === null ? null : { id: row.deployment_id, successful: row.successful === true, aiHighRisk: row.ai_high_risk === true },
  }));
}

/**
 * Deployment frequency, lead time, change failure rate and time to restore of a repository or the whole organisation
 * over [from, to), with change failure split by AI-written T3/T4 code (domain/metrics/dora.ts). Three statements, all
 * scoped to the organisation.
 */
export async function getDoraFigures(db: Executor, scope: DoraScope, range: DoraRange): Promise<DoraFigures> {
  const [counted, incidents] = await Promise.all([
    scope.repoId ? countRepository(db, scope, range) : countOrganisation(db, scope.orgId, range),
    loadIncidents(db, scope, range),
  ]);
  return doraFromTotals({ range, ...counted, incidents });
}
