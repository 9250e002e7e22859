import { describe, expect, it } from "vitest";
import { DETECTOR_TRAINING_PRIOR } from "../detection/version.ts";
import { estimateAiShare } from "./ai-share.ts";
import {
  binCommits,
  combineShares,
  estimateDayShare,
  estimateShareFromBins,
  expectedAiLinesAtPrior,
  mergeBins,
  newestDetectorVersionsFirst,
  shareBinOf,
  shareItemsOf,
  type ConfidenceBin,
} from "./share-bins.ts";

const tiers = (t1: number, t2 = 0, t3 = 0, t4 = 0) => ({ t1, t2, t3, t4 });
const bin = (index: number, commits: number, writtenLines: number, confidenceSum: number, linesByTier = tiers(writtenLines)): ConfidenceBin => ({
  bin: index,
  commits,
  writtenLines,
  linesByTier,
  confidenceSum,
});
/** Commits of a repository nobody runs agents in: weak, shared tells at 0.1–0.3 (the detector's training prior is 0.5). */
const humanCommits = Array.from({ length: 40 }, (_, index) => ({ confidence: 0.1 + (index % 5) * 0.05, writtenLines: 50 }));

describe("shareBinOf", () => {
  it("puts a confidence in the bin of width 0.05 that holds it, 1 in the last", () => {
    expect([0, 0.049, 0.05, 0.5, 0.949, 0.95, 0.999, 1].map(shareBinOf)).toEqual([0, 0, 1, 10, 18, 19, 19, 19]);
  });
});

describe("bins as estimator items", () => {
  it("adds rows of the same bin and uses their mean confidence", () => {
    const merged = mergeBins([bin(3, 2, 100, 0.32), bin(19, 1, 40, 0.99), bin(3, 1, 20, 0.17)]);
    expect(merged.map((row) => [row.bin, row.commits, row.writtenLines])).toEqual([
      [3, 3, 120],
      [19, 1, 40],
    ]);
    expect(shareItemsOf(merged)).toEqual([
      { confidence: expect.closeTo(0.49 / 3, 9), lines: 120, commits: 3 },
      { confidence: 0.99, lines: 40, commits: 1 },
    ]);
  });

  it("leave out a bin whose commits a re-score moved away", () => {
    expect(shareItemsOf([bin(12, 1, 30, 0.6), bin(12, -1, -30, -0.6), bin(2, 1, 10, 0.1)])).toEqual([{ confidence: 0.1, lines: 10, commits: 1 }]);
  });

  it("estimate exactly what the commits themselves estimate when each bin holds one confidence", () => {
    const commits = [...humanCommits, ...Array.from({ length: 7 }, () => ({ confidence: 0.97, writtenLines: 120 }))];
    const fromBins = estimateShareFromBins(binCommits(commits));
    const fromCommits = estimateAiShare(
      commits.map((commit) => ({ confidence: commit.confidence, lines: commit.writtenLines })),
      { trainingPrior: DETECTOR_TRAINING_PRIOR },
    );
    expect(fromBins.share).toBeCloseTo(fromCommits.share!, 9);
    expect(fromBins.low).toBeCloseTo(fromCommits.low!, 9);
    expect(fromBins.high).toBeCloseTo(fromCommits.high!, 9);
    expect(fromBins.prior).toBeCloseTo(fromCommits.prior, 9);
  });
});

describe("estimateShareFromBins", () => {
  it("reads a human-only repository at ≤ 3 % even with one large commit at 0.6 (counting it at ≥ 0.5 read 50 %)", () => {
    const estimate = estimateShareFromBins(binCommits([...humanCommits, { confidence: 0.6, writtenLines: 2000 }]));
    // 2,000 of 4,000 written lines sit in the one commit at 0.6: the old count said 50 %.
    expect(estimate.lines).toBe(4000);
    expect(estimate.share).toBeLessThanOrEqual(0.03);
    expect(estimate.prior).toBeLessThan(0.01);
    expect(estimate.low).toBeLessThanOrEqual(estimate.share!);
    expect(estimate.high).toBeGreaterThanOrEqual(estimate.share!);
  });

  it("reads a repository of agent commits at 0.99 at ≥ 90 %", () => {
    const estimate = estimateShareFromBins(binCommits(Array.from({ length: 30 }, () => ({ confidence: 0.99, writtenLines: 80 }))));
    expect(estimate.share).toBeGreaterThanOrEqual(0.9);
    expect(estimate.low).toBeGreaterThanOrEqual(0.9);
  });

  it("reads half and half as about half, with a range around it", () => {
    const estimate = estimateShareFromBins([bin(19, 20, 2000, 20 * 0.97), bin(2, 20, 2000, 20 * 0.1)]);
    expect(estimate.share).toBeGreaterThan(0.45);
    expect(estimate.share).toBeLessThan(0.6);
    expect(estimate.low).toBeLessThan(estimate.share!);
    expect(estimate.high).toBeGreaterThan(estimate.share!);
  });

  it("has no share without written lines, and nothing at all without commits", () => {
    expect(estimateShareFromBins([bin(19, 3, 0, 2.9)])).toMatchObject({ share: null, low: null, high: null, commits: 3 });
    expect(estimateShareFromBins([])).toMatchObject({ share: null, commits: 0, lines: 0 });
  });
});

