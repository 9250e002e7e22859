import { eq, inArray } from "drizzle-orm";
import { fromGitHubListedCommit, planHistoryImport } from "../../domain/ingestion/history-plan.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { repositories, webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { GitHubAccessError } from "../../infrastructure/github/access-refusal.ts";
import type { GitHubApi, HookDelivery } from "../../infrastructure/github/github-api.ts";
import type { CommitToAnalyze } from "./apply-webhook-plan.ts";
import { applyHistoryPlan, recordCommitFailures } from "./commit-failures.ts";
import { clearRepositoryAccessError, recordRepositoryAccessError } from "./repository-access.ts";

/**
 * History read through the GitHub API: the rest of a push GitHub cut at 2048 commits, a newly added repository's
 * recent default-branch history, and the recovery of deliveries GitHub failed to hand over. Each page is written
 * through the push write path (same keys), so a re-run after a rate limit or a crash adds nothing.
 */

type RepositoryRow = {
  id: string;
  orgId: string;
  githubId: number | null;
  fullName: string;
  installationId: number | null;
  defaultBranch: string;
  isPrivate: boolean;
  disabledAt: Date | null;
  accessError: string | null;
};

async function loadRepository(db: Database, repoId: string): Promise<RepositoryRow | undefined> {
  const [row] = await db
    .select({
      id: repositories.id,
      orgId: repositories.orgId,
      githubId: repositories.githubId,
      fullName: repositories.fullName,
      installationId: repositories.installationId,
      defaultBranch: repositories.defaultBranch,
      isPrivate: repositories.isPrivate,
      disabledAt: repositories.disabledAt,
      accessError: repositories.accessError,
    })
    .from(repositories)
    .where(eq(repositories.id, repoId));
  return row;
}

export type HistoryOutcome =
  /** `failed`: commits PostgreSQL refused, recorded in commit_failures and left out while the others were stored. */
  | { status: "done"; pages: number; commits: number; queued: number; failed: number }
  | { status: "skipped"; reason: string };

interface HistoryDeps {
  db: Database;
  github: GitHubApi;
  /** Queues the analysis of a page's new commits as soon as the page is written. */
  onCommits(targets: CommitToAnalyze[]): Promise<void>;
  onProgress?(progress: { page: number; commits: number }): Promise<void>;
}

const MAX_PAGES = 400;

async function importPages(
  deps: HistoryDeps,
  repo: RepositoryRow,
  branch: { name: string; onDefault: boolean; origin: string },
  fetchPage: (page: number) => Promise<{ commits: Parameters<typeof fromGitHubListedCommit>[0][]; hasMore: boolean } | null>,
): Promise<HistoryOutcome> {
  let commits = 0;
  let queued = 0;
  let failed = 0;
  let page = 1;
  for (; page <= MAX_PAGES; page += 1) {
    let result: Awaited<ReturnType<typeof fetchPage>>;
    try {
      result = await fetchPage(page);
    } catch (error) {
      if (error instanceof GitHubAccessError) await recordRepositoryAccessError(deps.db, { orgId: repo.orgId, repoId: repo.id }, error);
      throw error;
    }
    if (page === 1 && repo.accessError !== null) await clearRepositoryAccessError(deps.db, { orgId: repo.orgId, repoId: repo.id });
    if (result === null) return page === 1 ? { status: "skipped", reason: "GitHub no longer has this history" } : { status: "done", pages: page - 1, commits, queued, failed };
    const plan = planHistoryImport({
      repository: { githubId: repo.githubId ?? 0, fullName: repo.fullName, defaultBranch: repo.defaultBranch, isPrivate: repo.isPrivate },
      installationId: repo.installationId,
      branch: branch.name,
      onDefaultBranch: branch.onDefault,
      commits: result.commits.map(fromGitHubListedCommit),
      origin: branch.origin,
    });
    if (plan.commits.length > 0) {
      // One commit the database refuses is recorded and left out; the page's other commits are stored.
      const { outcome, refused } = await applyHistoryPlan(deps.db, repo, plan);
      await recordCommitFailures(deps.db, repo, "backfill", refused);
      failed += refused.length;
      commits += plan.commits.length - refused.length;
      queued += outcome.commitsToAnalyze.length;
      await deps.onCommits(outcome.commitsToAnalyze);
    }
    await deps.onProgress?.({ page, commits });
    if (!result.hasMore || result.commits.length === 0) break;
  }
  return { status: "done", pages: page, commits, queued, failed };
}

