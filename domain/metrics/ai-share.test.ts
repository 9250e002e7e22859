import { describe, expect, it } from "vitest";
import { adjustConfidence, estimateAiShare } from "./ai-share.ts";

describe("estimateAiShare", () => {
  it("has no share without commits or without written lines", () => {
    expect(estimateAiShare([])).toMatchObject({ share: null, low: null, high: null, commits: 0 });
    expect(estimateAiShare([{ confidence: 0.9, lines: 0 }])).toMatchObject({ share: null, commits: 1 });
  });

  it("leaves a confidence unchanged at the training prior and moves it with the prior", () => {
    expect(adjustConfidence(0.7, 0.4, 0.4)).toBeCloseTo(0.7, 10);
    expect(adjustConfidence(0.7, 0.05, 0.4)).toBeLessThan(0.2);
    expect(adjustConfidence(0.7, 0.9, 0.4)).toBeGreaterThan(0.9);
  });

  it("reads a human repository's few uncertain large commits as almost no AI share", () => {
    const items = [
      ...Array.from({ length: 200 }, () => ({ confidence: 0.2, lines: 20 })),
      // One big, well-explained human change the detector half-believes.
      { confidence: 0.6, lines: 4_000 },
    ];
    const estimate = estimateAiShare(items, { trainingPrior: 0.44 });
    // Thresholded at 0.5, this repository would read 4,000 / 8,000 = 50 %; summing lines × confidence, 34 %.
    expect(estimate.share).not.toBeNull();
    expect(estimate.share!).toBeLessThanOrEqual(0.03);
    expect(estimate.prior).toBeLessThan(0.05);
    expect(estimate.low!).toBeLessThanOrEqual(estimate.share!);
    expect(estimate.high!).toBeGreaterThanOrEqual(estimate.share!);
  });

  it("keeps an agent repository's share near all of it", () => {
    const items = Array.from({ length: 50 }, (_, index) => ({ confidence: index % 10 === 0 ? 0.4 : 0.98, lines: 30 }));
    const estimate = estimateAiShare(items, { trainingPrior: 0.44 });
    expect(estimate.share!).toBeGreaterThanOrEqual(0.9);
    expect(estimate.prior).toBeGreaterThan(0.85);
  });

  it("finds a mixed repository's share between the two, with a range around it", () => {
    const items = [
      ...Array.from({ length: 30 }, () => ({ confidence: 0.97, lines: 10 })),
      ...Array.from({ length: 70 }, () => ({ confidence: 0.1, lines: 10 })),
    ];
    const estimate = estimateAiShare(items, { trainingPrior: 0.5 });
    expect(estimate.share!).toBeGreaterThan(0.2);
    expect(estimate.share!).toBeLessThan(0.4);
    expect(estimate.low!).toBeLessThan(estimate.share!);
    expect(estimate.high!).toBeGreaterThan(estimate.share!);
    expect(estimate.high! - estimate.low!).toBeLessThan(0.3);
  });

  it("gives the same estimate for commits and for bins that stand for them", () => {
    const commits = [
      ...Array.from({ length: 12 }, () => ({ confidence: 0.9, lines: 5 })),
      ...Array.from({ length: 40 }, () => ({ confidence: 0.3, lines: 8 })),
    ];
    const bins = [
      { confidence: 0.9, lines: 60, commits: 12 },
      { confidence: 0.3, lines: 320, commits: 40 },
    ];
    const byCommit = estimateAiShare(commits);
    const byBin = estimateAiShare(bins);
    expect(byBin.share!).toBeCloseTo(byCommit.share!, 6);
    expect(byBin.prior).toBeCloseTo(byCommit.prior, 6);
    expect(byBin.low!).toBeCloseTo(byCommit.low!, 4);
    expect(byBin.high!).toBeCloseTo(byCommit.high!, 4);
  });
});
