import { describe, expect, it } from "vitest";
import { isAwaitingFirstReview, median, reviewQueueSnapshot, type PullRequestTimeline } from "./review-queue.ts";

const now = new Date("2026-03-10T12:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const pr = (o: Partial<PullRequestTimeline>): PullRequestTimeline => ({
  openedAt: hoursAgo(200),
  readyForReviewAt: hoursAgo(200),
  firstReviewAt: null,
  mergedAt: null,
  closedAt: null,
  aiFlagged: false,
  ...o,
});

describe("review queue", () => {
  it("counts open, ready, unreviewed PRs; the oldest wait; PRs hanging past 3 days; the AI share", () => {
    const prs = [
      pr({ readyForReviewAt: hoursAgo(80), aiFlagged: true }), // hanging (80 h > 72 h)
      pr({ readyForReviewAt: hoursAgo(10), aiFlagged: true }),
      pr({ readyForReviewAt: hoursAgo(2) }),
      pr({ readyForReviewAt: hoursAgo(100), firstReviewAt: hoursAgo(40) }), // reviewed: pickup 60 h
      pr({ readyForReviewAt: hoursAgo(30), firstReviewAt: hoursAgo(28) }), // reviewed: pickup 2 h
      pr({ readyForReviewAt: null }), // draft
      pr({ readyForReviewAt: hoursAgo(5), closedAt: hoursAgo(1) }), // closed unreviewed
      pr({ openedAt: hoursAgo(1000), readyForReviewAt: hoursAgo(1000), firstReviewAt: hoursAgo(990) }), // outside the 30-day window
    ];
    expect(reviewQueueSnapshot(prs, now)).toEqual({
      waiting: 3,
      oldestWaitMinutes: 80 * 60,
      hanging: 1,
      aiWaitingShare: 2 / 3,
      medianPickupMinutes: ((60 + 2) / 2) * 60,
    });
  });

  it("reports an empty queue without inventing a share", () => {
    expect(reviewQueueSnapshot([], now)).toEqual({ waiting: 0, oldestWaitMinutes: null, hanging: 0, aiWaitingShare: null, medianPickupMinutes: null });
  });

  it("stops waiting at the instant of the first review, merge or close", () => {
    const reviewed = pr({ firstReviewAt: now });
    expect(isAwaitingFirstReview(reviewed, new Date(now.getTime() - 1))).toBe(true);
    expect(isAwaitingFirstReview(reviewed, now)).toBe(false);
  });

  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