export async function fetchPushRange(
  deps: HistoryDeps,
  target: { repoId: string; before: string; after: string; branch: string; onDefaultBranch: boolean },
): Promise<HistoryOutcome> {
  const repo = await loadRepository(deps.db, target.repoId);
  if (!repo) return { status: "skipped", reason: "repository is not recorded" };
  if (repo.disabledAt) return { status: "skipped", reason: "repository was removed from Sentinel" };
  const range = /^0+$/.test(target.before) ? null : target.before;
  return importPages(deps, repo, { name: target.branch, onDefault: target.onDefaultBranch, origin: "compare" }, (page) =>
    range
      ? deps.github.compareCommits({ fullName: repo.fullName, installationId: repo.installationId }, range, target.after, page)
      : // A new branch has no "before": its history up to the pushed head is the branch's own listing.
        deps.github.listBranchCommits({ fullName: repo.fullName, installationId: repo.installationId }, { branch: target.after, since: "1970-01-01T00:00:00Z", page }),
  );
}

export async function backfillRepository(deps: HistoryDeps, target: { repoId: string; since: Date }): Promise<HistoryOutcome> {
  const repo = await loadRepository(deps.db, target.repoId);
  if (!repo) return { status: "skipped", reason: "repository is not recorded" };
  if (repo.disabledAt) return { status: "skipped", reason: "repository was removed from Sentinel" };
  if (repo.installationId === null) return { status: "skipped", reason: "repository has no GitHub App installation" };
  const since = target.since.toISOString();
  return importPages(deps, repo, { name: repo.defaultBranch, onDefault: true, origin: "backfill" }, (page) =>
    deps.github.listBranchCommits({ fullName: repo.fullName, installationId: repo.installationId }, { branch: repo.defaultBranch, since, page }),
  );
}

export interface RedeliveryOutcome {
  listed: number;
  failedUnrecorded: number;
  redelivered: string[];
  /** The page cap stopped the reading before the lookback: older failures were not looked at. */
  truncated: boolean;
}

/**
 * Pages of 100 read at most per run: 100,000 attempts, several days of a very busy App. Reading stops at the lookback,
 * so a run reads what GitHub logged in the last 71 hours, not a fixed number of pages: a fixed 20 pages (2,000
 * attempts) left every failure behind a burst of 2,000 later deliveries unread, and lost.
 */
const MAX_DELIVERY_PAGES = 1_000;
/** Delivery ids per lookup in webhook_deliveries. */
const LOOKUP_BATCH = 1_000;

/**
 * GitHub does not retry failed deliveries; it keeps them for 3 days and lets the App ask again. Every delivery
 * GitHub lists as failed, with no successful attempt and no row in webhook_deliveries, is redelivered once per run
 * (at most `maxAttempts` attempts in all, so a delivery that keeps failing does not loop forever).
 */
export async function redeliverFailedDeliveries(
  deps: { db: Database; github: GitHubApi },
  options: { now: Date; lookbackMs?: number; maxPages?: number; maxAttempts?: number },
): Promise<RedeliveryOutcome> {
  const oldest = options.now.getTime() - (options.lookbackMs ?? 71 * 60 * 60_000);
  const attempts = new Map<string, HookDelivery[]>();
  let listed = 0;
  let cursor: string | null = null;
  let truncated = false;
  const maxPages = options.maxPages ?? MAX_DELIVERY_PAGES;
  for (let page = 0; ; page += 1) {
    if (page >= maxPages) {
      truncated = true;
      break;
    }
    const result = await deps.github.listHookDeliveries(cursor);
    let reachedOldest = false;
    for (const delivery of result.deliveries) {
      if (Date.parse(delivery.deliveredAt) < oldest) {
        reachedOldest = true;
        continue;
      }
      listed += 1;
      attempts.set(delivery.guid, [...(attempts.get(delivery.guid) ?? []), delivery]);
    }
    cursor = result.nextCursor;
    if (!cursor || reachedOldest) break;
  }
  const failed = [...attempts.entries()].filter(
    ([, tries]) => !tries.some((attempt) => attempt.statusCode >= 200 && attempt.statusCode < 300) && tries.length < (options.maxAttempts ?? 3),
  );
  if (failed.length === 0) return { listed, failedUnrecorded: 0, redelivered: [], truncated };
  const recorded = new Set<string>();
  for (let index = 0; index < failed.length; index += LOOKUP_BATCH) {
    const rows = await deps.db
      .select({ deliveryId: webhookDeliveries.deliveryId })
      .from(webhookDeliveries)
      .where(inArray(webhookDeliveries.deliveryId, failed.slice(index, index + LOOKUP_BATCH).map(([guid]) => guid)));
    for (const row of rows) recorded.add(row.deliveryId);
  }
  const redelivered: string[] = [];
  const unrecorded = failed.filter(([guid]) => !recorded.has(guid));
  for (const [guid, tries] of unrecorded) {
    const latest = tries.reduce((a, b) => (b.id > a.id ? b : a));
    await deps.github.redeliver(latest.id);
    redelivered.push(guid);
  }
  return { listed, failedUnrecorded: unrecorded.length, redelivered, truncated };
}
