import { and, eq, sql } from "drizzle-orm";
import { analyzeCommit, fromGitHubCommit, type NormalisedCommit } from "../../domain/detection/index.ts";
import type { CommitSource } from "../../domain/ports.ts";
import type { Executor } from "../db/client.ts";
import { codeAttribution, commits, pullRequests, repositories, type RiskOverride } from "../db/schema/index.ts";
import { recordCommitPatches } from "../metrics/provenance-store.ts";

export type AnalysisOutcome =
  | { status: "analyzed"; confidence: number; files: number }
  | { status: "skipped"; reason: string };

/** Resolves which source serves a repository's commits (GitHub's API, or the demo dataset). */
export type CommitSourceResolver = (repository: { orgId: string; source: "github" | "local" | "demo" }) => Promise<CommitSource>;

/**
 * Fetches one stored commit, runs the detection engine with everything Sentinel knows about its context
 * (branch, pull request, the author's previous commit), and writes the verdict: the commit row and one
 * attribution row per file, in one transaction. Running it twice leaves the same rows.
 */
export async function analyzeStoredCommit(
  db: Executor,
  resolveSource: CommitSourceResolver,
  target: { repoId: string; sha: string },
): Promise<AnalysisOutcome> {
  const [row] = await db
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

  const normalised = fromGitHubCommit(response, {
    branch: row.branch,
    pullRequest: row.prTitle !== null ? { title: row.prTitle, body: row.prBody ?? "" } : null,
    authorPreviousCommitAt: row.previousAuthoredAt === null ? null : new Date(row.previousAuthoredAt).toISOString(),
  });
  return recordCommitAnalysis(db, { orgId: row.orgId, repoId: target.repoId, sha: target.sha, riskOverrides: row.riskOverrides }, normalised);
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

  await db.transaction(async (tx) => {
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
    if (result.files.length === 0) return;
    await tx
      .insert(codeAttribution)
      .values(
        result.files.map((file) => ({
          orgId: target.orgId,
          repoId: target.repoId,
          commitSha: target.sha,
          filePath: file.path,
          previousPath: file.previousPath,
          changeType: file.status,
          fileKind: file.kind,
          countsTowardShare: file.countsTowardShare,
          aiConfidence: file.aiConfidence,
          signals: file.signals,
          riskTier: file.riskTier,
          baseRiskTier: file.baseTier,
          riskReasons: file.riskReasons,
          linesAdded: file.linesAdded,
          linesDeleted: file.linesDeleted,
          complexity: file.complexity,
          detectorVersion: result.detectorVersion,
          authoredAt,
          analyzedAt,
        })),
      )
      .onConflictDoUpdate({
        target: [codeAttribution.repoId, codeAttribution.commitSha, codeAttribution.filePath],
        set: {
          aiConfidence: sql`excluded.ai_confidence`,
          signals: sql`excluded.signals`,
          riskTier: sql`excluded.risk_tier`,
          baseRiskTier: sql`excluded.base_risk_tier`,
          riskReasons: sql`excluded.risk_reasons`,
          fileKind: sql`excluded.file_kind`,
          countsTowardShare: sql`excluded.counts_toward_share`,
          linesAdded: sql`excluded.lines_added`,
          linesDeleted: sql`excluded.lines_deleted`,
          complexity: sql`excluded.complexity`,
          detectorVersion: sql`excluded.detector_version`,
          analyzedAt: sql`excluded.analyzed_at`,
        },
      });
    // Line provenance (churn, AI tax, survival) replays these patches later: ADR 030.
    await recordCommitPatches(tx, { orgId: target.orgId, repoId: target.repoId, sha: target.sha, authoredAt }, normalised.files, result.files);
  });
  return { status: "analyzed", confidence: result.confidence, files: result.files.length };
}
