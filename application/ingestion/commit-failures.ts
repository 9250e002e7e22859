import { and, desc, eq, inArray, sql } from "drizzle-orm";
import postgres from "postgres";
import type { WebhookPlan } from "../../domain/ingestion/webhook-plan.ts";
import type { Database, Executor } from "../../infrastructure/db/client.ts";
import { commitFailures, commits, repositories } from "../../infrastructure/db/schema/index.ts";
import { applyActivityToRepository, type ApplyOutcome } from "./apply-webhook-plan.ts";

/**
 * Commits a run could not store. An import, a backfill or an analysis records each one in `commit_failures` (with
 * PostgreSQL's or git's reason) and goes on with the other commits, instead of one odd commit stopping the run; the
 * commit's own write is one transaction, so it leaves nothing half-written. A later successful verdict removes the
 * row (verdict-writer.ts), and a commit recorded but not analysed is marked `failed`, which the next run retries.
 */

export type CommitFailureStage = "import" | "backfill" | "analysis";

export interface CommitFailure {
  sha: string;
  reason: string;
}

/**
 * SQLSTATE classes that say the data itself was refused: 21 cardinality violation (one row upserted twice), 22 data
 * exception (a NUL in text, a value out of range), 23 integrity constraint violation, 54 program limit exceeded (an
 * index row too large). Writing the same commit again fails the same way.
 */
const REFUSED_DATA_CLASSES = new Set(["21", "22", "23", "54"]);

function postgresErrorOf(error: unknown): postgres.PostgresError | null {
  // drizzle wraps a failed query's PostgresError as its `cause`.
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof postgres.PostgresError) return current;
  }
  return null;
}

/** PostgreSQL's reason when it refused a commit's data; null for anything else. */
export function databaseRefusal(error: unknown): string | null {
  const refused = postgresErrorOf(error);
  if (!refused || !REFUSED_DATA_CLASSES.has(refused.code.slice(0, 2))) return null;
  return `PostgreSQL refused the commit: ${refused.message}${refused.detail ? ` (${refused.detail})` : ""}`;
}

/**
 * Why one commit of an import or a backfill could not be stored, or null when the failure is not the commit's:
 * a lost connection, a server shutting down, a serialisation failure — those stop the run as before, since every
 * later commit would fail the same way. An error our own code threw while turning the commit into rows (an invalid
 * date) is the commit's.
 */
export function commitRefusal(error: unknown): string | null {
  const refused = databaseRefusal(error);
  if (refused !== null) return refused;
  if (postgresErrorOf(error) !== null) return null;
  if (!(error instanceof Error)) return String(error);
  // Connection-level errors carry a code (postgres.js CONNECTION_CLOSED, Node's ECONNRESET).
  if (typeof (error as Error & { code?: unknown }).code === "string") return null;
  return error.message;
}

/**
 * Records commits of one repository as failed, in one transaction: an upsert per commit (the latest reason and stage
 * win), and a stored commit still waiting for its analysis becomes `failed` so the dashboard does not show it as
 * pending forever. A verdict already written stays.
 */
export async function recordCommitFailures(
  db: Executor,
  repo: { id: string; orgId: string },
  stage: CommitFailureStage,
  failures: readonly CommitFailure[],
  failedAt: Date = new Date(),
): Promise<void> {
  if (failures.length === 0) return;
  const latest = new Map(failures.map((failure) => [failure.sha.toLowerCase(), failure.reason]));
  await db.transaction(async (tx) => {
    await tx
      .insert(commitFailures)
      .values([...latest].map(([sha, reason]) => ({ orgId: repo.orgId, repoId: repo.id, sha, stage, reason, failedAt })))
      .onConflictDoUpdate({
        target: [commitFailures.repoId, commitFailures.sha],
        set: { stage: sql`excluded.stage`, reason: sql`excluded.reason`, failedAt: sql`excluded.failed_at` },
      });
    await tx
      .update(commits)
      .set({ analysisStatus: "failed" })
      .where(and(eq(commits.repoId, repo.id), inArray(commits.sha, [...latest.keys()]), eq(commits.analysisStatus, "pending")));
  });
}

/** The analysis worker knows the commit, not its organisation: read it from the repository. */
export async function recordAnalysisFailure(db: Database, target: { repoId: string; sha: string }, reason: string): Promise<void> {
  const [repo] = await db.select({ id: repositories.id, orgId: repositories.orgId }).from(repositories).where(eq(repositories.id, target.repoId));
  if (repo) await recordCommitFailures(db, repo, "analysis", [{ sha: target.sha, reason }]);
}

type ActivityPlan = Extract<WebhookPlan, { kind: "activity" }>;
type Processed = Extract<ApplyOutcome, { status: "processed" }>;

/**
 * Writes a page of history (commit rows and their events) in one transaction; when PostgreSQL refuses it, writes each
 * commit in its own transaction, so the refused commits are left out — entirely — and the others are stored. The
 * refused ones are returned, not recorded: the caller records them with its stage.
 */
export async function applyHistoryPlan(
  db: Database,
  repo: { id: string; orgId: string },
  plan: ActivityPlan,
): Promise<{ outcome: Pick<Processed, "eventsInserted" | "commitsToAnalyze">; refused: CommitFailure[] }> {
  try {
    return { outcome: await applyActivityToRepository(db, repo, plan), refused: [] };
  } catch (error) {
    const reason = commitRefusal(error);
    if (reason === null || plan.commits.length === 0) throw error;
    if (plan.commits.length === 1) return { outcome: { eventsInserted: 0, commitsToAnalyze: [] }, refused: [{ sha: plan.commits[0]!.sha, reason }] };
  }
  const outcome: Pick<Processed, "eventsInserted" | "commitsToAnalyze"> = { eventsInserted: 0, commitsToAnalyze: [] };
  const refused: CommitFailure[] = [];
  for (const commit of plan.commits) {
    const single: ActivityPlan = { ...plan, commits: [commit], events: plan.events.filter((event) => event.commitSha === commit.sha) };
    try {
      const written = await applyActivityToRepository(db, repo, single);
      outcome.eventsInserted += written.eventsInserted;
      outcome.commitsToAnalyze.push(...written.commitsToAnalyze);
    } catch (error) {
      const reason = commitRefusal(error);
      if (reason === null) throw error;
      refused.push({ sha: commit.sha, reason });
    }
  }
  return { outcome, refused };
}

export interface CommitFailureRow {
  sha: string;
  stage: CommitFailureStage;
  reason: string;
  failedAt: Date;
}

/** A repository's failed commits, latest first (the repository page lists them). */
export async function listCommitFailures(db: Executor, scope: { orgId: string; repoId: string }, limit = 50): Promise<CommitFailureRow[]> {
  return db
    .select({ sha: commitFailures.sha, stage: commitFailures.stage, reason: commitFailures.reason, failedAt: commitFailures.failedAt })
    .from(commitFailures)
    .where(and(eq(commitFailures.orgId, scope.orgId), eq(commitFailures.repoId, scope.repoId)))
    .orderBy(desc(commitFailures.failedAt), commitFailures.sha)
    .limit(limit);
}
