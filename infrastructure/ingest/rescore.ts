import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { analyzeCommit, DETECTOR_VERSION } from "../../domain/detection/index.ts";
import type { Database } from "../db/client.ts";
import { organizations, repositories } from "../db/schema/index.ts";
import { markMetricsStale } from "../metrics/stale-ranges.ts";
import { buildCommitVerdict, readAnalysisContexts, type AnalysisContextRow } from "./analyze-stored-commit.ts";
import { commitFromDetectionInput, isReadableDetectionInput, type StoredContext, type StoredPatch } from "./detection-input.ts";
import { writeVerdicts, type CommitVerdict, type VerdictContext } from "./verdict-writer.ts";

/**
 * Re-scoring stored history after the detector changed (`sentinel rescore`, and the worker's rescore job): each
 * analysed commit whose stored detector version is not the current one is run through the current engine again, from
 * what was stored with its verdict (commit_detection_inputs + commit_file_patches) and its context as the analysis
 * reads it (branch, pull request, the author's previous commit) — no GitHub call — and its new verdict is written by
 * the analysis's own writer. Resumable (a commit at the current version is never picked again) and atomic per batch
 * (one transaction per batch of verdicts).
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
  /** Analysed commits whose verdict is from another detector version and can be re-scored from storage. */
  stale: number;
  /** Analysed commits already at this detector version. */
  current: number;
  /** Analysed commits from another version with no stored input (analysed before Sentinel kept it). */
  withoutInput: number;
}

export async function countRescoreWork(db: Database, repoIds: readonly string[], version = DETECTOR_VERSION): Promise<RescoreCounts> {
  if (repoIds.length === 0) return { stale: 0, current: 0, withoutInput: 0 };
  const [row] = await db.execute<{ stale: number; current: number; without_input: number }>(sql`
    select count(*) filter (where c.detector_version is distinct from ${version} and i.repo_id is not null)::int as stale,
           count(*) filter (where c.detector_version = ${version})::int as current,
           count(*) filter (where c.detector_version is distinct from ${version} and i.repo_id is null)::int as without_input
    from commits c
    left join commit_detection_inputs i on i.repo_id = c.repo_id and i.commit_sha = c.sha
    where c.repo_id in (${sql.join(repoIds.map((id) => sql`${id}`), sql`, `)}) and c.analysis_status = 'analyzed'`);
  return { stale: row?.stale ?? 0, current: row?.current ?? 0, withoutInput: row?.without_input ?? 0 };
}

/**
 * Organisations with work for a rescore: analysed commits of enabled repositories from another detector version
 * that can be re-scored from storage, or metrics still marked stale by a re-score that stopped before recomputing.
 */
