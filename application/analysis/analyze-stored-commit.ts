import { and, eq } from "drizzle-orm";
import { analyzeCommit, fromGitHubCommit, type CommitAttribution, type NormalisedCommit } from "../../domain/detection/index.ts";
import type { CommitSource } from "../../domain/ports.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { createGroupCommit } from "../../infrastructure/db/group-commit.ts";
import { commits, type RiskOverride } from "../../infrastructure/db/schema/index.ts";
import { GitHubAccessError } from "../../infrastructure/github/access-refusal.ts";
import { commitPatchRows } from "../metrics/provenance-store.ts";
import { detectionInputOf } from "./detection-input.ts";
import { clearRepositoryAccessError, recordRepositoryAccessError } from "../ingestion/repository-access.ts";
import { postgresClientOf, writeVerdicts, type CommitVerdict, type VerdictContext, type VerdictWrite } from "./verdict-writer.ts";

export type AnalysisOutcome =
  | { status: "analyzed"; confidence: number; files: number }
  | { status: "skipped"; reason: string };

/** Resolves which source serves a repository's commits (GitHub's API, or the demo dataset). */
export type CommitSourceResolver = (repository: { orgId: string; source: "github" | "local" | "demo" }) => Promise<CommitSource>;

/** The commit's row and what the engine reads besides the commit itself: branch, pull request, the author's previous commit. */
export interface AnalysisContextRow {
  orgId: string;
  fullName: string;
  installationId: number | null;
  source: "github" | "local" | "demo";
  riskOverrides: RiskOverride[];
  disabledAt: Date | null;
  /** GitHub refused the repository's last fetch (`repositories.access_error` is set): a success clears it. */
  accessRefused: boolean;
  branch: string | null;
  prNumber: number | null;
  prTitle: string | null;
  prBody: string | null;
  /** timestamptz as PostgreSQL prints it: handed back unchanged when the verdict's context is checked. */
  previousAuthoredAt: string | null;
}

/** The context of every commit of a group in one statement (one commit: a group of one). */
const READ_ANALYSIS_CONTEXTS = `
    select c.repo_id::text as repo_id, c.sha, c.org_id, r.full_name, r.installation_id, r.source, r.risk_overrides,
      r.disabled_at::text as disabled_at, r.access_error is not null as access_refused, c.branch, c.pr_number, p.title as pr_title, p.body as pr_body,
      (select max(earlier.authored_at) from commits earlier
       where earlier.repo_id = c.repo_id and earlier.author_email = c.author_email
         and earlier.authored_at < c.authored_at)::text as previous_authored_at
    from commits c
    join repositories r on r.id = c.repo_id
    left join pull_requests p on p.repo_id = c.repo_id and p.number = c.pr_number
    where (c.repo_id, c.sha) in (select k.repo_id, k.sha from jsonb_to_recordset($1::jsonb) as k(repo_id uuid, sha text))`;

interface ContextRecord {
  repo_id: string;
  sha: string;
  org_id: string;
  full_name: string;
  installation_id: number | string | null;
  source: "github" | "local" | "demo";
  risk_overrides: RiskOverride[] | null;
  disabled_at: string | null;
  access_refused: boolean;
  branch: string | null;
  pr_number: number | null;
  pr_title: string | null;
  pr_body: string | null;
  previous_authored_at: string | null;
}

type Target = { repoId: string; sha: string };

/**
 * One round trip for any number of commits: a named prepared statement on the postgres.js client, not a query built
 * by drizzle's select builder (it runs for every analysed commit; building the joined select cost more CPU than
 * PostgreSQL spends running it, and drizzle's unnamed statements take two round trips). ADR 022.
 */
export async function readAnalysisContexts(db: Database, targets: readonly Target[]): Promise<Map<string, AnalysisContextRow>> {
  const keys = JSON.stringify(targets.map((target) => ({ repo_id: target.repoId, sha: target.sha })));
  const rows = await postgresClientOf(db).unsafe<ContextRecord[]>(READ_ANALYSIS_CONTEXTS, [keys], { prepare: true });
  return new Map(
    rows.map((row) => [
      `${row.repo_id}/${row.sha}`,
      {
        orgId: row.org_id,
        fullName: row.full_name,
        installationId: row.installation_id === null ? null : Number(row.installation_id),
        source: row.source,
        riskOverrides: row.risk_overrides ?? [],
        disabledAt: row.disabled_at === null ? null : new Date(row.disabled_at),
        accessRefused: row.access_refused,
        branch: row.branch,
        prNumber: row.pr_number,
        prTitle: row.pr_title,
        prBody: row.pr_body,
        previousAuthoredAt: row.previous_authored_at,
      },
    ]),
  );
}

