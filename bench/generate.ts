/**
 * `sentinel generate`: writes the large organisation of large-organization.ts into PostgreSQL at COPY speed, then
 * derives what the workers would have derived — daily metrics and line survival (the nightly and weekly jobs'
 * code), the latest review-queue snapshot, and alerts (the alert jobs' code) — so the dashboard can be measured
 * on it. Re-running replaces the organisation: the raw rows are swapped in one transaction.
 */
import { sql as drizzleSql } from "drizzle-orm";
import type postgres from "postgres";
import type { MetricsSource } from "../domain/alerts/rules.ts";
import { addDays } from "../domain/metrics/time.ts";
import type { JobQueue } from "../domain/ports.ts";
import { evaluateIncidentAlerts, evaluateRepositoryAlerts } from "../application/alerts/evaluate.ts";
import type { Database } from "../infrastructure/db/client.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { computeRepoMetricsRange, loadRepositoryScope, type RepositoryScope } from "../application/metrics/repo-metrics.ts";
import { snapshotReviewQueue, truncateToHour } from "../application/metrics/review-queue.ts";
import { computeRepoSurvival } from "../application/metrics/survival.ts";
import { CopyWriter } from "./copy.ts";
import {
  DEFAULT_SHAPE,
  GENERATED_TABLES,
  TABLE_COLUMNS,
  generateRepositoryHistory,
  planOrganization,
  type GeneratedTable,
  type LargeOrganizationShape,
  type OrganizationPlan,
} from "./large-organization.ts";

export const BENCH_USER_LOGIN = "bench";
/** The bench user's (fake) GitHub id: it keeps one users row across regenerations. */
export const BENCH_USER_GITHUB_ID = 910_000_000;
export const BENCH_TIME_ZONE = "America/Los_Angeles";
/** What the rollup triggers (ADR 060) read and write as the history's rows arrive. */
const ROLLUP_TABLES = [
  "repo_daily_activity",
  "repo_daily_high_risk_files",
  "repo_high_risk_file_last_days",
  "repo_high_risk_decrements",
  "repo_weekly_tool_activity",
  "org_weekly_tool_activity",
  "pull_request_lines",
  "author_daily_activity",
  "author_weekly_activity",
  "author_daily_pull_requests",
  "deployment_facts",
  "org_daily_deployments",
  "org_daily_lead_times",
  "org_weekly_lead_times",
  "pull_request_time_facts",
  "org_daily_pull_request_times",
  "repo_daily_pull_request_times",
];

/**
 * The generator's version, recorded with each generation: `npm run bench` regenerates a data set an older generator
 * wrote (2: teams, reviews and the agent mix of issue 18), rather than measure pages on data that lacks what they read.
 */
export const GENERATOR_VERSION = 2;

export interface GenerateOptions extends LargeOrganizationShape {
  slug: string;
}

export type GenerateProgress = { phase: "history" | "metrics" | "alerts"; done: number; total: number };

/** The organisation's teams, their members and its GitHub member list: written with the organisation, not by COPY. */
export const TEAM_TABLES = ["teams", "team_members", "github_org_members"] as const;

export type GeneratedCounts = Record<GeneratedTable | (typeof TEAM_TABLES)[number], number>;

export interface GeneratedOrganization {
  orgId: string;
  benchUserId: string;
  counts: GeneratedCounts;
  /** What `settings.generated` records, so a benchmark can tell whether an existing generation fits. */
  settings: GenerationSettings;
}

export interface GenerationSettings {
  /** Absent from generations before GENERATOR_VERSION 2. */
  generator?: number;
  repos: number;
  days: number;
  seed: number;
  until: string;
  commitsPerRepoDay: number;
  activity: LargeOrganizationShape["activity"];
  counts: GeneratedCounts;
  completedAt: string | null;
}

export function shapeOf(options: Partial<LargeOrganizationShape> & { until: string }): LargeOrganizationShape {
  return { ...DEFAULT_SHAPE, ...options };
}

