import { sql, type SQL } from "drizzle-orm";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { comparePullRequestTimes, type TimesSide } from "./pull-request-times.ts";

/**
 * The pull-request lens (issue 18, item 3; ADR 075). A pull request is **AI-assisted** when its head branch or body
 * carries an agent marker (`pull_requests.ai_markers`) or at least one of its commits' counted lines is AI-written
 * (a counted file's `written_lines` whose per-file confidence reaches AI_CONFIDENCE_THRESHOLD); every other pull
 * request is **human**. Its AI share is those AI-written lines over its commits' written lines (`commits.written_lines`,
 * the counted files' lines: what every AI share in Sentinel is a share of).
 */

/** Which pull requests a list shows: all, the AI-assisted ones, or the human ones. */
export const PULL_REQUEST_KINDS = ["all", "ai", "human"] as const;
export type PullRequestKind = (typeof PULL_REQUEST_KINDS)[number];

export interface PullRequestListQuery {
  orgId: string;
  /** Pull requests opened in [from, to). */
  from: Date;
  to: Date;
  /** One repository of the organisation, or all of them. */
  repoId?: string;
  kind: PullRequestKind;
  /** 1-based. */
  page: number;
  limit: number;
}

export interface PullRequestRow {
  repoId: string;
  repoFullName: string;
  number: number;
  title: string;
  authorLogin: string | null;
  state: string;
  openedAt: Date;
  mergedAt: Date | null;
  aiAssisted: boolean;
  /** The pull request's commits' written lines, and of them the AI-written ones. */
  writtenLines: number;
  aiLines: number;
  /** aiLines / writtenLines; null when its commits wrote no counted line (or are not analysed yet). */
  aiShare: number | null;
  /** The tools named by its AI commits' markers ("unmarked" when judged by style, "unknown" when not recorded). */
  agents: string[];
  /** Highest risk tier (1–4) of a file its commits changed with AI-written code; null when none. */
  highestAiRiskTier: number | null;
  reviews: { count: number; approvals: number; commented: number; firstReviewAt: Date | null; approvedWithoutComment: boolean };
  /** Ready for review (or opened) → first review by someone else, in minutes; null when not reviewed. */
  timeToFirstReviewMinutes: number | null;
  /** Opened → merged, in minutes; null when not merged. */
  cycleTimeMinutes: number | null;
}

/** The figures of one side of the comparison, with the count behind each so a small sample reads as one. */
export interface PullRequestGroupSummary {
  pullRequests: number;
  merged: number;
  cycleTimeMedianMinutes: number | null;
  cycleTimeP75Minutes: number | null;
  reviewed: number;
  timeToFirstReviewMedianMinutes: number | null;
  timeToFirstReviewP75Minutes: number | null;
  mergedWithoutReview: number;
  /** mergedWithoutReview / merged; null when none merged. */
  mergedWithoutReviewShare: number | null;
}

/**
 * How the comparison's medians and 75th percentiles were taken: exactly, or (over more than EXACT_COMPARISON_UP_TO pull
 * requests) from 10 % histograms, within 10 % of the exact figure. Counts are exact either way.
 */
export type PercentileMethod = "exact" | "approximate";

export interface PullRequestList {
  /** Pull requests of the filter (kind, repository) in the range. */
  total: number;
  pullRequests: PullRequestRow[];
  /** AI-assisted vs human over the whole range (and repository), whatever the kind filter. */
  summary: { ai: PullRequestGroupSummary; human: PullRequestGroupSummary; percentiles: PercentileMethod };
}

/**
 * Up to this many pull requests in the range, the comparison sorts their times (exact medians, a few milliseconds);
 * above, it adds up per-day histograms instead (ADR 084: ~50,000 pull requests took ~80 ms of sorting).
 */
export const EXACT_COMPARISON_UP_TO = 5_000;

const THRESHOLD = sql.raw(String(AI_CONFIDENCE_THRESHOLD));