/** Reads one commit's analysis context: alone, or grouped with other jobs' reads (`createContextReader`). */
export type ReadAnalysisContext = (target: Target) => Promise<AnalysisContextRow | undefined>;

function readContextAlone(db: Database): ReadAnalysisContext {
  return async (target) => (await readAnalysisContexts(db, [target])).get(`${target.repoId}/${target.sha}`);
}

/**
 * The analysis worker's context reads, grouped as its verdicts are (ADR 022): reads asked for while one is running
 * wait for it and go out together in one statement; at most two statements are in flight.
 */
export function createContextReader(db: Database, options: { maxInFlight?: number; maxGroup?: number } = {}): ReadAnalysisContext {
  const maxGroup = options.maxGroup ?? 64;
  type Read = { target: Target; resolve(row: AnalysisContextRow | undefined): void; reject(error: unknown): void };
  const reads = createGroupCommit<Read>({
    maxInFlight: options.maxInFlight ?? 2,
    takeGroup: (waiting) => waiting.splice(0, maxGroup),
    async runGroup(group) {
      const rows = await readAnalysisContexts(db, group.map((entry) => entry.target));
      for (const entry of group) entry.resolve(rows.get(`${entry.target.repoId}/${entry.target.sha}`));
    },
    onGroupError(group, error) {
      for (const entry of group) entry.reject(error);
    },
  });

  return (target) => new Promise((resolve, reject) => reads.add({ target, resolve, reject }));
}

/** A verdict whose context kept changing under it this many times is left to the job's retry. */
const MAX_STALE_VERDICTS = 5;

/** How a verdict reaches the database: alone (`writeVerdicts`), or grouped with other jobs' (`createVerdictWriter`). */
export type WriteVerdict = (verdict: CommitVerdict) => Promise<VerdictWrite>;

/**
 * Fetches one stored commit, runs the detection engine with everything Sentinel knows about its context
 * (branch, pull request, the author's previous commit), and writes the verdict: the commit row and one
 * attribution row per file, in one transaction. Running it twice leaves the same rows.
 *
 * The verdict is written only if the context is still the one it was computed from (checked under the commit's row
 * lock): two analyses of one commit run concurrently when a pull request links it meanwhile (the first analysis, and
 * the re-score the link queues), and the one that read the older context must not finish last and win. A stale
 * verdict is computed again from the new context, with the commit already fetched.
 *
 * Reads and writes are the commit's own by default; the analysis worker passes its group reader and writer, which
 * share round trips and transactions with the other jobs running at once (ADR 022).
 */
export async function analyzeStoredCommit(
  db: Database,
  resolveSource: CommitSourceResolver,
  target: { repoId: string; sha: string },
  grouped: { readContext?: ReadAnalysisContext; write?: WriteVerdict } = {},
): Promise<AnalysisOutcome> {
  const readContext = grouped.readContext ?? readContextAlone(db);
  const write: WriteVerdict = grouped.write ?? (async (verdict) => (await writeVerdicts(db, [verdict]))[0]!);
  let row = await readContext(target);
  if (!row) return { status: "skipped", reason: "commit is not recorded" };
  if (row.disabledAt) return { status: "skipped", reason: "repository was removed from Sentinel" };

  const source = await resolveSource({ orgId: row.orgId, source: row.source });
  const repository = { orgId: row.orgId, repoId: target.repoId };
  let response: unknown;
  try {
    response = await source.getCommit({ fullName: row.fullName, installationId: row.installationId }, target.sha);
  } catch (error) {
    // Recorded before the job fails for good, so the repository page says why its commits stopped being analysed.
    if (error instanceof GitHubAccessError) await recordRepositoryAccessError(db, repository, error);
    throw error;
  }
  if (row.accessRefused) await clearRepositoryAccessError(db, repository);
  if (response === null) {
    await markSkipped(db, target, "commit no longer exists on GitHub (force-pushed away?)");
    return { status: "skipped", reason: "commit not found at the source" };
  }

  for (let attempt = 1; ; attempt += 1) {
    const context = row;
    const normalised = fromGitHubCommit(response, {
      branch: context.branch,
      pullRequest: context.prTitle !== null ? { title: context.prTitle, body: context.prBody ?? "" } : null,
      authorPreviousCommitAt: context.previousAuthoredAt === null ? null : new Date(context.previousAuthoredAt).toISOString(),
    });
    const verdictContext: VerdictContext = {
      branch: context.branch,
      pr_number: context.prNumber,
      pr_title: context.prTitle,
      pr_body: context.prBody,
      previous_authored_at: context.previousAuthoredAt,
    };
    const outcome = await judge(db, { orgId: context.orgId, repoId: target.repoId, sha: target.sha, riskOverrides: context.riskOverrides }, normalised, verdictContext, write);
    if (outcome.status !== "stale") return outcome;
    if (attempt >= MAX_STALE_VERDICTS) throw new Error(`the context of commit ${target.sha} kept changing during its analysis; retrying later`);
    row = await readContext(target);
    if (!row) return { status: "skipped", reason: "commit is not recorded" };
  }
}