export async function organizationsNeedingRescore(db: Database, version = DETECTOR_VERSION): Promise<{ orgId: string; commits: number }[]> {
  const rows = await db.execute<{ org_id: string; commits: number }>(sql`
    select org_id, sum(commits)::int as commits from (
      select c.org_id, count(*) as commits
      from commits c
      join commit_detection_inputs i on i.repo_id = c.repo_id and i.commit_sha = c.sha
      join repositories r on r.id = c.repo_id and r.disabled_at is null
      where c.analysis_status = 'analyzed' and c.detector_version is distinct from ${version}
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
  /** Commits handled so far in this run (re-scored, deferred or left without input), of `total`. */
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
  /** Of those, commits whose confidence moved. */
  changed: number;
  /** Commits whose context changed while they were re-scored (a new pull request, say): their own analysis job,
   * queued by that change, or the next run re-scores them. */
  deferred: number;
  /** Commits from another version that cannot be re-scored from storage (no stored input, or a patch row missing). */
  withoutInput: number;
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

type StaleCommit = {
  sha: string;
  authored_at: string;
  ai_confidence: number | null;
  input: unknown;
};

async function nextBatch(db: Database, repoId: string, after: { at: string; sha: string } | null, limit: number): Promise<StaleCommit[]> {
  // Keyset order (authored_at, sha): commits that stay behind (deferred, no input) are passed over, not picked forever.
  const cursor = after === null ? sql`true` : sql`(c.authored_at, c.sha) > (${after.at}::timestamptz, ${after.sha})`;
  return db.execute<StaleCommit>(sql`
    select c.sha, c.authored_at::text as authored_at, c.ai_confidence, i.input
    from commits c
    left join commit_detection_inputs i on i.repo_id = c.repo_id and i.commit_sha = c.sha
    where c.repo_id = ${repoId} and c.analysis_status = 'analyzed' and c.detector_version is distinct from ${DETECTOR_VERSION}
      and ${cursor}
    order by c.authored_at, c.sha
    limit ${limit}`);
}

async function loadPatches(db: Database, repoId: string, shas: readonly string[]): Promise<Map<string, Map<string, StoredPatch>>> {
  const rows = await db.execute<{ commit_sha: string; file_path: string; patch: string | null; patch_truncated: boolean }>(sql`
    select commit_sha, file_path, patch, patch_truncated from commit_file_patches
    where repo_id = ${repoId} and commit_sha in (${sql.join(shas.map((sha) => sql`${sha}`), sql`, `)})`);
  const bySha = new Map<string, Map<string, StoredPatch>>();
  for (const row of rows) {
    let files = bySha.get(row.commit_sha);
    if (!files) bySha.set(row.commit_sha, (files = new Map()));
    files.set(row.file_path, { patch: row.patch, truncated: row.patch_truncated });
  }
  return bySha;
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

type Judged = { verdict: CommitVerdict; confidence: number } | { skipped: "without-input" | "gone" };

function judgeStored(
  repoId: string,
  commit: StaleCommit,
  context: AnalysisContextRow | undefined,
  patches: ReadonlyMap<string, StoredPatch>,
  analyzedAt: Date,
): Judged {
  if (!context || context.disabledAt) return { skipped: "gone" };
  if (!isReadableDetectionInput(commit.input) || commit.input.parents.length > 1) return { skipped: "without-input" };
  const contexts = contextsOf(context);
  const normalised = commitFromDetectionInput(commit.sha, commit.input, patches, contexts.engine);
  if (!normalised) return { skipped: "without-input" };
  const result = analyzeCommit(normalised, { tierOverrides: context.riskOverrides });
  // An analysis given its context (`sentinel import`) wrote without checking one; so does its re-score.
  const verdictContext = commit.input.context === null ? contexts.verdict : null;
  return {
    verdict: buildCommitVerdict({ orgId: context.orgId, repoId, sha: commit.sha }, normalised, result, verdictContext, analyzedAt),
    confidence: result.confidence,
  };
}

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
  const total = Math.min(counts.stale + counts.withoutInput, options.limit ?? Number.POSITIVE_INFINITY);
  const result: RescoreResult & { total: number } = {
    rescored: 0,
    changed: 0,
    deferred: 0,
    withoutInput: 0,
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

      const shas = batch.map((commit) => commit.sha);
      const [contexts, patches] = await Promise.all([
        readAnalysisContexts(db, shas.map((sha) => ({ repoId: target.repoId, sha }))),
        loadPatches(db, target.repoId, shas),
      ]);
      const analyzedAt = now();
      const judged = batch.map((commit) => ({
        commit,
        outcome: judgeStored(target.repoId, commit, contexts.get(`${target.repoId}/${commit.sha}`), patches.get(commit.sha) ?? new Map(), analyzedAt),
      }));
      const toWrite = judged.filter((entry): entry is { commit: StaleCommit; outcome: Extract<Judged, { verdict: CommitVerdict }> } => "verdict" in entry.outcome);
      result.withoutInput += judged.filter((entry) => "skipped" in entry.outcome && entry.outcome.skipped === "without-input").length;

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
            const again = judgeStored(target.repoId, entry.commit, fresh.get(`${target.repoId}/${entry.commit.sha}`), patches.get(entry.commit.sha) ?? new Map(), now());
            if (!("verdict" in again)) break;
            ok = (await writeVerdicts(db, [again.verdict]))[0] === "written";
            confidence = again.confidence;
          }
          if (!ok) {
            result.deferred += 1;
            continue;
          }
          result.rescored += 1;
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