/** A commit's tool: commit_ai_tool (migration 0023), the rule the per-tool views and their rollup read it by. */
function toolOf(signals: SQL): SQL {
  return sql`commit_ai_tool(${signals})`;
}

/**
 * A pull request's lines, from its pull_request_lines rows (ADR 079, kept by triggers; several rows when writers
 * overlapped, so summed): written and AI-written lines, and the highest tier of a file changed with AI-written code
 * (AI confidence reaching the threshold, counted or not, as the unreviewed-merges metric reads it).
 */
const LINES = sql`
  cross join lateral (
    select coalesce(sum(l.written_lines), 0)::int as written_lines, coalesce(sum(l.ai_lines), 0)::int as ai_lines,
      case when sum(l.ai_files_t4) > 0 then 4 when sum(l.ai_files_t3) > 0 then 3 when sum(l.ai_files_t2) > 0 then 2
           when sum(l.ai_files_t1) > 0 then 1 end as highest_ai_tier
    from pull_request_lines l
    where l.repo_id = pr.repo_id and l.pr_number = pr.number
  ) lines`;

/**
 * Opened → merged, and ready for review (or opened) → first review (greatest() skips nulls: an unreviewed pull request
 * stays null, not 0), as intervals: percentiles are taken over intervals (sorting them is cheap; computing ~50,000
 * epochs as date_part's numeric cost more than the rest of the comparison) and only the results become minutes.
 */
const CYCLE = sql`pr.merged_at - pr.opened_at`;
const REVIEW_WAIT = sql`case when pr.first_review_at is not null then greatest(pr.first_review_at - coalesce(pr.ready_for_review_at, pr.opened_at), interval '0') end`;
const inMinutes = (interval: SQL) => sql`date_part('epoch', ${interval}) / 60`;
const MARKED = sql`jsonb_array_length(pr.ai_markers) > 0`;

/** The range's pull requests: pull_requests_org_opened_idx (org_id, opened_at). */
function inRange(query: Pick<PullRequestListQuery, "orgId" | "from" | "to" | "repoId">): SQL {
  return sql`pr.org_id = ${query.orgId}
    and pr.opened_at >= ${query.from.toISOString()}::timestamptz and pr.opened_at < ${query.to.toISOString()}::timestamptz
    ${query.repoId ? sql`and pr.repo_id = ${query.repoId}` : sql``}`;
}

/**
 * The AI-assisted vs human comparison over every pull request of the range, in one pass over the covering index
 * pull_requests_org_opened_covering_idx. A pull request is AI-assisted when the sum of its pull_request_lines rows' AI
 * lines is positive (rows with AI lines by the partial (org_id, opened_at) index; rows written before their pull
 * request was known have no opening time and are taken along) or an agent marked it (the small partial index
 * pull_requests_org_opened_marked_idx): a marked pull request adds 1 to that sum, which is never negative otherwise,
 * so one grouping and one hash join classify them all. Neither commits nor code_attribution is read.
 */
