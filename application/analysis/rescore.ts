import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { analyzeCommit, DETECTOR_VERSION } from "../../domain/detection/index.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { organizations, repositories } from "../../infrastructure/db/schema/index.ts";
import { markMetricsStale } from "../metrics/stale-ranges.ts";
import { buildCommitVerdict, readAnalysisContexts, type AnalysisContextRow } from "./analyze-stored-commit.ts";
import type { StoredContext } from "./detection-input.ts";
import {
  HAS_REBUILD_SOURCE,
  rebuildInputs,
  REBUILD_METHOD_LABELS,
  UNREBUILDABLE_REASON_LABELS,
  withContext,
  type RebuildMethod,
  type RebuildOutcome,
  type StaleCommit,
  type UnrebuildableReason,
} from "./rescore-sources.ts";
import { writeVerdicts, type CommitVerdict, type VerdictContext } from "./verdict-writer.ts";

/**
 * Re-scoring stored history after the detector changed (`sentinel rescore`, and the worker's rescore job): each
 * analysed commit whose stored detector version is not the current one is run through the current engine again, from
 * what was stored with its verdict (commit_detection_inputs + commit_file_patches) — or, for a commit analysed before
 * inputs were kept, from the demo dataset or its push payload and stored rows (rescore-sources.ts) — and its context
 * as the analysis reads it (branch, pull request, the author's previous commit). No GitHub call. Its new verdict, and
 * its input, are written by the analysis's own writer. Resumable (a commit at the current version is never picked
 * again) and atomic per batch (one transaction per batch of verdicts).
 */

export interface RescoreRepository {
  repoId: string;
  orgId: string;
  fullName: string;
}

export type RescoreScopeResult =
  | { ok: true; repositories: RescoreRepository[] }
  | { ok: false; code: "ORG_NOT_FOUND" | "REPO_NOT_FOUND"; message: string };

/** The enabled repositories `--org` / `--repo` name; both absent: every enabled repository. */
export async function resolveRescoreScope(db: Database, filter: { orgSlug?: string; repo?: string; orgId?: string }): Promise<RescoreScopeResult> {
  let orgId = filter.orgId;
  if (filter.orgSlug !== undefined) {
    const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, filter.orgSlug));
    if (!org) return { ok: false, code: "ORG_NOT_FOUND", message: `no organisation with the slug "${filter.orgSlug}"` };
    orgId = org.id;
  }
  const conditions = [isNull(repositories.disabledAt)];
  if (orgId !== undefined) conditions.push(eq(repositories.orgId, orgId));
  if (filter.repo !== undefined) conditions.push(eq(repositories.fullName, filter.repo));
  const rows = await db
    .select({ repoId: repositories.id, orgId: repositories.orgId, fullName: repositories.fullName })
    .from(repositories)
    .where(and(...conditions))
    .orderBy(asc(repositories.fullName), asc(repositories.id));
  if (filter.repo !== undefined && rows.length === 0) {
    const where = filter.orgSlug !== undefined ? ` in organisation "${filter.orgSlug}"` : "";
    return { ok: false, code: "REPO_NOT_FOUND", message: `no enabled repository named ${filter.repo}${where}` };
  }
  return { ok: true, repositories: rows };
}

export interface RescoreCounts {
  /** Analysed commits whose verdict is from another detector version and that have a source to re-score from. */
  stale: number;
  /** Analysed commits already at this detector version. */
  current: number;
  /** Analysed commits from another version with neither a stored input nor a source to rebuild it from. */
  withoutSource: number;
}

export async function countRescoreWork(db: Database, repoIds: readonly string[], version = DETECTOR_VERSION): Promise<RescoreCounts> {
  if (repoIds.length === 0) return { stale: 0, current: 0, withoutSource: 0 };
  const [row] = await db.execute<{ stale: number; current: number; without_source: number }>(sql`
    select count(*) filter (where stale and rebuildable)::int as stale,
           count(*) filter (where not stale)::int as current,
           count(*) filter (where stale and not rebuildable)::int as without_source
    from (
      select c.detector_version is distinct from ${version} as stale,
             case when c.detector_version is distinct from ${version} then ${HAS_REBUILD_SOURCE} end as rebuildable
      from commits c join repositories r on r.id = c.repo_id
      where c.repo_id in (${sql.join(repoIds.map((id) => sql`${id}`), sql`, `)}) and c.analysis_status = 'analyzed'
    ) work`);
  return { stale: row?.stale ?? 0, current: row?.current ?? 0, withoutSource: row?.without_source ?? 0 };
}