/**
 * Replaces the organisation `slug` with a freshly generated history, in one transaction: a failure midway leaves
 * the previous generation (or nothing) in place. With no other organisation in the database the old rows are
 * truncated rather than deleted, which takes seconds instead of minutes at this size.
 */
export async function loadOrganizationHistory(
  sql: postgres.Sql,
  options: GenerateOptions,
  onProgress: (progress: GenerateProgress) => void = () => {},
): Promise<GeneratedOrganization & { plan: OrganizationPlan }> {
  const plan = planOrganization(options);
  const counts = Object.fromEntries([...GENERATED_TABLES, ...TEAM_TABLES].map((table) => [table, 0])) as GeneratedCounts;
  const settings: GenerationSettings = {
    generator: GENERATOR_VERSION,
    repos: options.repos,
    days: options.days,
    seed: options.seed,
    until: options.until,
    commitsPerRepoDay: options.commitsPerRepoDay,
    activity: options.activity,
    counts,
    completedAt: null,
  };
  const benchUserId = await sql.begin(async (tx) => {
    const [others] = await tx<{ count: number }[]>`select count(*)::int as count from organizations where slug <> ${options.slug} and id <> ${plan.orgId}`;
    // The pull-request times queue has no foreign key (migration 0030), so a cascade does not reach it.
    if (others!.count === 0) await tx`truncate organizations, pull_request_time_queue restart identity cascade`;
    else await tx`delete from organizations where slug = ${options.slug} or id = ${plan.orgId}`;

    await tx`insert into organizations (id, slug, name, timezone, settings)
      values (${plan.orgId}, ${options.slug}, ${`${options.slug} (generated)`}, ${BENCH_TIME_ZONE}, ${JSON.stringify({ generated: settings })}::text::jsonb)`;
    const people = [
      { login: BENCH_USER_LOGIN, name: "Bench user", email: null as string | null, githubId: BENCH_USER_GITHUB_ID, role: "owner" },
      ...plan.members.map((member, index) => ({ login: member.login, name: member.name, email: member.email, githubId: member.githubId, role: index < 2 ? "admin" : "member" })),
    ];
    const users = await tx<{ id: string; github_id: number }[]>`
      insert into users ${tx(people.map(({ login, name, email, githubId }) => ({ login, name, email, github_id: githubId })))}
      on conflict (github_id) where github_id is not null do update set login = excluded.login, name = excluded.name, email = excluded.email
      returning id, github_id`;
    const userIdOf = new Map(users.map((row) => [Number(row.github_id), row.id]));
    await tx`insert into organization_members ${tx(people.map((person) => ({ org_id: plan.orgId, user_id: userIdOf.get(person.githubId)!, role: person.role })))}`;
    await tx`insert into repositories ${tx(
      plan.repositories.map((repo) => ({ id: repo.id, org_id: plan.orgId, github_id: 700_000_000 + repo.index, full_name: repo.fullName, source: "github" })),
    )}`;
    Object.assign(counts, await insertTeams(tx, plan));

    for (const repo of plan.repositories) {
      const rows = generateRepositoryHistory(options, plan, repo);
      for (const table of GENERATED_TABLES) {
        const lines = rows[table];
        if (lines.length === 0) continue;
        const writer = await CopyWriter.open(tx, table, TABLE_COLUMNS[table]);
        for (const line of lines) await writer.writeLine(line);
        counts[table] += await writer.end();
      }
      // The rollup triggers look their rows up through plans PostgreSQL cached while the tables were empty (they
      // were truncated in this transaction): sequential scans, each repository slower than the last. Fresh
      // statistics make every cached plan that reads these tables plan again, with their indexes.
      await tx.unsafe(`analyze ${ROLLUP_TABLES.join(", ")}`);
      onProgress({ phase: "history", done: repo.index + 1, total: plan.repositories.length });
    }
    // Event ids were chosen to grow with time; later live events continue after the largest.
    await tx`select setval(pg_get_serial_sequence('code_events', 'id'), greatest((select max(id) from code_events), 1))`;
    // The pull requests' comparison facts and day histograms (ADR 084) at once, rather than folding the ~460,000 the
    // triggers queued.
    await tx`select rebuild_pull_request_times(${plan.orgId})`;
    await tx`update organizations set settings = ${JSON.stringify({ generated: { ...settings, counts } })}::text::jsonb where id = ${plan.orgId}`;
    return userIdOf.get(BENCH_USER_GITHUB_ID)!;
  });
  // Fresh statistics and visibility maps, as autovacuum would leave them on a live install (index-only scans).
  for (const table of [...GENERATED_TABLES, ...TEAM_TABLES, ...ROLLUP_TABLES, "repositories", "organization_members", "users"]) await sql.unsafe(`vacuum (analyze) ${table}`);
  return { orgId: plan.orgId, benchUserId, counts, settings: { ...settings, counts }, plan };
}