function comparison(query: Pick<PullRequestListQuery, "orgId" | "from" | "to" | "repoId">): SQL {
  const aiRows = (opened: SQL) => sql`
    select l.repo_id, l.pr_number, l.ai_lines from pull_request_lines l
    where l.org_id = ${query.orgId} ${query.repoId ? sql`and l.repo_id = ${query.repoId}` : sql``} and l.ai_lines <> 0 and ${opened}`;
  const opened = sql`l.opened_at >= ${query.from.toISOString()}::timestamptz and l.opened_at < ${query.to.toISOString()}::timestamptz`;
  const side = (where: SQL) => sql`json_build_object(
    'pull_requests', count(*) filter (where ${where}),
    'merged', count(*) filter (where ${where} and merged),
    'cycle_p50', ${inMinutes(sql`percentile_cont(0.5) within group (order by cycle) filter (where ${where})`)},
    'cycle_p75', ${inMinutes(sql`percentile_cont(0.75) within group (order by cycle) filter (where ${where})`)},
    'reviewed', count(review_wait) filter (where ${where}),
    'review_p50', ${inMinutes(sql`percentile_cont(0.5) within group (order by review_wait) filter (where ${where})`)},
    'review_p75', ${inMinutes(sql`percentile_cont(0.75) within group (order by review_wait) filter (where ${where})`)},
    'merged_without_review', count(*) filter (where ${where} and merged and not reviewed))`;
  return sql`
    select ${side(sql`ai_assisted`)} as ai, ${side(sql`not ai_assisted`)} as human
    from (
      select ai.pr_number is not null as ai_assisted, pr.merged_at is not null as merged,
        pr.first_review_at is not null as reviewed, ${CYCLE} as cycle, ${REVIEW_WAIT} as review_wait
      from pull_requests pr
      left join (
        select rows.repo_id, rows.pr_number from (
          ${aiRows(opened)}
          union all ${aiRows(sql`l.opened_at is null`)}
          union all select pr.repo_id, pr.number, 1 from pull_requests pr where ${inRange(query)} and ${MARKED}
        ) rows
        group by rows.repo_id, rows.pr_number
        having sum(rows.ai_lines) > 0
      ) ai on ai.repo_id = pr.repo_id and ai.pr_number = pr.number
      where ${inRange(query)}
    ) classified`;
}

function kindFilter(kind: PullRequestKind): SQL {
  const aiAssisted = sql`(${MARKED} or lines.ai_lines > 0)`;
  if (kind === "ai") return sql`and ${aiAssisted}`;
  if (kind === "human") return sql`and not ${aiAssisted}`;
  return sql``;
}

/** How many pull requests a kind holds, from the comparison's counts (no second pass over the range). */
function totalOf(kind: PullRequestKind, summary: PullRequestList["summary"]): number {
  if (kind === "ai") return summary.ai.pullRequests;
  if (kind === "human") return summary.human.pullRequests;
  return summary.ai.pullRequests + summary.human.pullRequests;
}

/**
 * Pull requests shown as rows, newest opened first, as a JSON array: those `where` picks (and the kind keeps), one
 * page of them. Read newest first along pull_requests_org_opened_idx, each classified by its own pull_request_lines
 * rows, so only as many are looked at as the page needs; the page's rows then get their repository, columns and agents.
 */
function pageOf(where: SQL, kind: PullRequestKind, orgId: string, limit: number, offset: number): SQL {
  return sql`(
    select json_agg(to_jsonb(rows) order by rows.opened_at desc, rows.number desc, rows.repo_id) from (
      select p.repo_id, r.full_name, p.number, pr.title, pr.author_login, pr.state, pr.opened_at, pr.merged_at, pr.first_review_at,
        (${MARKED} or p.ai_lines > 0) as ai_assisted, p.written_lines, p.ai_lines, pr.review_count, pr.approval_count,
        pr.commented_review_count, ${inMinutes(CYCLE)} as cycle_minutes, ${inMinutes(REVIEW_WAIT)} as review_minutes, extras.agents,
        p.highest_ai_tier
      from (
        select pr.repo_id, pr.number, lines.written_lines, lines.ai_lines, lines.highest_ai_tier
        from pull_requests pr ${LINES}
        where ${where} ${kindFilter(kind)}
        order by pr.opened_at desc, pr.number desc, pr.repo_id
        limit ${limit} offset ${offset}
      ) p
      join pull_requests pr on pr.repo_id = p.repo_id and pr.number = p.number
      join repositories r on r.id = p.repo_id and r.org_id = ${orgId}
      ${agentsOf()}
    ) rows)`;
}

type GroupRow = {
  pull_requests: number;
  merged: number;
  cycle_p50: number | null;
  cycle_p75: number | null;
  reviewed: number;
  review_p50: number | null;
  review_p75: number | null;
  merged_without_review: number;
};

type PageRow = {
  repo_id: string;
  full_name: string;
  number: number;
  title: string;
  author_login: string | null;
  state: string;
  opened_at: string;
  merged_at: string | null;
  first_review_at: string | null;
  ai_assisted: boolean;
  written_lines: number;
  ai_lines: number;
  review_count: number;
  approval_count: number;
  commented_review_count: number;
  cycle_minutes: number | null;
  review_minutes: number | null;
  agents: string[] | null;
  highest_ai_tier: number | null;
};