/**
 * Organisations with work for a rescore: analysed commits of enabled repositories from another detector version
 * that have a source to re-score from (HAS_REBUILD_SOURCE), or metrics still marked stale by a re-score that stopped
 * before recomputing.
 */
export async function organizationsNeedingRescore(db: Database, version = DETECTOR_VERSION): Promise<{ orgId: string; commits: number }[]> {
  const rows = await db.execute<{ org_id: string; commits: number }>(sql`
    select org_id, sum(commits)::int as commits from (
      select c.org_id, count(*) as commits
      from commits c
      join repositories r on r.id = c.repo_id and r.disabled_at is null
      where c.analysis_status = 'analyzed' and c.detector_version is distinct from ${version} and ${HAS_REBUILD_SOURCE}
      group by c.org_id
      union all
      select m.org_id, 0 from metrics_stale_ranges m
      join repositories r on r.id = m.repo_id and r.disabled_at is null
    ) work
    group by org_id
    order by org_id`);
  return rows.map((row) => ({ orgId: row.org_id, commits: row.commits }));
}

export interface RescoreProgress {
  repository: string;
  /** Commits handled so far in this run (re-scored, deferred or left without a source), of `total`. */
  done: number;
  total: number;
}

export interface RescoreOptions {
  /** Commits per transaction. Default 100. */
  batchSize?: number;
  /** Stop after this many commits (a run in slices; tests stop midway with it). */
  limit?: number;
  /** Checked between batches: the batch being written finishes, nothing is left half-written. */
  signal?: AbortSignal;
  onProgress?: (progress: RescoreProgress) => void;
  now?: () => Date;
}

export interface RescoreResult {
  /** Commits whose verdict was written by the current detector. */
  rescored: number;
  /** Of those, how each one's input was had: stored with its verdict, or rebuilt (analysed before inputs were kept). */
  rebuilt: Record<RebuildMethod, number>;
  /** Of those, commits whose confidence moved. */
  changed: number;
  /** Commits whose context changed while they were re-scored (a new pull request, say): their own analysis job,
   * queued by that change, or the next run re-scores them. */
  deferred: number;
  /** Commits from another version that cannot be re-scored without GitHub, by reason: they keep their verdict. */
  unrebuildable: Partial<Record<UnrebuildableReason, number>>;
  /** Commits already at the current version when the run started. */
  current: number;
  /** Repositories with at least one re-scored commit. */
  repositories: RescoreRepository[];
  /** Stopped by `limit` or `signal` before the end: commits are left for the next run. */
  stopped: boolean;
}

const DEFAULT_BATCH = 100;
/** Tries per commit whose context keeps changing under it; then it is deferred. */
const MAX_CONTEXT_RETRIES = 3;

async function nextBatch(db: Database, repoId: string, after: { at: string; sha: string } | null, limit: number): Promise<StaleCommit[]> {
  // Keyset order (authored_at, sha): commits that stay behind (deferred, no source) are passed over, not picked forever.
  const cursor = after === null ? sql`true` : sql`(c.authored_at, c.sha) > (${after.at}::timestamptz, ${after.sha})`;
  return db.execute<StaleCommit>(sql`
    select c.sha, c.authored_at::text as authored_at, c.ai_confidence, i.input,
      round(extract(epoch from c.authored_at) * 1000)::float8 as authored_ms,
      round(extract(epoch from c.committed_at) * 1000)::float8 as committed_ms, c.author_name, c.author_email
    from commits c
    left join commit_detection_inputs i on i.repo_id = c.repo_id and i.commit_sha = c.sha
    where c.repo_id = ${repoId} and c.analysis_status = 'analyzed' and c.detector_version is distinct from ${DETECTOR_VERSION}
      and ${cursor}
    order by c.authored_at, c.sha
    limit ${limit}`);
}