/**
 * Runs the detection engine on a commit already read (GitHub API, demo dataset or a local clone) and writes the
 * verdict: the commit row and one attribution row per file, in one transaction. Idempotent.
 */
export async function recordCommitAnalysis(
  db: Database,
  target: { orgId: string; repoId: string; sha: string; riskOverrides: RiskOverride[] },
  normalised: NormalisedCommit,
): Promise<AnalysisOutcome> {
  const outcome = await judge(db, target, normalised, null, async (verdict) => (await writeVerdicts(db, [verdict]))[0]!);
  if (outcome.status === "stale") throw new Error(`commit ${target.sha} is not recorded`);
  return outcome;
}

async function markSkipped(db: Database, target: { repoId: string; sha: string }, reason: string): Promise<void> {
  await db
    .update(commits)
    .set({ analysisStatus: "skipped", skipReason: reason, analyzedAt: new Date() })
    .where(and(eq(commits.repoId, target.repoId), eq(commits.sha, target.sha)));
}

/**
 * The rows an analysis writes for an attribution: the commit's verdict, one row per file, the counted files' patches
 * (line provenance replays them later: ADR 030) and the engine's input (a later detector re-scores from it). The
 * analysis and `sentinel rescore` both write through here, so a re-scored commit has the rows a fresh analysis has.
 * `context` null: the analysis was given its context (`sentinel import`), which is then kept with the input.
 */
export function buildCommitVerdict(
  target: { orgId: string; repoId: string; sha: string },
  normalised: NormalisedCommit,
  result: CommitAttribution,
  context: VerdictContext | null,
  analyzedAt: Date,
): CommitVerdict {
  let linesAdded = 0;
  let linesDeleted = 0;
  // AI share is a share of written lines (ADR 033): the commit row carries its counted files' sum, by risk tier.
  const written = [0, 0, 0, 0];
  for (const file of result.files) {
    if (!file.countsTowardShare) continue;
    linesAdded += file.linesAdded;
    linesDeleted += file.linesDeleted;
    written[Math.min(4, Math.max(1, file.riskTier)) - 1]! += file.writtenLines;
  }
  return {
    org_id: target.orgId,
    repo_id: target.repoId,
    sha: target.sha,
    context,
    ai_confidence: result.confidence,
    signals: result.signals,
    lines_added: linesAdded,
    lines_deleted: linesDeleted,
    written_lines: written[0]! + written[1]! + written[2]! + written[3]!,
    written_lines_t1: written[0]!,
    written_lines_t2: written[1]!,
    written_lines_t3: written[2]!,
    written_lines_t4: written[3]!,
    detector_version: result.detectorVersion,
    authored_at: new Date(normalised.author.date).toISOString(),
    analyzed_at: analyzedAt.toISOString(),
    files: result.files.map((file) => ({
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
      written_lines: file.writtenLines,
      exclusion: file.exclusion,
      complexity: file.complexity ?? null,
    })),
    patches: commitPatchRows(normalised.files, result.files),
    input: detectionInputOf(normalised, result, context === null),
  };
}

/** Runs the engine and writes its verdict; "stale" when `context` no longer holds (nothing written then). */
async function judge(
  db: Database,
  target: { orgId: string; repoId: string; sha: string; riskOverrides: RiskOverride[] },
  normalised: NormalisedCommit,
  context: VerdictContext | null,
  write: WriteVerdict,
): Promise<AnalysisOutcome | { status: "stale" }> {
  if (normalised.parents.length > 1) {
    // GitHub diffs a merge against its first parent: counting it would attribute the merged branch twice.
    await markSkipped(db, target, "merge commit: its changes are attributed to the commits it merges");
    return { status: "skipped", reason: "merge commit" };
  }
  const result = analyzeCommit(normalised, { tierOverrides: target.riskOverrides });
  const written = await write(buildCommitVerdict(target, normalised, result, context, new Date()));
  if (written === "stale") return { status: "stale" };
  return { status: "analyzed", confidence: result.confidence, files: result.files.length };
}