/** The tools of a listed pull request's AI commits (its commits from commits_repo_pr_idx: page rows only). */
function agentsOf(): SQL {
  return sql`
    cross join lateral (
      select array_agg(distinct ${toolOf(sql`c.signals`)}) filter (where c.ai_confidence >= ${THRESHOLD}) as agents
      from commits c
      where c.repo_id = p.repo_id and c.pr_number = p.number and c.org_id = r.org_id
    ) extras`;
}

const minutes = (value: number | string | null) => (value === null ? null : Math.round(Number(value)));
const date = (value: string | null) => (value === null ? null : new Date(value));

export function toPullRequestRow(row: PageRow): PullRequestRow {
  return {
    repoId: row.repo_id,
    repoFullName: row.full_name,
    number: row.number,
    title: row.title,
    authorLogin: row.author_login,
    state: row.state,
    openedAt: new Date(row.opened_at),
    mergedAt: date(row.merged_at),
    aiAssisted: row.ai_assisted,
    writtenLines: row.written_lines,
    aiLines: row.ai_lines,
    aiShare: row.written_lines > 0 ? Math.min(1, row.ai_lines / row.written_lines) : null,
    agents: [...(row.agents ?? [])].sort(),
    highestAiRiskTier: row.highest_ai_tier,
    reviews: {
      count: row.review_count,
      approvals: row.approval_count,
      commented: row.commented_review_count,
      firstReviewAt: date(row.first_review_at),
      approvedWithoutComment: row.approval_count > 0 && row.commented_review_count === 0,
    },
    timeToFirstReviewMinutes: minutes(row.review_minutes),
    cycleTimeMinutes: minutes(row.cycle_minutes),
  };
}

function fromTimes(side: TimesSide): PullRequestGroupSummary {
  return { ...side, mergedWithoutReviewShare: side.merged > 0 ? side.mergedWithoutReview / side.merged : null };
}

/** Where the comparison turns approximate, and how many queued pull requests a read adds up itself (tests move them). */
export interface ListOptions {
  exactUpTo?: number;
  pendingLimit?: number;
}

/**
 * The comparison: counted from the histograms first (cheap whatever the range), then, when the range holds few enough
 * pull requests (or too many are queued for the histograms to be read quickly), taken exactly.
 */
async function compare(db: Executor, query: PullRequestListQuery, options: ListOptions): Promise<PullRequestList["summary"]> {
  const exactUpTo = options.exactUpTo ?? EXACT_COMPARISON_UP_TO;
  const counted = await comparePullRequestTimes(db, query, { pendingLimit: options.pendingLimit });
  if (counted && counted.ai.pullRequests + counted.human.pullRequests > exactUpTo) {
    return { ai: fromTimes(counted.ai), human: fromTimes(counted.human), percentiles: "approximate" };
  }
  const [row] = await db.execute<{ ai: GroupRow; human: GroupRow }>(comparison(query));
  return { ai: toGroupSummary(row!.ai), human: toGroupSummary(row!.human), percentiles: "exact" };
}

function toGroupSummary(row: GroupRow): PullRequestGroupSummary {
  return {
    pullRequests: row.pull_requests,
    merged: row.merged,
    cycleTimeMedianMinutes: minutes(row.cycle_p50),
    cycleTimeP75Minutes: minutes(row.cycle_p75),
    reviewed: row.reviewed,
    timeToFirstReviewMedianMinutes: minutes(row.review_p50),
    timeToFirstReviewP75Minutes: minutes(row.review_p75),
    mergedWithoutReview: row.merged_without_review,
    mergedWithoutReviewShare: row.merged > 0 ? row.merged_without_review / row.merged : null,
  };
}