/** The context as analyzeStoredCommit hands it to the engine, and as its verdict is checked against. */
function contextsOf(row: AnalysisContextRow): { engine: StoredContext; verdict: VerdictContext } {
  return {
    engine: {
      branch: row.branch,
      pullRequest: row.prTitle !== null ? { title: row.prTitle, body: row.prBody ?? "" } : null,
      authorPreviousCommitAt: row.previousAuthoredAt === null ? null : new Date(row.previousAuthoredAt).toISOString(),
    },
    verdict: { branch: row.branch, pr_number: row.prNumber, pr_title: row.prTitle, pr_body: row.prBody, previous_authored_at: row.previousAuthoredAt },
  };
}

type Judged = { verdict: CommitVerdict; confidence: number; method: RebuildMethod } | { skipped: UnrebuildableReason | "gone" };

function judgeStored(repoId: string, sha: string, rebuilt: RebuildOutcome | undefined, context: AnalysisContextRow | undefined, analyzedAt: Date): Judged {
  if (!context || context.disabledAt || !rebuilt) return { skipped: "gone" };
  if ("unrebuildable" in rebuilt) return { skipped: rebuilt.unrebuildable };
  const contexts = contextsOf(context);
  const normalised = withContext(rebuilt, contexts.engine);
  const result = analyzeCommit(normalised, { tierOverrides: context.riskOverrides });
  // An analysis given its context (`sentinel import`) wrote without checking one; so does its re-score.
  const verdictContext = rebuilt.givenContext === null ? contexts.verdict : null;
  const verdict = buildCommitVerdict({ orgId: context.orgId, repoId, sha }, normalised, result, verdictContext, analyzedAt);
  // A rebuilt input says so in its stored document, on this re-score and the next ones.
  if (rebuilt.rebuiltFrom !== null && verdict.input) verdict.input = { ...verdict.input, rebuiltFrom: rebuilt.rebuiltFrom };
  return { verdict, confidence: result.confidence, method: rebuilt.method };
}

export const emptyRebuildCounts = (): Record<RebuildMethod, number> => ({ "stored-input": 0, "demo-dataset": 0, "push-payload": 0 });

/** "20 from stored input, 4 rebuilt from push payload": the methods used, in a summary line. */
export function describeRebuilt(rebuilt: Record<RebuildMethod, number>): string {
  return (Object.keys(REBUILD_METHOD_LABELS) as RebuildMethod[])
    .filter((method) => rebuilt[method] > 0)
    .map((method) => `${rebuilt[method].toLocaleString("en-US")} ${REBUILD_METHOD_LABELS[method]}`)
    .join(", ");
}

/** "1 with no stored input and no stored push lists it (…)": why commits keep their verdict, in a summary line. */
export function describeUnrebuildable(unrebuildable: Partial<Record<UnrebuildableReason, number>>): string {
  return (Object.keys(UNREBUILDABLE_REASON_LABELS) as UnrebuildableReason[])
    .filter((reason) => (unrebuildable[reason] ?? 0) > 0)
    .map((reason) => `${unrebuildable[reason]!.toLocaleString("en-US")}: ${UNREBUILDABLE_REASON_LABELS[reason]}`)
    .join("; ");
}

export const unrebuildableTotal = (unrebuildable: Partial<Record<UnrebuildableReason, number>>): number =>
  Object.values(unrebuildable).reduce((sum, count) => sum + (count ?? 0), 0);

/**
 * Re-scores the repositories' commits from another detector version, in batches of `batchSize` commits, each batch
 * one transaction (writeVerdicts). Before a batch is written, its authored range is marked in metrics_stale_ranges,
 * so the metrics recompute that follows (recomputeStaleMetrics) knows which days changed even if this run stops.
 */
