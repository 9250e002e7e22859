import { sql } from "drizzle-orm";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import type { Executor } from "../../infrastructure/db/client.ts";

/**
 * "AI-written T3/T4 changes merged without a review" (issue 18): the pull requests merged in a range that nobody but
 * their author reviewed (first_review_at is null) although their commits hold AI-written code in a T3/T4 file.
 */

/** The list stops here: the counts say how many there are in all. */
export const UNREVIEWED_AI_MERGES_LIMIT = 20;

export interface UnreviewedAiMergesScope {
  orgId: string;
  repoId: string;
}

export interface UnreviewedAiMergesRange {
  from: Date;
  /** Exclusive. */
  to: Date;
}

export interface UnreviewedAiMerge {
  number: number;
  /** "" when the pull request's title was never stored. */
  title: string;
  mergedAt: Date;
  /** Distinct T3/T4 files the pull request's commits changed with AI-written code. */
  aiHighRiskFiles: number;
}

export interface UnreviewedAiMerges {
  /** Pull requests merged in the range. */
  merged: number;
  /** Of those, the ones with AI-written T3/T4 changes. */
  aiHighRiskMerged: number;
  /** Of those, the ones merged without a review. */
  unreviewed: number;
  /** The unreviewed ones, newest merge first, at most UNREVIEWED_AI_MERGES_LIMIT. */
  pullRequests: UnreviewedAiMerge[];
}

/**
 * One statement. The range's merged pull requests come from the partial index on merged pull requests
 * (pull_requests_repo_merged_idx); whether one holds AI-written T3/T4 code from its rows of pull_request_lines
 * (migration 0025, ADR 079: attribution rows at the threshold per tier, kept by triggers), one index-only probe each.
 * Only the listed pull requests (at most UNREVIEWED_AI_MERGES_LIMIT) count their distinct files: per commit, its
 * AI-written T3/T4 files, each probe one look into the small partial index code_attribution_repo_high_risk_idx (a
 * file's row carries its commit's author date and the threshold is written into the SQL), as in DORA.
 */
export async function getUnreviewedAiMerges(db: Executor, scope: UnreviewedAiMergesScope, range: UnreviewedAiMergesRange): Promise<UnreviewedAiMerges> {
  const [row] = await db.execute<{
    merged: number;
    ai_high_risk_merged: number;
    unreviewed: number;
    pull_requests: { number: number; title: string; merged_at: string; ai_high_risk_files: number }[];
  }>(sql`
    with merged as materialized (
      select pr.number, pr.title, pr.merged_at, pr.first_review_at is null as unreviewed
      from pull_requests pr
      where pr.org_id = ${scope.orgId} and pr.repo_id = ${scope.repoId}
        and pr.merged_at >= ${range.from.toISOString()}::timestamptz and pr.merged_at < ${range.to.toISOString()}::timestamptz
    ), flagged as materialized (
      select m.number, m.title, m.merged_at, m.unreviewed
      from merged m
      where (
        select coalesce(sum(l.ai_files_t3 + l.ai_files_t4), 0) from pull_request_lines l
        where l.repo_id = ${scope.repoId} and l.pr_number = m.number
      ) > 0
    ), listed as (
      select * from flagged where unreviewed order by merged_at desc, number desc limit ${UNREVIEWED_AI_MERGES_LIMIT}
    )
    select
      (select count(*) from merged)::int as merged,
      (select count(*) from flagged)::int as ai_high_risk_merged,
      (select count(*) from flagged where unreviewed)::int as unreviewed,
      coalesce((
        select json_agg(json_build_object('number', f.number, 'title', f.title, 'merged_at', f.merged_at, 'ai_high_risk_files', ai.files) order by f.merged_at desc, f.number desc)
        from listed f
        cross join lateral (
          select count(distinct ca.file_path)::int as files
          from commits c
          join code_attribution ca on ca.org_id = c.org_id and ca.repo_id = c.repo_id and ca.authored_at = c.authored_at and ca.commit_sha = c.sha
            and ca.risk_tier >= 3 and ca.ai_confidence >= ${sql.raw(String(AI_CONFIDENCE_THRESHOLD))}
          where c.org_id = ${scope.orgId} and c.repo_id = ${scope.repoId} and c.pr_number = f.number
        ) ai
      ), '[]'::json) as pull_requests
  `);
  return {
    merged: row!.merged,
    aiHighRiskMerged: row!.ai_high_risk_merged,
    unreviewed: row!.unreviewed,
    pullRequests: row!.pull_requests.map((pr) => ({ number: pr.number, title: pr.title, mergedAt: new Date(pr.merged_at), aiHighRiskFiles: pr.ai_high_risk_files })),
  };
}
