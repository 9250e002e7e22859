import { reviewQueueSnapshot, type ReviewQueueSnapshot } from "../../domain/metrics/review-queue.ts";
import { DAY_MS } from "../../domain/metrics/time.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { reviewQueueSnapshots } from "../../infrastructure/db/schema/index.ts";
import { loadPullRequestTimelines, type RepositoryScope } from "./repo-metrics.ts";
import { replaceWhenChanged } from "./upsert-changed.ts";

/** The hour an instant falls in (UTC hour boundaries, which are local hour boundaries in whole-hour zones). */
export function truncateToHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}

/** Review-queue snapshot of one repository at `at` (an hour boundary), upserted per (repo, hour). */
export async function snapshotReviewQueue(db: Executor, scope: RepositoryScope, at: Date): Promise<ReviewQueueSnapshot> {
  const prs = await loadPullRequestTimelines(db, scope.repoId, { start: new Date(at.getTime() - 30 * DAY_MS), end: at });
  const snapshot = reviewQueueSnapshot(prs, at);
  await db
    .insert(reviewQueueSnapshots)
    .values({ orgId: scope.orgId, repoId: scope.repoId, takenAt: at, ...snapshot })
    .onConflictDoUpdate({
      target: [reviewQueueSnapshots.repoId, reviewQueueSnapshots.takenAt],
      ...replaceWhenChanged(reviewQueueSnapshots, ["waiting", "oldest_wait_minutes", "median_pickup_minutes", "hanging", "ai_waiting_share"]),
    });
  return snapshot;
}