describe("expectedAiLinesAtPrior", () => {
  it("at the detector's training prior, is lines × mean confidence, per tier with the same confidences", () => {
    const lines = expectedAiLinesAtPrior([bin(16, 2, 100, 1.6, tiers(20, 30, 40, 10)), bin(4, 3, 300, 0.6, tiers(0, 300))], DETECTOR_TRAINING_PRIOR);
    // 100 × 0.8 + 300 × 0.2
    expect(lines.aiLines).toBeCloseTo(140, 6);
    expect(lines.lines).toBe(400);
    expect(lines.aiLinesByTier.t1).toBeCloseTo(16, 6);
    expect(lines.aiLinesByTier.t2).toBeCloseTo(24 + 60, 6);
    expect(lines.aiLinesByTier.t3).toBeCloseTo(32, 6);
    expect(lines.aiLinesByTier.t4).toBeCloseTo(8, 6);
    expect(lines.linesByTier).toEqual(tiers(20, 330, 40, 10));
  });

  it("at a low prior, takes a middling confidence down by the ratio of the priors' odds", () => {
    // 0.6 is odds 1.5 at the training prior π₀; at a prior of 0.1 the odds are 1.5 × (0.1 / 0.9) ÷ (π₀ / (1 − π₀)).
    const odds = 1.5 * (0.1 / 0.9) / (DETECTOR_TRAINING_PRIOR / (1 - DETECTOR_TRAINING_PRIOR));
    expect(expectedAiLinesAtPrior([bin(12, 1, 70, 0.6)], 0.1).aiLines).toBeCloseTo(70 * (odds / (1 + odds)), 6);
    expect(expectedAiLinesAtPrior([bin(12, 1, 70, 0.6)], 0.1).aiLines).toBeLessThan(70 * 0.6);
  });
});

describe("combineShares", () => {
  it("adds each repository's expected AI lines and written lines, and their ranges at their ends", () => {
    const combined = combineShares([
      { aiLines: 90, lines: 100, low: 0.8, high: 0.95 },
      { aiLines: 0, lines: 900, low: 0, high: 0.1 },
      { aiLines: 0, lines: 0, low: null, high: null },
    ]);
    expect(combined.share).toBeCloseTo(0.09, 9);
    expect(combined.low).toBeCloseTo(0.08, 9);
    expect(combined.high).toBeCloseTo(0.185, 9);
    expect(combineShares([])).toEqual({ share: null, low: null, high: null, aiLines: 0, lines: 0 });
  });
});

describe("estimateDayShare", () => {
  it("fits the prior over the window, so one day's lone uncertain commit does not read 100 %", () => {
    const lone = [{ confidence: 0.6, writtenLines: 400 }];
    // Alone, one commit at 0.6 fits a prior of 1 and reads 100 %.
    expect(estimateDayShare([], lone).share).toBeGreaterThan(0.99);
    const day = estimateDayShare(binCommits(humanCommits), lone);
    expect(day.lines).toBe(400);
    expect(day.share).toBeLessThan(0.03);
  });

  it("reads a day of agent commits in an agent repository high", () => {
    const window = binCommits(Array.from({ length: 50 }, () => ({ confidence: 0.98, writtenLines: 60 })));
    expect(estimateDayShare(window, [{ confidence: 0.97, writtenLines: 100 }, { confidence: 0.99, writtenLines: 50 }]).share).toBeGreaterThan(0.95);
  });
});

describe("newestDetectorVersionsFirst", () => {
  it("compares the numbers as numbers and puts the unversioned last", () => {
    expect(newestDetectorVersionsFirst(["sentinel-detector-1.9.2", "", "sentinel-detector-1.10.0", "sentinel-detector-1.9.2"])).toEqual([
      "sentinel-detector-1.10.0",
      "sentinel-detector-1.9.2",
      "",
    ]);
  });
});
