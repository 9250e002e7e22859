import { sql } from "drizzle-orm";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import { buildWeeklyDigest, digestWeekStarting, DIGEST_LIST_LIMIT, lastCompleteWeek, type Digest, type DigestNumbers, type DigestWeek, type ShareOfWeek } from "../../domain/digest/digest.ts";
import { estimateShareFromBins, expectedAiLinesAtPrior, type ConfidenceBin } from "../../domain/metrics/share-bins.ts";
import { addDays, startOfLocalDay } from "../../domain/metrics/time.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { getOrganisationToolActivity } from "../metrics/ai-tools-organisation.ts";
import { storedTimeZone } from "../metrics/targets.ts";
import { getUnreviewedAiMerges } from "../metrics/unreviewed-ai-merges.ts";

/**
 * The numbers of an organisation's weekly digest (issue 18, item 5), over its enabled repositories, for one local
 * Monday–Sunday week. Every read is filtered by the organisation; the tools are the overview's organisation read, the
 * unreviewed merges the repository page's read (unreviewed-ai-merges.ts) added up.
 */

export interface DigestOrganization {
  id: string;
  name: string;
  slug: string;
  timeZone: string;
}

interface Bounds {
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** [local Monday 00:00, next Monday 00:00) as instants: 167 or 169 hours in a week that changes the clocks. */
export function weekBounds(week: DigestWeek, timeZone: string): Bounds {
  return { from: startOfLocalDay(week.start, timeZone), to: startOfLocalDay(addDays(week.start, 7), timeZone) };
}

export async function findDigestOrganization(db: Executor, where: { id: string } | { slug: string }): Promise<DigestOrganization | null> {
  const condition = "id" in where ? sql`id = ${where.id}` : sql`slug = ${where.slug}`;
  const [row] = await db.execute<{ id: string; name: string; slug: string; timezone: string }>(sql`select id, name, slug, timezone from organizations where ${condition}`);
  if (!row) return null;
  return { id: row.id, name: row.name, slug: row.slug, timeZone: storedTimeZone(row.timezone) };
}

async function activeRepositories(db: Executor, orgId: string): Promise<{ id: string; fullName: string }[]> {
  const rows = await db.execute<{ id: string; full_name: string }>(sql`
    select id, full_name from repositories where org_id = ${orgId} and disabled_at is null order by full_name`);
  return rows.map((row) => ({ id: row.id, fullName: row.full_name }));
}

/** Weeks before the digest's own that a repository's prior is fitted over, as the overview's 90 days are. */
export const PRIOR_WEEKS = 12;

/**
 * Each repository's prior (ADR 033) over the weekly share rollup's last PRIOR_WEEKS weeks up to the digest's week: a
 * week's few commits must not decide their own prior (expectedAiLinesAtPrior), or a fortnight of mostly agent commits
 * would call every borderline human commit AI-written too. The rollup's weeks are UTC Mondays, which is close enough
 * for a prior; the lines themselves are read on the local week's exact bounds.
 */
async function priorsOverWeeks(db: Executor, orgId: string, week: DigestWeek): Promise<Map<string, number>> {
  const rows = await db.execute<{ repo_id: string; bin: number; commits: number; written_lines: number; confidence_sum: number }>(sql`
    select w.repo_id, w.bin::int as bin, sum(w.commits)::int as commits, sum(w.written_lines)::bigint as written_lines, sum(w.confidence_sum)::float8 as confidence_sum
    from repositories r
    join repo_weekly_share_bins w on w.org_id = ${orgId} and w.repo_id = r.id
      and w.week >= ${addDays(week.start, -7 * PRIOR_WEEKS)}::date and w.week <= ${week.start}::date
    where r.org_id = ${orgId} and r.disabled_at is null
    group by 1, 2`);
  const bins = new Map<string, ConfidenceBin[]>();
  for (const row of rows) {
    const list = bins.get(row.repo_id) ?? [];
    list.push({ bin: row.bin, commits: row.commits, writtenLines: Number(row.written_lines), linesByTier: { t1: 0, t2: 0, t3: 0, t4: 0 }, confidenceSum: Number(row.confidence_sum) });
    bins.set(row.repo_id, list);
  }
  const priors = new Map<string, number>();
  for (const [repoId, list] of bins) {
    const estimate = estimateShareFromBins(list);
    if (estimate.commits > 0) priors.set(repoId, estimate.prior);
  }
  return priors;
}

/**
 * AI share of the week and of the week before, with the estimate the pages use (ADR 033: per repository a prior
 * fitted by EM over its commits' confidences, the organisation's share the sum of the repositories' expected AI lines
 * over their written lines). Both weeks' lines are taken at the same prior per repository (priorsOverWeeks), so the
 * trend says how the lines moved, not how a refitted prior did. The commits are read binned by the database: the same
 * bins the rollup keeps, but on the local week's exact bounds rather than UTC days.
 */
async function weeklyShares(db: Executor, orgId: string, week: DigestWeek, current: Bounds, previous: Bounds): Promise<{ share: ShareOfWeek; previousShare: ShareOfWeek }> {
  const priors = await priorsOverWeeks(db, orgId, week);
  const rows = await db.execute<{ repo_id: string; current: boolean; bin: number; commits: number; written_lines: number; confidence_sum: number }>(sql`
    select c.repo_id, c.authored_at >= ${current.from.toISOString()}::timestamptz as current,
      least(floor(c.ai_confidence::float8 * 20), 19)::int as bin, count(*)::int as commits,
      coalesce(sum(c.written_lines), 0)::int as written_lines, sum(c.ai_confidence::float8) as confidence_sum
    from repositories r
    join commits c on c.repo_id = r.id and c.org_id = ${orgId}
    where r.org_id = ${orgId} and r.disabled_at is null
      and c.authored_at >= ${previous.from.toISOString()}::timestamptz and c.authored_at < ${current.to.toISOString()}::timestamptz
      and c.analysis_status = 'analyzed' and c.ai_confidence is not null
    group by 1, 2, 3`);
  const byRepo = new Map<string, { current: ConfidenceBin[]; previous: ConfidenceBin[] }>();
  for (const row of rows) {
    const bins = byRepo.get(row.repo_id) ?? { current: [], previous: [] };
    const bin: ConfidenceBin = { bin: row.bin, commits: row.commits, writtenLines: row.written_lines, linesByTier: { t1: 0, t2: 0, t3: 0, t4: 0 }, confidenceSum: Number(row.confidence_sum) };
    (row.current ? bins.current : bins.previous).push(bin);
    byRepo.set(row.repo_id, bins);
  }
  const share: ShareOfWeek = { aiLines: 0, lines: 0, commits: 0 };
  const previousShare: ShareOfWeek = { aiLines: 0, lines: 0, commits: 0 };
  for (const [repoId, bins] of byRepo) {
    // No rollup rows yet (commits analysed this instant): the two weeks' own commits.
    const prior = priors.get(repoId) ?? estimateShareFromBins([...bins.current, ...bins.previous]).prior;
    for (const [week, into] of [[bins.current, share], [bins.previous, previousShare]] as const) {
      const expected = expectedAiLinesAtPrior(week, prior);
      into.aiLines += expected.aiLines;
      into.lines += expected.lines;
      into.commits += week.reduce((sum, bin) => sum + bin.commits, 0);
    }
  }
  return { share, previousShare };
}

/** Runs `read` for each repository, a few at a time: one organisation's weekly job must not take the whole pool. */
async function perRepository<T>(repos: readonly { id: string; fullName: string }[], read: (repo: { id: string; fullName: string }) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let at = 0; at < repos.length; at += 4) results.push(...(await Promise.all(repos.slice(at, at + 4).map(read))));
  return results;
}