/**
 * The GitHub organisation's members (every generated member, synced at the period's end), its teams and their members,
 * as the team sync and Settings would have left them.
 */
async function insertTeams(tx: postgres.TransactionSql, plan: OrganizationPlan): Promise<Record<(typeof TEAM_TABLES)[number], number>> {
  // As text: postgres.js' insert helper sends its values untyped, and a Date is no string.
  const syncedAt = new Date(plan.end - 3_600_000).toISOString();
  const createdAt = new Date(plan.start).toISOString();
  await tx`insert into github_org_members ${tx(plan.members.map((member) => ({ org_id: plan.orgId, login: member.login, github_id: member.githubId, synced_at: syncedAt })))}`;
  if (plan.teams.length === 0) return { teams: 0, team_members: 0, github_org_members: plan.members.length };
  await tx`insert into teams ${tx(
    plan.teams.map((team) => ({ id: team.id, org_id: plan.orgId, slug: team.slug, name: team.name, source: team.source, github_id: team.githubId, created_at: createdAt, updated_at: syncedAt })),
  )}`;
  const members = plan.teams.flatMap((team) => team.members.map((member) => ({ team_id: team.id, org_id: plan.orgId, login: member.login, source: member.source, created_at: createdAt })));
  await tx`insert into team_members ${tx(members)}`;
  return { teams: plan.teams.length, team_members: members.length, github_org_members: plan.members.length };
}

async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

/**
 * What the workers derive from the raw rows, with their own code: `repo_metrics` for every day of the period and
 * the survival cohorts (as `sentinel metrics recompute` does), the review-queue snapshot at the end, and alerts —
 * the daily rules evaluated once a week over the period and every day of its last two weeks, the weekly and hourly
 * rules at the end, and the incident rule for every incident. Alerts older than two weeks are acknowledged.
 */
