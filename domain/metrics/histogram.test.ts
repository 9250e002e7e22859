import { describe, expect, it } from "vitest";
import { histogramOfCounts, minutesBucket, percentileOfHistogram } from "./histogram.ts";

/** The exact percentile as PostgreSQL's percentile_cont takes it. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const lower = Math.floor(position);
  return sorted[lower]! + (position - lower) * ((sorted[lower + 1] ?? sorted[lower]!) - sorted[lower]!);
}

function histogramOf(values: number[]) {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(minutesBucket(value), (counts.get(minutesBucket(value)) ?? 0) + 1);
  return histogramOfCounts(counts);
}

describe("histograms of minutes (lead times, pull-request cycle and review times)", () => {
  it("puts a value in a bucket 10 % wide: under a minute in 0, then [1.1^(b-1), 1.1^b)", () => {
    expect([0, 0.99, 1, 1.09, 1.1, 60, 1440].map(minutesBucket)).toEqual([0, 0, 1, 1, 2, 43, 77]);
  });

  it("finds the median within 10 % of the exact one, the middle of two middle values included", () => {
    const minutes = [3, 45, 61, 240, 1_450, 1_505, 2_900, 10_000];
    const exact = (240 + 1_450) / 2;
    expect(Math.abs(percentileOfHistogram(histogramOf(minutes), 0.5)! - exact) / exact).toBeLessThan(0.1);
    expect(Math.abs(percentileOfHistogram(histogramOf([...minutes, 20_000]), 0.5)! - 1_450) / 1_450).toBeLessThan(0.1);
  });

  it("interpolates the 75th percentile between ranks as percentile_cont does, within 10 % on a spread of values", () => {
    // Cycle times from minutes to weeks, drawn from a fixed sequence (no randomness).
    const minutes = Array.from({ length: 997 }, (_, i) => 2 + ((i * 7919) % 20_000) * ((i % 13) + 1));
    for (const p of [0.25, 0.5, 0.75, 0.9]) {
      const exact = exactPercentile(minutes, p);
      expect(Math.abs(percentileOfHistogram(histogramOf(minutes), p)! - exact) / exact, `p${p * 100}`).toBeLessThan(0.1);
    }
    // Between two values 10 buckets apart, the 75th percentile of four sits three quarters of the way from the third.
    const four = histogramOf([10, 10, 100, 1_000]);
    const p75 = percentileOfHistogram(four, 0.75)!;
    const exact = exactPercentile([10, 10, 100, 1_000], 0.75);
    expect(Math.abs(p75 - exact) / exact).toBeLessThan(0.1);
  });

  it("has no percentile without values, ignores emptied buckets, and refuses a p outside 0–1", () => {
    expect(percentileOfHistogram([], 0.5)).toBeNull();
    expect(percentileOfHistogram([{ bucket: 12, count: 0 }], 0.75)).toBeNull();
    expect(percentileOfHistogram([{ bucket: 0, count: 1 }, { bucket: 40, count: 0 }], 0.5)).toBe(0.5);
    expect(() => percentileOfHistogram([{ bucket: 3, count: 1 }], 75)).toThrow(/between 0 and 1/);
  });
});