/**
 * AI commits per tool in the week: the overview's organisation read (ai-tools-organisation.ts) of the week's row of
 * repo_weekly_tool_activity, whose weeks are the organisation's local ISO weeks like the digest's.
 */
async function weeklyTools(db: Executor, orgId: string, week: DigestWeek): Promise<DigestNumbers["tools"]> {
  const { tools } = await getOrganisationToolActivity(db, orgId, { firstWeek: week.start, lastWeek: week.start });
  return tools.map(({ tool, commits, writtenLines }) => ({ tool, commits, writtenLines }));
}

/**
 * The week's T3/T4 files with AI-written changes across the organisation: the repository page's high-risk files read
 * (counted files, confidence at or above the threshold written into the SQL for code_attribution_repo_high_risk_idx),
 * riskiest and most AI-changed first, with the count of all of them.
 */
async function weeklyRiskyFiles(db: Executor, orgId: string, bounds: Bounds): Promise<{ files: DigestNumbers["riskyFiles"]; count: number }> {
  const rows = await db.execute<{ repo_id: string; full_name: string; file_path: string; risk_tier: number; ai_lines_added: number; total: number }>(sql`
    select f.*, count(*) over ()::int as total from (
      select r.id as repo_id, r.full_name, ca.file_path, max(ca.risk_tier)::int as risk_tier, coalesce(sum(ca.lines_added), 0)::int as ai_lines_added
      from repositories r
      join code_attribution ca on ca.org_id = ${orgId} and ca.repo_id = r.id
        and ca.authored_at >= ${bounds.from.toISOString()}::timestamptz and ca.authored_at < ${bounds.to.toISOString()}::timestamptz
        and ca.risk_tier >= 3 and ca.ai_confidence >= ${sql.raw(String(AI_CONFIDENCE_THRESHOLD))} and ca.counts_toward_share
      where r.org_id = ${orgId} and r.disabled_at is null
      group by r.id, r.full_name, ca.file_path
    ) f
    order by f.risk_tier desc, f.ai_lines_added desc, f.full_name, f.file_path
    limit ${DIGEST_LIST_LIMIT}`);
  return {
    files: rows.map((row) => ({ repoId: row.repo_id, repoFullName: row.full_name, path: row.file_path, riskTier: row.risk_tier, aiLinesAdded: row.ai_lines_added })),
    count: rows[0]?.total ?? 0,
  };
}

