import { describe, expect, it } from "vitest";
import { changeFailureRate, computeAiShare, computeDailyMetrics, type DayFile, type DeploymentRecord } from "./daily.ts";

const day = { start: new Date("2026-03-03T08:00:00Z"), end: new Date("2026-03-04T08:00:00Z") };
const at = (iso: string) => new Date(iso);
const file = (overrides: Partial<DayFile>): DayFile => ({
  commitSha: "c1",
  path: "src/a.ts",
  countsTowardShare: true,
  aiConfidence: 0,
  riskTier: 1,
  linesAdded: 0,
  linesDeleted: 0,
  ...overrides,
});
const deploy = (id: string, finishedAt: string, overrides: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  id,
  isProduction: true,
  status: "success",
  createdAt: new Date(new Date(finishedAt).getTime() - 300_000),
  finishedAt: new Date(finishedAt),
  ...overrides,
});

describe("AI share", () => {
  it("counts a file's added lines as AI at confidence ≥ 0.5 and skips lockfiles", () => {
    const share = computeAiShare([
      file({ path: "src/pay.ts", aiConfidence: 0.5, riskTier: 4, linesAdded: 30, linesDeleted: 5 }),
      file({ path: "src/ui.ts", aiConfidence: 0.49, riskTier: 1, linesAdded: 50, linesDeleted: 10 }),
      file({ path: "src/auth.ts", commitSha: "c2", aiConfidence: 0.9, riskTier: 3, linesAdded: 20 }),
      file({ path: "src/pay.ts", commitSha: "c2", aiConfidence: 0.8, riskTier: 4, linesAdded: 0, linesDeleted: 4 }),
      file({ path: "package-lock.json", countsTowardShare: false, aiConfidence: 0.9, linesAdded: 5000 }),
    ]);
    // 50 AI lines of 100.
    expect(share).toEqual({
      linesAdded: 100,
      aiLinesAdded: 50,
      linesDeleted: 19,
      aiPercentage: 50,
      linesByTier: { t1: 50, t2: 0, t3: 20, t4: 30 },
      aiLinesByTier: { t1: 0, t2: 0, t3: 20, t4: 30 },
      highRiskFiles: 2,
    });
  });

  it("is 0 % on a day without added lines", () => {
    expect(computeAiShare([]).aiPercentage).toBe(0);
  });
});

describe("change failure rate", () => {
  it("gives each incident to the last production deployment finished before it", () => {
    const deployments = [
      deploy("d0", "2026-03-02T20:00:00Z"), // the day before
      deploy("d1", "2026-03-03T10:00:00Z"),
      deploy("d2", "2026-03-03T15:00:00Z"),
      deploy("staging", "2026-03-03T16:00:00Z", { isProduction: false }),
      deploy("broken", "2026-03-03T17:00:00Z", { status: "failure" }),
      deploy("d3", "2026-03-03T18:00:00Z"),
      deploy("next-day", "2026-03-04T09:00:00Z"),
    ];
    const incidents = [{ startedAt: at("2026-03-03T16:30:00Z") }, { startedAt: at("2026-03-03T16:45:00Z") }, { startedAt: at("2026-03-04T10:00:00Z") }];
    // d2 failed (two incidents count once); next-day's incident is not in the window. 1 of d1, d2, d3.
    expect(changeFailureRate(deployments, incidents, day)).toEqual({ deployments: 3, failed: 1, rate: 1 / 3 });
    expect(changeFailureRate([], incidents, day).rate).toBeNull();
  });
});

describe("a whole day, hand-computed", () => {
  it("matches the numbers worked out by hand", () => {
    const pr = (o: Partial<Parameters<typeof computeDailyMetrics>[0]["pullRequests"][number]>) => ({
      openedAt: at("2026-03-01T00:00:00Z"),
      readyForReviewAt: at("2026-03-01T00:00:00Z"),
      firstReviewAt: null,
      mergedAt: null,
      closedAt: null,
      aiFlagged: false,
      ...o,
    });
    const metrics = computeDailyMetrics({
      day,
      commits: [
        { sha: "c1", aiConfidence: 0.7 },
        { sha: "c2", aiConfidence: 0.2 },
        { sha: "c3", aiConfidence: null },
      ],
      files: [
        file({ commitSha: "c1", aiConfidence: 0.7, linesAdded: 60, linesDeleted: 20 }),
        file({ commitSha: "c2", aiConfidence: 0.2, linesAdded: 40, linesDeleted: 30 }),
      ],
      churn: { ai: 15, human: 3 },
      pullRequests: [
        // Opened in the day, reviewed after 90 minutes.
        pr({ openedAt: at("2026-03-03T09:00:00Z"), readyForReviewAt: at("2026-03-03T09:00:00Z"), firstReviewAt: at("2026-03-03T10:30:00Z") }),
        // Waiting since the 1st: in the queue at the end of the day; reviewed the next day.
        pr({ firstReviewAt: at("2026-03-04T12:00:00Z") }),
        // Reviewed in the day after 30 minutes, merged in the day.
        pr({ readyForReviewAt: at("2026-03-03T11:00:00Z"), firstReviewAt: at("2026-03-03T11:30:00Z"), mergedAt: at("2026-03-03T20:00:00Z") }),
        // A draft never waits.
        pr({ openedAt: at("2026-03-03T12:00:00Z"), readyForReviewAt: null }),
      ],
      deployments: [deploy("d1", "2026-03-03T12:00:00Z"), deploy("d2", "2026-03-03T21:00:00Z")],
      incidents: [{ startedAt: at("2026-03-03T13:00:00Z") }],
    });
    expect(metrics).toEqual({
      commits: 3,
      aiCommits: 1,
      linesAdded: 100,
      aiLinesAdded: 60,
      linesDeleted: 50,
      aiPercentage: 60,
      linesByTier: { t1: 100, t2: 0, t3: 0, t4: 0 },
      aiLinesByTier: { t1: 60, t2: 0, t3: 0, t4: 0 },
      highRiskFiles: 0,
      aiChurnLines: 15,
      humanChurnLines: 3,
      aiTax: 15 / 150,
      humanTax: 3 / 150,
      prsOpened: 2,
      prsMerged: 1,
      reviewQueueDepth: 1,
      medianPickupMinutes: 60,
      deployments: 2,
      incidentsOpened: 1,
      changeFailureRate: 0.5,
    });
  });
});
