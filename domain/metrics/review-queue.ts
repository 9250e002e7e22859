/**
 * Review-queue health (docs/detection.md, LinearB): pickup time = ready for review → first review submitted; a PR
 * "hangs" after 3 days without a review; queue depth = open PRs awaiting a first review.
 */
import { DAY_MS } from "./time.ts";

export interface PullRequestTimeline {
  openedAt: Date;
  /** Null while the PR is a draft (a non-draft PR is ready when it is opened). */
  readyForReviewAt: Date | null;
  firstReviewAt: Date | null;
  mergedAt: Date | null;
  closedAt: Date | null;
  /** PR markers name an agent, or one of its commits is AI-attributed. */
  aiFlagged: boolean;
}

export const HANGING_AFTER_MS = 3 * DAY_MS;
const MINUTE_MS = 60_000;

/** When the PR's wait for review started: ready for review, or opened if it was reviewed without being marked ready. */
function waitStartedAt(pr: PullRequestTimeline): Date | null {
  return pr.readyForReviewAt ?? (pr.firstReviewAt ? pr.openedAt : null);
}

/** Open, ready and not yet reviewed at `at`. */
export function isAwaitingFirstReview(pr: PullRequestTimeline, at: Date): boolean {
  const t = at.getTime();
  const ready = pr.readyForReviewAt;
  if (ready === null || ready.getTime() > t || pr.openedAt.getTime() > t) return false;
  if (pr.firstReviewAt !== null && pr.firstReviewAt.getTime() <= t) return false;
  if (pr.mergedAt !== null && pr.mergedAt.getTime() <= t) return false;
  if (pr.closedAt !== null && pr.closedAt.getTime() <= t) return false;
  return true;
}

/** Minutes from ready for review to the first review, for a reviewed PR (never negative). */
export function pickupMinutes(pr: PullRequestTimeline): number | null {
  const started = waitStartedAt(pr);
  if (pr.firstReviewAt === null || started === null) return null;
  return Math.max(0, pr.firstReviewAt.getTime() - started.getTime()) / MINUTE_MS;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median pickup of the PRs whose first review was submitted in [from, to). */
export function medianPickupMinutes(prs: readonly PullRequestTimeline[], window: { from: Date; to: Date }): number | null {
  const pickups: number[] = [];
  for (const pr of prs) {
    if (pr.firstReviewAt === null) continue;
    const t = pr.firstReviewAt.getTime();
    if (t < window.from.getTime() || t >= window.to.getTime()) continue;
    const minutes = pickupMinutes(pr);
    if (minutes !== null) pickups.push(minutes);
  }
  return median(pickups);
}

export interface ReviewQueueSnapshot {
  waiting: number;
  oldestWaitMinutes: number | null;
  hanging: number;
  /** Share (0–1) of waiting PRs flagged as AI-written; null when nothing waits. */
  aiWaitingShare: number | null;
  medianPickupMinutes: number | null;
}

/** The queue at `at`; median pickup over the `pickupWindowMs` before it (default 30 days). */
export function reviewQueueSnapshot(
  prs: readonly PullRequestTimeline[],
  at: Date,
  options: { pickupWindowMs?: number } = {},
): ReviewQueueSnapshot {
  let waiting = 0;
  let hanging = 0;
  let aiWaiting = 0;
  let oldest: number | null = null;
  for (const pr of prs) {
    if (!isAwaitingFirstReview(pr, at)) continue;
    waiting += 1;
    const waitMs = at.getTime() - pr.readyForReviewAt!.getTime();
    if (waitMs > HANGING_AFTER_MS) hanging += 1;
    if (pr.aiFlagged) aiWaiting += 1;
    oldest = oldest === null ? waitMs : Math.max(oldest, waitMs);
  }
  const windowMs = options.pickupWindowMs ?? 30 * DAY_MS;
  return {
    waiting,
    oldestWaitMinutes: oldest === null ? null : oldest / MINUTE_MS,
    hanging,
    aiWaitingShare: waiting === 0 ? null : aiWaiting / waiting,
    medianPickupMinutes: medianPickupMinutes(prs, { from: new Date(at.getTime() - windowMs), to: at }),
  };
}