/**
 * Incidents started in the week, and those whose suspected commits hold AI-written lines (the incidents page's
 * attribution: counted lines of the suspected commits at or above the threshold).
 */
async function weeklyIncidents(db: Executor, orgId: string, bounds: Bounds): Promise<DigestNumbers["incidents"]> {
  const [row] = await db.execute<{ started: number; ai_attributed: number }>(sql`
    select count(*)::int as started, count(*) filter (where a.ai_lines > 0)::int as ai_attributed
    from incidents i
    join repositories r on r.id = i.repo_id and r.org_id = ${orgId} and r.disabled_at is null
    left join lateral (
      select sum(ca.lines_added) filter (where ca.ai_confidence >= ${AI_CONFIDENCE_THRESHOLD}) as ai_lines
      from incident_commits ic
      join code_attribution ca on ca.org_id = ${orgId} and ca.repo_id = ic.repo_id and ca.commit_sha = ic.commit_sha and ca.counts_toward_share
      where ic.incident_id = i.id
    ) a on true
    where i.org_id = ${orgId} and i.started_at >= ${bounds.from.toISOString()}::timestamptz and i.started_at < ${bounds.to.toISOString()}::timestamptz`);
  return { started: row?.started ?? 0, aiAttributed: row?.ai_attributed ?? 0 };
}

async function weeklyUnreviewedMerges(db: Executor, orgId: string, repos: readonly { id: string; fullName: string }[], bounds: Bounds): Promise<DigestNumbers["unreviewedAiMerges"]> {
  const perRepo = await perRepository(repos, async (repo) => ({ repo, merges: await getUnreviewedAiMerges(db, { orgId, repoId: repo.id }, bounds) }));
  const total: DigestNumbers["unreviewedAiMerges"] = { merged: 0, aiHighRiskMerged: 0, unreviewed: 0, pullRequests: [] };
  const listed: { repoId: string; repoFullName: string; number: number; title: string; mergedAt: Date }[] = [];
  for (const { repo, merges } of perRepo) {
    total.merged += merges.merged;
    total.aiHighRiskMerged += merges.aiHighRiskMerged;
    total.unreviewed += merges.unreviewed;
    for (const pr of merges.pullRequests) listed.push({ repoId: repo.id, repoFullName: repo.fullName, number: pr.number, title: pr.title, mergedAt: pr.mergedAt });
  }
  listed.sort((a, b) => b.mergedAt.getTime() - a.mergedAt.getTime() || a.repoFullName.localeCompare(b.repoFullName) || b.number - a.number);
  total.pullRequests = listed.slice(0, DIGEST_LIST_LIMIT).map(({ mergedAt: _mergedAt, ...pr }) => pr);
  return total;
}

export async function loadDigestNumbers(db: Executor, organization: DigestOrganization, week: DigestWeek): Promise<DigestNumbers> {
  const bounds = weekBounds(week, organization.timeZone);
  const previous = weekBounds(digestWeekStarting(addDays(week.start, -7)), organization.timeZone);
  const repos = await activeRepositories(db, organization.id);
  const [shares, tools, risky, incidents, unreviewedAiMerges] = await Promise.all([
    weeklyShares(db, organization.id, week, bounds, previous),
    weeklyTools(db, organization.id, week),
    weeklyRiskyFiles(db, organization.id, bounds),
    weeklyIncidents(db, organization.id, bounds),
    weeklyUnreviewedMerges(db, organization.id, repos, bounds),
  ]);
  return {
    organization: { name: organization.name },
    week,
    ...shares,
    tools,
    riskyFiles: risky.files,
    riskyFileCount: risky.count,
    incidents,
    unreviewedAiMerges,
  };
}

export type DigestPreview = { ok: true; organization: DigestOrganization; digest: Digest } | { ok: false; code: "ORG_NOT_FOUND" };

/**
 * The digest an organisation would get for `week` (default: its last complete week at `now`), without sending it:
 * the settings page's preview, the CLI's dry run and the delivery job all build it here.
 */
export async function buildOrganizationDigest(db: Executor, where: { id: string } | { slug: string }, options: { now: Date; weekStart?: string }): Promise<DigestPreview> {
  const organization = await findDigestOrganization(db, where);
  if (!organization) return { ok: false, code: "ORG_NOT_FOUND" };
  const week = options.weekStart ? digestWeekStarting(options.weekStart) : lastCompleteWeek(options.now, organization.timeZone);
  return { ok: true, organization, digest: buildWeeklyDigest(await loadDigestNumbers(db, organization, week)) };
}