export async function rescoreStoredCommits(
  db: Database,
  targets: readonly RescoreRepository[],
  options: RescoreOptions = {},
): Promise<RescoreResult & { total: number }> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const now = options.now ?? (() => new Date());
  const counts = await countRescoreWork(db, targets.map((target) => target.repoId));
  const total = Math.min(counts.stale + counts.withoutSource, options.limit ?? Number.POSITIVE_INFINITY);
  const result: RescoreResult & { total: number } = {
    rescored: 0,
    rebuilt: emptyRebuildCounts(),
    changed: 0,
    deferred: 0,
    unrebuildable: {},
    current: counts.current,
    repositories: [],
    stopped: false,
    total,
  };
  let handled = 0;

  for (const target of targets) {
    let after: { at: string; sha: string } | null = null;
    let touched = false;
    for (;;) {
      const room = (options.limit ?? Number.POSITIVE_INFINITY) - handled;
      if (room <= 0 || options.signal?.aborted) {
        if (touched) result.repositories.push(target);
        // Stopped early: is anything left? (A limit that ends exactly at the last commit leaves nothing.)
        result.stopped = (await countRescoreWork(db, targets.map((each) => each.repoId))).stale > 0;
        return result;
      }
      const batch = await nextBatch(db, target.repoId, after, Math.min(batchSize, room));
      if (batch.length === 0) break;
      const last = batch.at(-1)!;
      after = { at: last.authored_at, sha: last.sha };

      const contexts = await readAnalysisContexts(db, batch.map((commit) => ({ repoId: target.repoId, sha: commit.sha })));
      // One repository per batch: its source (GitHub, a local clone, the demo) decides where a missing input is rebuilt from.
      const source = contexts.values().next().value?.source ?? "github";
      const inputs = await rebuildInputs(db, { repoId: target.repoId, orgId: target.orgId, source }, batch);
      const analyzedAt = now();
      const judged = batch.map((commit) => ({
        commit,
        outcome: judgeStored(target.repoId, commit.sha, inputs.get(commit.sha), contexts.get(`${target.repoId}/${commit.sha}`), analyzedAt),
      }));
      const toWrite = judged.filter((entry): entry is { commit: StaleCommit; outcome: Extract<Judged, { verdict: CommitVerdict }> } => "verdict" in entry.outcome);
      for (const { outcome } of judged) {
        if ("skipped" in outcome && outcome.skipped !== "gone") result.unrebuildable[outcome.skipped] = (result.unrebuildable[outcome.skipped] ?? 0) + 1;
      }

      if (toWrite.length > 0) {
        const authored = toWrite.map((entry) => entry.outcome.verdict.authored_at).sort();
        await markMetricsStale(db, { orgId: target.orgId, repoId: target.repoId, first: authored[0]!, last: authored.at(-1)! });
        const written = await writeVerdicts(db, toWrite.map((entry) => entry.outcome.verdict));
        for (const [index, entry] of toWrite.entries()) {
          let ok = written[index] === "written";
          let confidence = entry.outcome.confidence;
          // The context changed between the read and the write (a pull request linked the commit): judge it again.
          for (let attempt = 1; !ok && attempt < MAX_CONTEXT_RETRIES; attempt += 1) {
            const fresh = await readAnalysisContexts(db, [{ repoId: target.repoId, sha: entry.commit.sha }]);
            const again = judgeStored(target.repoId, entry.commit.sha, inputs.get(entry.commit.sha), fresh.get(`${target.repoId}/${entry.commit.sha}`), now());
            if (!("verdict" in again)) break;
            ok = (await writeVerdicts(db, [again.verdict]))[0] === "written";
            confidence = again.confidence;
          }
          if (!ok) {
            result.deferred += 1;
            continue;
          }
          result.rescored += 1;
          result.rebuilt[entry.outcome.method] += 1;
          touched = true;
          // commits.ai_confidence is a real: compare at its precision.
          if (entry.commit.ai_confidence === null || Math.fround(confidence) !== Math.fround(entry.commit.ai_confidence)) result.changed += 1;
        }
      }
      handled += batch.length;
      options.onProgress?.({ repository: target.fullName, done: handled, total });
    }
    if (touched) result.repositories.push(target);
  }
  return result;
}
