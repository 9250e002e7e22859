/**
 * AI share from confidence bins (ADR 033). The share rollup keeps, per repository, day and bin of commit-level
 * confidence (width 0.05), how many analysed commits fell in the bin, their written lines (in all and by risk tier)
 * and the sum of their confidences. That is all estimateAiShare needs: a bin is an item whose confidence is its mean
 * confidence, whose weight is its commit count and whose lines are its written lines. So any range of days is
 * estimated by adding the bins of its days, without reading a commit.
 *
 * An organisation's share is not one fit over all its repositories: each repository keeps its own prior (a project
 * that bans agents and one that runs them on every issue are different populations), and the organisation's share
 * is the sum of the repositories' expected AI lines over the sum of their written lines.
 */
import { DETECTOR_TRAINING_PRIOR } from "../detection/version.ts";
import type { TierCounts } from "../risk/tiers.ts";
import { adjustConfidence, estimateAiShare, type AiShareEstimate, type ShareItem } from "./ai-share.ts";


export const SHARE_BIN_COUNT = 20;

/** The rollup's bin of a commit confidence: [0, 0.05) is 0, … [0.95, 1] is 19 (the SQL of migration 0019). */
export function shareBinOf(confidence: number): number {
  return Math.min(SHARE_BIN_COUNT - 1, Math.max(0, Math.floor(confidence * SHARE_BIN_COUNT)));
}

export interface ConfidenceBin {
  bin: number;
  commits: number;
  writtenLines: number;
  /** Written lines by the files' risk tiers; they add up to writtenLines. */
  linesByTier: TierCounts;
  confidenceSum: number;
}

const emptyTiers = (): TierCounts => ({ t1: 0, t2: 0, t3: 0, t4: 0 });

export function emptyBin(bin: number): ConfidenceBin {
  return { bin, commits: 0, writtenLines: 0, linesByTier: emptyTiers(), confidenceSum: 0 };
}

/** Adds a bin's sums into another's (same bin index). */
export function addBin(into: ConfidenceBin, from: ConfidenceBin): void {
  into.commits += from.commits;
  into.writtenLines += from.writtenLines;
  into.linesByTier.t1 += from.linesByTier.t1;
  into.linesByTier.t2 += from.linesByTier.t2;
  into.linesByTier.t3 += from.linesByTier.t3;
  into.linesByTier.t4 += from.linesByTier.t4;
  into.confidenceSum += from.confidenceSum;
}

/** Bins of several days, rollup rows or detector versions, added into one per bin index (ascending). */
export function mergeBins(bins: Iterable<ConfidenceBin>): ConfidenceBin[] {
  const merged = new Map<number, ConfidenceBin>();
  for (const bin of bins) {
    let into = merged.get(bin.bin);
    if (!into) {
      into = emptyBin(bin.bin);
      merged.set(bin.bin, into);
    }
    addBin(into, bin);
  }
  return [...merged.values()].sort((a, b) => a.bin - b.bin);
}

/** One estimator item per bin with commits: the mean confidence of its commits, their written lines. */
export function shareItemsOf(bins: Iterable<ConfidenceBin>): ShareItem[] {
  const items: ShareItem[] = [];
  for (const bin of mergeBins(bins)) {
    if (bin.commits <= 0) continue;
    items.push({ confidence: Math.min(1, Math.max(0, bin.confidenceSum / bin.commits)), lines: Math.max(0, bin.writtenLines), commits: bin.commits });
  }
  return items;
}

/** A confidence calibrated at the detector's training prior, re-weighted to a repository's prior. */
export function confidenceAtPrior(confidence: number, prior: number): number {
  return adjustConfidence(confidence, prior, DETECTOR_TRAINING_PRIOR);
}

/** The estimate over the bins of a range: the repository's prior fitted by EM, its AI lines, share and range. */
export function estimateShareFromBins(bins: Iterable<ConfidenceBin>): AiShareEstimate {
  return estimateAiShare(shareItemsOf(bins), { trainingPrior: DETECTOR_TRAINING_PRIOR });
}

export interface ExpectedAiLines {
  aiLines: number;
  lines: number;
  aiLinesByTier: TierCounts;
  linesByTier: TierCounts;
}

/**
 * Expected AI-written lines of some bins at a prior fitted elsewhere (a longer window, so that a week's or a day's few
 * commits do not decide their own prior): Σ lines × adjusted mean confidence, in all and per risk tier with the very
 * same adjusted confidences, so the tiers add up to the whole.
 */
