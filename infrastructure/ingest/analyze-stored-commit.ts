import { and, eq, sql } from "drizzle-orm";
import { analyzeCommit, fromGitHubCommit, type NormalisedCommit } from "../../domain/detection/index.ts";
import type { CommitSource } from "../../domain/ports.ts";
import type { Executor, Transaction } from "../db/client.ts";
import { commits, pullRequests, repositories, type RiskOverride } from "../db/schema/index.ts";
import { recordCommitPatches } from "../metrics/provenance-store.ts";

export type AnalysisOutcome =
  | { status: "analyzed"; confidence: number; files: number }
  | { status: "skipped"; reason: string };

/** Resolves which source serves a repository's commits (GitHub's API, or the demo dataset). */
export type CommitSourceResolver = (repository: { orgId: string; source: "github" | "local" | "demo" }) => Promise<CommitSource>;

/** The commit's row and what the engine reads besides the commit itself: branch, pull request, the author's previous commit. */
function readAnalysisContext(db: Executor, target: { repoId: string; sha: string }) {
  return db
    .select({
      orgId: commits.orgId,
      authorEmail: commits.authorEmail,
      authoredAt: commits.authoredAt,
      branch: commits.branch,
      prNumber: commits.prNumber,
      fullName: repositories.fullName,
      installationId: repositories.installationId,
      source: repositories.source,
      riskOverrides: repositories.riskOverrides,
      disabledAt: repositories.disabledAt,
      // The context the engine needs, in the same round trip: the author's previous commit and the pull request.
      previousAuthoredAt: sql<string | Date | null>`(
        select max(earlier.authored_at) from commits earlier
        where earlier.repo_id = ${commits.repoId} and earlier.author_email = ${commits.authorEmail}
          and earlier.authored_at < ${commits.authoredAt})`,
      prTitle: pullRequests.title,
      prBody: pullRequests.body,
    })
    .from(commits)
    .innerJoin(repositories, eq(repositories.id, commits.repoId))
    .leftJoin(pullRequests, and(eq(pullRequests.repoId, commits.repoId), eq(pullRequests.number, commits.prNumber)))
    .where(and(eq(commits.repoId, target.repoId), eq(commits.sha, target.sha)));
}

type AnalysisContextRow = Awaited<ReturnType<typeof readAnalysisContext>>[number];

function contextFingerprint(row: AnalysisContextRow): string {
  const previous = row.previousAuthoredAt === null ? null : new Date(row.previousAuthoredAt).toISOString();
  return JSON.stringify([row.branch, row.prNumber, row.prTitle, row.prBody, previous]);
}

/** A verdict whose context kept changing under it this many times is left to the job's retry. */
const MAX_STALE_VERDICTS = 5;

/**
 * Fetches one stored commit, runs the detection engine with everything Sentinel knows about its context
 * (branch, pull request, the author's previous commit), and writes the verdict: the commit row and one
 * attribution row per file, in one transaction. Running it twice leaves the same rows.
 *
 * The verdict is written only if the context is still the one it was computed from (checked under the commit's row
 * lock): two analyses of one commit run concurrently when a pull request links it meanwhile (the first analysis, and
 * the re-score the link queues), and the one that read the older context must not finish last and win. A stale
 * verdict is computed again from the new context, with the commit already fetched.
 */
export async function analyzeStoredCommit(
  db: Executor,
  resolveSource: CommitSourceResolver,
  target: { repoId: string; sha: string },
): Promise<AnalysisOutcome> {
  let [row] = await readAnalysisContext(db, target);
  if (!row) return { status: "skipped", reason: "commit is not recorded" };
  if (row.disabledAt) return { status: "skipped", reason: "repository was removed from Sentinel" };

  const source = await resolveSource({ orgId: row.orgId, source: row.source });
  const response = await source.getCommit({ fullName: row.fullName, installationId: row.installationId }, target.sha);
  if (response === null) {
    await db
      .update(commits)
      .set({ analysisStatus: "skipped", skipReason: "commit no longer exists on GitHub (force-pushed away?)", analyzedAt: new Date() })
      .where(and(eq(commits.repoId, target.repoId), eq(commits.sha, target.sha)));
    return { status: "skipped", reason: "commit not found at the source" };
  }

  for (let attempt = 1; ; attempt += 1) {
    const context = row;
    const normalised = fromGitHubCommit(response, {
      branch: context.branch,
      pullRequest: context.prTitle !== null ? { title: context.prTitle, body: context.prBody ?? "" } : null,
      authorPreviousCommitAt: context.previousAuthoredAt === null ? null : new Date(context.previousAuthoredAt).toISOString(),
    });
    const outcome = await writeVerdict(db, { orgId: context.orgId, repoId: target.repoId, sha: target.sha, riskOverrides: context.riskOverrides }, normalised, async (tx) => {
      const [current] = await readAnalysisContext(tx, target).for("update", { of: commits });
      return current !== undefined && contextFingerprint(current) === contextFingerprint(context);
    });
    if (outcome.status !== "stale") return outcome;
    if (attempt >= MAX_STALE_VERDICTS) throw new Error(`the context of commit ${target.sha} kept changing during its analysis; retrying later`);
    [row] = await readAnalysisContext(db, target);
    if (!row) return { status: "skipped", reason: "commit is not recorded" };
  }
}

