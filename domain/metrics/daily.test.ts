import { describe, expect, it } from "vitest";
import { changeFailureRate, computeAiShare, computeDailyMetrics, type DayFile, type DeploymentRecord } from "./daily.ts";
import { DETECTOR_TRAINING_PRIOR } from "../detection/version.ts";
import { binCommits } from "./share-bins.ts";

/**
 * Two confidences that average to the detector's training prior π₀: EM starts at π₀ and stays there, so every
 * confidence keeps its value and the share is Σ lines × confidence ÷ Σ lines — worked out by hand below.
 */
const P0 = DETECTOR_TRAINING_PRIOR;
const SPREAD = Math.min(P0, 1 - P0) / 2;
const HIGH = P0 + SPREAD;
const LOW = P0 - SPREAD;

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
  writtenLines: 0,
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
  it("is the written lines' expected AI share at the commits' own confidences, split by tier with the same ones", () => {
    // AI lines: 100 × HIGH + 100 × LOW = 200 π₀ of 200 written.
    const share = computeAiShare(
      [
        file({ commitSha: "c1", path: "src/pay.ts", aiConfidence: 0.95, riskTier: 4, linesAdded: 60, linesDeleted: 5, writtenLines: 60 }),
        file({ commitSha: "c1", path: "src/ui.ts", aiConfidence: 0.9, riskTier: 1, linesAdded: 50, linesDeleted: 10, writtenLines: 40 }),
        file({ commitSha: "c2", path: "src/auth.ts", aiConfidence: 0.1, riskTier: 1, linesAdded: 100, linesDeleted: 4, writtenLines: 100 }),
        file({ commitSha: "c1", path: "package-lock.json", countsTowardShare: false, aiConfidence: 0.9, linesAdded: 5000 }),
      ],
      {
        commits: [
          { sha: "c1", aiConfidence: HIGH },
          { sha: "c2", aiConfidence: LOW },
        ],
      },
    );
    expect(share).toEqual({
      // Counted added lines (AI tax's denominator); 10 of src/ui.ts's were not written (e.g. whitespace-only).
      linesAdded: 210,
      writtenLines: 200,
      aiLinesAdded: Math.round(200 * P0),
      linesDeleted: 19,
      aiPercentage: expect.closeTo(100 * P0, 6),
      aiShareLow: expect.any(Number),
      aiShareHigh: expect.any(Number),
      aiPrior: expect.closeTo(P0, 6),
      linesByTier: { t1: 140, t2: 0, t3: 0, t4: 60 },
      // T4: 60 × HIGH; T1: 40 × HIGH + 100 × LOW.
      aiLinesByTier: { t1: Math.round(40 * HIGH + 100 * LOW), t2: 0, t3: 0, t4: Math.round(60 * HIGH) },
      highRiskFiles: 1,
    });
    expect(share.aiShareLow!).toBeLessThan(share.aiPercentage);
    expect(share.aiShareHigh!).toBeGreaterThan(share.aiPercentage);
  });

  it("fits the prior over the window before the day: a lone commit at 0.6 in a human repository is not 100 % AI", () => {
    const files = [file({ commitSha: "big", aiConfidence: 0.6, linesAdded: 2000, writtenLines: 2000 })];
    const commits = [{ sha: "big", aiConfidence: 0.6 }];
    // Counted at ≥ 0.5 this day read 100 %; on its own, one commit at 0.6 fits a prior of 1 and reads the same.
    expect(computeAiShare(files, { commits }).aiPercentage).toBeGreaterThan(99);
    const humanWindow = binCommits(Array.from({ length: 60 }, (_, index) => ({ confidence: 0.1 + (index % 5) * 0.05, writtenLines: 0 })));
    const share = computeAiShare(files, { commits, priorWindow: humanWindow });
    expect(share.aiPercentage).toBeLessThanOrEqual(3);
    expect(share.aiPrior!).toBeLessThan(0.01);
  });

  it("is 0 % on a day without written lines, and leaves out commits that were not analysed", () => {
    expect(computeAiShare([])).toMatchObject({ aiPercentage: 0, writtenLines: 0, aiShareLow: null, aiPrior: null });
    const share = computeAiShare([file({ commitSha: "pending", aiConfidence: 0.9, linesAdded: 30, writtenLines: 30 })], { commits: [] });
    expect(share).toMatchObject({ linesAdded: 30, writtenLines: 0, aiLinesAdded: 0, aiPercentage: 0 });
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
        { sha: "c1", aiConfidence: HIGH, detectorVersion: "sentinel-detector-1.2.2" },
        { sha: "c2", aiConfidence: LOW, detectorVersion: "sentinel-detector-1.3.0" },
        { sha: "c3", aiConfidence: null },
      ],
      files: [
        file({ commitSha: "c1", aiConfidence: 0.7, linesAdded: 60, linesDeleted: 20, writtenLines: 60 }),
        file({ commitSha: "c2", aiConfidence: 0.2, linesAdded: 40, linesDeleted: 30, writtenLines: 40 }),
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
      writtenLines: 100,
      // The commits' confidences average π₀: 60 × HIGH + 40 × LOW.
      aiLinesAdded: Math.round(60 * HIGH + 40 * LOW),
      linesDeleted: 50,
      aiPercentage: expect.closeTo(60 * HIGH + 40 * LOW, 6),
      aiShareLow: expect.any(Number),
      aiShareHigh: expect.any(Number),
      aiPrior: expect.closeTo(P0, 6),
      detectorVersion: "sentinel-detector-1.3.0",
      linesByTier: { t1: 100, t2: 0, t3: 0, t4: 0 },
      aiLinesByTier: { t1: Math.round(60 * HIGH + 40 * LOW), t2: 0, t3: 0, t4: 0 },
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