export function expectedAiLinesAtPrior(bins: Iterable<ConfidenceBin>, prior: number): ExpectedAiLines {
  const result: ExpectedAiLines = { aiLines: 0, lines: 0, aiLinesByTier: emptyTiers(), linesByTier: emptyTiers() };
  for (const bin of mergeBins(bins)) {
    if (bin.commits <= 0) continue;
    const p = confidenceAtPrior(Math.min(1, Math.max(0, bin.confidenceSum / bin.commits)), prior);
    result.lines += bin.writtenLines;
    result.aiLines += bin.writtenLines * p;
    for (const tier of ["t1", "t2", "t3", "t4"] as const) {
      result.linesByTier[tier] += bin.linesByTier[tier];
      result.aiLinesByTier[tier] += bin.linesByTier[tier] * p;
    }
  }
  return result;
}

export interface CombinedShare {
  /** 0–1; null without written lines. */
  share: number | null;
  low: number | null;
  high: number | null;
  aiLines: number;
  lines: number;
}

/**
 * An organisation's share from its repositories' estimates, each with its own prior: Σ expected AI lines ÷ Σ written
 * lines, and the range as Σ (low × lines) ÷ Σ lines to Σ (high × lines) ÷ Σ lines — the repositories' ranges taken
 * together at their ends, which is wider than a joint interval would be (their priors' errors are independent).
 */
export function combineShares(estimates: Iterable<Pick<AiShareEstimate, "aiLines" | "lines" | "low" | "high">>): CombinedShare {
  let aiLines = 0;
  let lines = 0;
  let low = 0;
  let high = 0;
  for (const estimate of estimates) {
    if (!(estimate.lines > 0)) continue;
    aiLines += estimate.aiLines;
    lines += estimate.lines;
    const share = estimate.aiLines / estimate.lines;
    low += (estimate.low ?? share) * estimate.lines;
    high += (estimate.high ?? share) * estimate.lines;
  }
  if (lines === 0) return { share: null, low: null, high: null, aiLines: 0, lines: 0 };
  return { share: aiLines / lines, low: low / lines, high: high / lines, aiLines, lines };
}

export interface CommitShareInput {
  confidence: number;
  writtenLines: number;
}

/**
 * One day's share (the nightly repo_metrics row): the day's commits are items of their own, and the prior is fitted
 * over them together with the commits of the days before the day in `priorWindow` (binned, their lines left out), so
 * a day's handful of commits does not decide its own prior. Share, range and AI lines are the day's.
 */
export function estimateDayShare(priorWindow: Iterable<ConfidenceBin>, day: readonly CommitShareInput[]): AiShareEstimate {
  const items: ShareItem[] = shareItemsOf(priorWindow).map((item) => ({ ...item, lines: 0 }));
  for (const commit of day) items.push({ confidence: commit.confidence, lines: commit.writtenLines, commits: 1 });
  return estimateAiShare(items, { trainingPrior: DETECTOR_TRAINING_PRIOR });
}

/** Bins of commits (the daily job bins a repository's trailing window as the rollup does). */
export function binCommits(commits: Iterable<CommitShareInput & { linesByTier?: TierCounts }>): ConfidenceBin[] {
  const bins = new Map<number, ConfidenceBin>();
  for (const commit of commits) {
    const index = shareBinOf(commit.confidence);
    let bin = bins.get(index);
    if (!bin) {
      bin = emptyBin(index);
      bins.set(index, bin);
    }
    addBin(bin, { bin: index, commits: 1, writtenLines: commit.writtenLines, linesByTier: commit.linesByTier ?? emptyTiers(), confidenceSum: commit.confidence });
  }
  return [...bins.values()].sort((a, b) => a.bin - b.bin);
}

/**
 * Detector versions, newest first ("sentinel-detector-1.10.0" after "…-1.9.2": the numbers compare as numbers).
 * The empty version (commits scored before versions were stored) sorts last.
 */
export function newestDetectorVersionsFirst(versions: Iterable<string>): string[] {
  const numbers = (version: string) => (version.match(/\d+/g) ?? []).map(Number);
  return [...new Set(versions)].sort((a, b) => {
    if (a === "" || b === "") return a === "" ? (b === "" ? 0 : 1) : -1;
    const x = numbers(a);
    const y = numbers(b);
    for (let index = 0; index < Math.max(x.length, y.length); index += 1) {
      const difference = (y[index] ?? -1) - (x[index] ?? -1);
      if (difference !== 0) return difference;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