export async function deriveOrganizationData(
  deps: { db: Database; queue: JobQueue; logger: Logger },
  organization: { orgId: string; plan: OrganizationPlan; options: GenerateOptions },
  onProgress: (progress: GenerateProgress) => void = () => {},
): Promise<void> {
  const { db } = deps;
  const { plan, options } = organization;
  const scopes = (await Promise.all(plan.repositories.map((repo) => loadRepositoryScope(db, repo.id)))).filter((scope): scope is RepositoryScope => scope !== null);
  const lastDay = addDays(options.until, -1);
  const firstDay = addDays(options.until, -options.days);
  let done = 0;
  await inParallel(scopes, 2, async (scope) => {
    await computeRepoMetricsRange(db, scope, { from: firstDay, to: lastDay });
    await computeRepoSurvival(db, scope, { asOfDate: options.until });
    await snapshotReviewQueue(db, scope, truncateToHour(new Date(plan.end - 1)));
    onProgress({ phase: "metrics", done: ++done, total: scopes.length });
  });

  const periods: { period: string; source: MetricsSource }[] = [];
  for (let day = 7; day <= options.days; day += day >= options.days - 14 ? 1 : 7) periods.push({ period: addDays(firstDay, day - 1), source: "compute-metrics-daily" });
  periods.push({ period: lastDay, source: "track-survival-weekly" });
  const hour = new Date(truncateToHour(new Date(plan.end - 1))).toISOString().slice(0, 13);
  periods.push({ period: hour, source: "monitor-saturation-hourly" });
  const incidents = await db.execute<{ id: string; repo_id: string; started_at: string }>(drizzleSql`
    select id, repo_id, started_at::text from incidents where org_id = ${organization.orgId} order by started_at, id`);
  const total = scopes.length * periods.length + incidents.length;
  let evaluated = 0;
  const tick = () => {
    evaluated += 1;
    if (evaluated % 100 === 0 || evaluated === total) onProgress({ phase: "alerts", done: evaluated, total });
  };
  // Repositories in parallel, each one's evaluations in time order: the 24-hour dedup of a rule is per
  // repository, so the same seed gives the same alerts.
  await inParallel(scopes, 2, async (scope) => {
    for (const { period, source } of periods) {
      // The rules run as of the period: "now" is the morning after it, when the nightly job would have run.
      const now = source === "monitor-saturation-hourly" ? new Date(`${period}:00:00Z`) : new Date(`${addDays(period.slice(0, 10), 1)}T10:00:00Z`);
      await evaluateRepositoryAlerts({ ...deps, now: () => now }, { repoId: scope.repoId, source, period });
      tick();
    }
    for (const incident of incidents.filter((candidate) => candidate.repo_id === scope.repoId)) {
      const now = new Date(new Date(incident.started_at).getTime() + 15 * 60_000);
      await evaluateIncidentAlerts({ ...deps, now: () => now }, incident.id);
      tick();
    }
  });
  const [acknowledger] = await db.execute<{ user_id: string }>(drizzleSql`
    select user_id from organization_members where org_id = ${organization.orgId} and role = 'admin' order by user_id limit 1`);
  await db.execute(drizzleSql`
    update alerts set acknowledged_at = triggered_at + interval '3 hours', acknowledged_by = ${acknowledger?.user_id ?? null}
    where org_id = ${organization.orgId} and triggered_at < ${new Date(plan.end - 14 * 86_400_000).toISOString()}`);
  for (const table of ["repo_metrics", "line_survival", "repo_weekly_tool_lines", "review_queue_snapshots", "alerts", "alert_dedup"]) await db.execute(drizzleSql.raw(`vacuum (analyze) ${table}`));
}

/** Marks the generation complete (what `npm run bench` checks before reusing a database). */
export async function markGenerationComplete(sql: postgres.Sql, orgId: string, settings: GenerationSettings, completedAt: Date): Promise<void> {
  await sql`update organizations set settings = ${JSON.stringify({ generated: { ...settings, completedAt: completedAt.toISOString() } })}::text::jsonb where id = ${orgId}`;
}

/** The generation recorded in the organisation `slug`, or null when there is none (or it never completed). */
export async function findCompleteGeneration(sql: postgres.Sql, slug: string): Promise<{ orgId: string; benchUserId: string | null; settings: GenerationSettings } | null> {
  const [row] = await sql<{ id: string; generated: GenerationSettings | null; bench_user_id: string | null }[]>`
    select o.id, o.settings -> 'generated' as generated,
      (select u.id from users u join organization_members m on m.user_id = u.id and m.org_id = o.id where u.github_id = ${BENCH_USER_GITHUB_ID}) as bench_user_id
    from organizations o where o.slug = ${slug}`;
  if (!row?.generated?.completedAt) return null;
  return { orgId: row.id, benchUserId: row.bench_user_id, settings: row.generated };
}