/**
 * Runs the detection engine on a commit already read (GitHub API, demo dataset or a local clone) and writes the
 * verdict: the commit row and one attribution row per file, in one transaction. Idempotent.
 */
export async function recordCommitAnalysis(
  db: Executor,
  target: { orgId: string; repoId: string; sha: string; riskOverrides: RiskOverride[] },
  normalised: NormalisedCommit,
): Promise<AnalysisOutcome> {
  const outcome = await writeVerdict(db, target, normalised);
  if (outcome.status === "stale") throw new Error("unreachable: a verdict without a context check cannot be stale");
  return outcome;
}

/** `stillCurrent` runs first inside the transaction; false rolls it back and answers "stale". */
async function writeVerdict(
  db: Executor,
  target: { orgId: string; repoId: string; sha: string; riskOverrides: RiskOverride[] },
  normalised: NormalisedCommit,
  stillCurrent?: (tx: Transaction) => Promise<boolean>,
): Promise<AnalysisOutcome | { status: "stale" }> {
  if (normalised.parents.length > 1) {
    // GitHub diffs a merge against its first parent: counting it would attribute the merged branch twice.
    await db
      .update(commits)
      .set({ analysisStatus: "skipped", skipReason: "merge commit: its changes are attributed to the commits it merges", analyzedAt: new Date() })
      .where(and(eq(commits.repoId, target.repoId), eq(commits.sha, target.sha)));
    return { status: "skipped", reason: "merge commit" };
  }
  const result = analyzeCommit(normalised, { tierOverrides: target.riskOverrides });
  const authoredAt = new Date(normalised.author.date);
  const analyzedAt = new Date();
  const counted = result.files.filter((file) => file.countsTowardShare);

  const written = await db.transaction(async (tx) => {
    if (stillCurrent && !(await stillCurrent(tx))) return false;
    await tx
      .update(commits)
      .set({
        analysisStatus: "analyzed",
        skipReason: null,
        aiConfidence: result.confidence,
        signals: result.signals,
        linesAdded: counted.reduce((sum, file) => sum + file.linesAdded, 0),
        linesDeleted: counted.reduce((sum, file) => sum + file.linesDeleted, 0),
        detectorVersion: result.detectorVersion,
        analyzedAt,
      })
      .where(and(eq(commits.repoId, target.repoId), eq(commits.sha, target.sha)));
    if (result.files.length === 0) return true;
    // One JSON parameter for all the files (a commit can touch hundreds): no per-value query building.
    const files = result.files.map((file) => ({
      path: file.path,
      previous_path: file.previousPath,
      change_type: file.status,
      file_kind: file.kind,
      counts: file.countsTowardShare,
      ai_confidence: file.aiConfidence,
      signals: file.signals,
      risk_tier: file.riskTier,
      base_risk_tier: file.baseTier,
      risk_reasons: file.riskReasons,
      lines_added: file.linesAdded,
      lines_deleted: file.linesDeleted,
      complexity: file.complexity ?? null,
    }));
    await tx.execute(sql`
      insert into code_attribution (org_id, repo_id, commit_sha, file_path, previous_path, change_type, file_kind,
        counts_toward_share, ai_confidence, signals, risk_tier, base_risk_tier, risk_reasons, lines_added, lines_deleted,
        complexity, detector_version, authored_at, analyzed_at)
      select ${target.orgId}::uuid, ${target.repoId}::uuid, ${target.sha}, f.path, f.previous_path, f.change_type, f.file_kind,
        f.counts, f.ai_confidence, f.signals, f.risk_tier, f.base_risk_tier, f.risk_reasons, f.lines_added, f.lines_deleted,
        f.complexity, ${result.detectorVersion}, ${authoredAt.toISOString()}::timestamptz, ${analyzedAt.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(files)}::jsonb) as f(path text, previous_path text, change_type text,
        file_kind text, counts boolean, ai_confidence real, signals jsonb, risk_tier smallint, base_risk_tier smallint,
        risk_reasons jsonb, lines_added integer, lines_deleted integer, complexity jsonb)
      on conflict (repo_id, commit_sha, file_path) do update set
        ai_confidence = excluded.ai_confidence, signals = excluded.signals, risk_tier = excluded.risk_tier,
        base_risk_tier = excluded.base_risk_tier, risk_reasons = excluded.risk_reasons, file_kind = excluded.file_kind,
        counts_toward_share = excluded.counts_toward_share, lines_added = excluded.lines_added,
        lines_deleted = excluded.lines_deleted, complexity = excluded.complexity,
        detector_version = excluded.detector_version, analyzed_at = excluded.analyzed_at`);
    // Line provenance (churn, AI tax, survival) replays these patches later: ADR 030.
    await recordCommitPatches(tx, { orgId: target.orgId, repoId: target.repoId, sha: target.sha, authoredAt }, normalised.files, result.files);
    return true;
  });
  if (!written) return { status: "stale" };
  return { status: "analyzed", confidence: result.confidence, files: result.files.length };
}
