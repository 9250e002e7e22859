import { sql, type SQL } from "drizzle-orm";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import {
  computeDora,
  FINISHED_DEPLOYMENT_STATUSES,
  SUCCESSFUL_DEPLOYMENT_STATUSES,
  type DoraFigures,
  type DoraRange,
  type FinishedDeploymentStatus,
  type IncidentSpan,
  type ProductionDeployment,
} from "../../domain/metrics/dora.ts";
import type { Executor } from "../../infrastructure/db/client.ts";

/** One repository of the organisation, or all its active repositories (`repoId` null). */
export interface DoraScope {
  orgId: string;
  repoId: string | null;
}

/** The first production deployment a repository ever had ships at most the week of commits before it (as ADR 060). */
const FIRST_DEPLOYMENT_LOOKBACK = sql.raw(`interval '7 days'`);

const listOf = (values: readonly string[]) => sql.join(values.map((value) => sql`${value}`), sql`, `);

/** The scope's active repositories (`r`): a repository of another organisation, or a disabled one, yields nothing. */
function repositoriesOf(scope: DoraScope): SQL {
  return sql`r.org_id = ${scope.orgId} and r.disabled_at is null ${scope.repoId ? sql`and r.id = ${scope.repoId}` : sql``}`;
}

/**
 * The production deployments created in the range that finished (success, replaced, failure, error), each with what it
 * shipped since the repository's previous successful production deployment: the default branch's commits that landed
 * (committed, else authored) in between — the incident form's definition (ADR 060) — and the commits of the pull
 * requests merged into the default branch in between. The second half matters: a push of a merge lists only the
 * commits new to the repository, so a pull request's own commits are never marked as on the default branch, and they
 * are where the authoring time and the AI verdicts are (a merge commit is not analysed). For every commit, whether one
 * of its files is AI-written (confidence ≥ the threshold) in T3/T4: a file's row carries its commit's author date (the
 * verdict writer copies it), so with the threshold written into the SQL each probe is one look into the small partial
 * index of those rows (code_attribution_repo_high_risk_idx) instead of every file of the commit.
 */
async function loadProductionDeployments(db: Executor, scope: DoraScope, range: DoraRange): Promise<ProductionDeployment[]> {
  const rows = await db.execute<{
    id: string;
    repo_id: string;
    status: FinishedDeploymentStatus;
    created_at: string | Date;
    finished_at: string | Date | null;
    authored_ms: number[] | null;
    ai_high_risk: boolean | null;
  }>(sql`
    select d.id, d.repo_id, d.status, d.created_at, d.finished_at, shipped.authored_ms, shipped.ai_high_risk
    from repositories r
    join deployments d on d.repo_id = r.id and d.org_id = r.org_id
    cross join lateral (
      select coalesce((
        select p.created_at from deployments p
        where p.org_id = d.org_id and p.repo_id = d.repo_id and p.is_production
          and p.status in (${listOf(SUCCESSFUL_DEPLOYMENT_STATUSES)}) and p.created_at < d.created_at
        order by p.created_at desc
        limit 1
      ), d.created_at - ${FIRST_DEPLOYMENT_LOOKBACK}) as after
    ) since
    left join lateral (
      select json_agg((extract(epoch from c.authored_at) * 1000)::bigint) as authored_ms,
        bool_or(exists (
          select 1 from code_attribution ca
          where ca.org_id = c.org_id and ca.repo_id = c.repo_id and ca.authored_at = c.authored_at and ca.commit_sha = c.sha
            and ca.risk_tier >= 3 and ca.ai_confidence >= ${sql.raw(String(AI_CONFIDENCE_THRESHOLD))}
        )) as ai_high_risk
      from (
        select c.org_id, c.repo_id, c.sha, c.authored_at from commits c
        where c.org_id = d.org_id and c.repo_id = d.repo_id and c.on_default_branch
          and coalesce(c.committed_at, c.authored_at) > since.after
          and coalesce(c.committed_at, c.authored_at) <= d.created_at
        union all
        select c.org_id, c.repo_id, c.sha, c.authored_at from pull_requests pr
        join commits c on c.org_id = pr.org_id and c.repo_id = pr.repo_id and c.pr_number = pr.number and not c.on_default_branch
        where pr.org_id = d.org_id and pr.repo_id = d.repo_id and pr.base_ref = r.default_branch
          and pr.merged_at > since.after
          and pr.merged_at <= d.created_at
      ) c
    ) shipped on true
    where ${repositoriesOf(scope)}
      and d.is_production and d.status in (${listOf(FINISHED_DEPLOYMENT_STATUSES)})
      and d.created_at >= ${range.from.toISOString()} and d.created_at < ${range.to.toISOString()}
    order by d.repo_id, d.created_at
  `);
  return rows.map((row) => ({
    id: row.id,
    repoId: row.repo_id,
    status: row.status,
    createdAt: new Date(row.created_at),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
    shippedCommitsAuthoredAt: (row.authored_ms ?? []).map((ms) => new Date(ms)),
    shippedAiHighRisk: row.ai_high_risk ?? false,
  }));
}

/** The incidents that started in the range. */
async function loadIncidents(db: Executor, scope: DoraScope, range: DoraRange): Promise<IncidentSpan[]> {
  const rows = await db.execute<{ id: string; repo_id: string; started_at: string | Date; resolved_at: string | Date | null }>(sql`
    select i.id, i.repo_id, i.started_at, i.resolved_at
    from repositories r
    join incidents i on i.repo_id = r.id and i.org_id = r.org_id
    where ${repositoriesOf(scope)}
      and i.started_at >= ${range.from.toISOString()} and i.started_at < ${range.to.toISOString()}
  `);
  return rows.map((row) => ({
    id: row.id,
    repoId: row.repo_id,
    startedAt: new Date(row.started_at),
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at),
  }));
}

/**
 * Deployment frequency, lead time, change failure rate and time to restore of a repository or the whole organisation
 * over [from, to), with change failure split by AI-written T3/T4 code (domain/metrics/dora.ts). Two statements, both
 * scoped to the organisation.
 */
export async function getDoraFigures(db: Executor, scope: DoraScope, range: DoraRange): Promise<DoraFigures> {
  const [deployments, incidents] = await Promise.all([loadProductionDeployments(db, scope, range), loadIncidents(db, scope, range)]);
  return computeDora({ range, deployments, incidents });
}