/** One page of the range's pull requests (newest opened first), how many the filter holds, and the comparison. */
export async function listPullRequests(db: Executor, query: PullRequestListQuery, options: ListOptions = {}): Promise<PullRequestList> {
  const [[row], summary] = await Promise.all([
    db.execute<{ page: PageRow[] | null }>(sql`select ${pageOf(inRange(query), query.kind, query.orgId, query.limit, (query.page - 1) * query.limit)} as page`),
    compare(db, query, options),
  ]);
  return { total: totalOf(query.kind, summary), pullRequests: (row!.page ?? []).map(toPullRequestRow), summary };
}

export interface PullRequestCommit {
  sha: string;
  /** The commit's push event, for its event page; null when the commit came without one (an import). */
  eventId: number | null;
  authorLogin: string | null;
  authoredAt: Date;
  messageHeadline: string;
  aiConfidence: number | null;
  analysisStatus: string;
  writtenLines: number;
  agent: string | null;
}

export interface PullRequestAiFile {
  path: string;
  riskTier: number;
  /** AI-written lines of the file over the pull request's commits. */
  aiLines: number;
  commits: number;
}

export interface PullRequestDetail extends PullRequestRow {
  commits: PullRequestCommit[];
  aiFiles: PullRequestAiFile[];
}

/** One pull request of one repository of the organisation, or null (unknown number, or another organisation's). */
export async function getPullRequestDetail(db: Executor, scope: { orgId: string; repoId: string; number: number }): Promise<PullRequestDetail | null> {
  const [found] = await db.execute<{ page: PageRow[] | null }>(sql`
    select ${pageOf(sql`pr.org_id = ${scope.orgId} and pr.repo_id = ${scope.repoId} and pr.number = ${scope.number}`, "all", scope.orgId, 1, 0)} as page`);
  const pr = found?.page?.[0];
  if (!pr) return null;
  const [commitRows, fileRows] = await Promise.all([
    db.execute<{ sha: string; event_id: number | null; author_login: string | null; authored_at: string; message_headline: string; ai_confidence: number | null; analysis_status: string; written_lines: number; agent: string | null }>(sql`
      select c.sha, (select e.id from code_events e where e.commit_sha = c.sha and e.repo_id = c.repo_id and e.type = 'commit' order by e.id limit 1) as event_id,
        c.author_login, c.authored_at, c.message_headline, c.ai_confidence, c.analysis_status, c.written_lines,
        case when c.ai_confidence >= ${THRESHOLD} then ${toolOf(sql`c.signals`)} end as agent
      from commits c
      where c.org_id = ${scope.orgId} and c.repo_id = ${scope.repoId} and c.pr_number = ${scope.number}
      order by c.authored_at, c.sha`),
    db.execute<{ path: string; risk_tier: number; ai_lines: number; commits: number }>(sql`
      select ca.file_path as path, max(ca.risk_tier)::int as risk_tier, coalesce(sum(ca.written_lines) filter (where ca.counts_toward_share), 0)::int as ai_lines, count(*)::int as commits
      from commits c
      join code_attribution ca on ca.repo_id = c.repo_id and ca.commit_sha = c.sha and ca.org_id = c.org_id and ca.ai_confidence >= ${THRESHOLD}
      where c.org_id = ${scope.orgId} and c.repo_id = ${scope.repoId} and c.pr_number = ${scope.number}
      group by ca.file_path
      order by max(ca.risk_tier) desc, 3 desc, ca.file_path`),
  ]);
  return {
    ...toPullRequestRow(pr),
    commits: commitRows.map((c) => ({
      sha: c.sha,
      eventId: c.event_id === null ? null : Number(c.event_id),
      authorLogin: c.author_login,
      authoredAt: new Date(c.authored_at),
      messageHeadline: c.message_headline,
      aiConfidence: c.ai_confidence,
      analysisStatus: c.analysis_status,
      writtenLines: c.written_lines,
      agent: c.agent,
    })),
    aiFiles: fileRows.map((f) => ({ path: f.path, riskTier: f.risk_tier, aiLines: f.ai_lines, commits: f.commits })),
  };
}
