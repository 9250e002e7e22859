/**
 * Accuracy of the detector against labelled commits: confusion counts at a threshold, ROC AUC over all
 * thresholds, recall per labelling marker and how often each signal fires per class; recall at fixed
 * false-positive rates, calibration of the confidences, and per corpus file and per repository summaries (the
 * latter with the AI share of written lines exactly as the product estimates it).
 */
import { estimateAiShare } from "../metrics/ai-share.ts";
import { DETECTOR_TRAINING_PRIOR } from "./version.ts";

export interface ScoredExample {
  label: "ai" | "human";
  confidence: number;
  /** Labelling marker of an `ai` example (corpus field `marker`), if any. */
  marker: string | null;
  signalIds: readonly string[];
  /** Repository the commit comes from (`owner/name`). */
  repo: string;
  /** The commit's written lines (CommitAttribution.writtenLines), the weight of its share of AI lines. */
  writtenLines: number;
  /** Which corpus file the record came from, as the report should name it. */
  source: string;
}

/** False-positive rates at which recall is reported, the usual operating points for a detector that must rarely accuse. */
export const FPR_TARGETS = [0.001, 0.005, 0.01, 0.02] as const;

export interface FileSummary {
  n: number;
  ai: number;
  human: number;
  flagged: number;
  /** Null when the file has no human records (no false-positive rate to measure). */
  fpr: number | null;
  /** Null when the file has no ai records. */
  recall: number | null;
}

export interface RepositorySummary {
  /** "mixed" when the repository gives records of both labels. */
  label: "ai" | "human" | "mixed";
  n: number;
  /** Commits with confidence at or above the threshold. */
  flagged: number;
  /** Σ written lines of the repository's commits. */
  lines_added: number;
  /** Expected AI-written lines and their share of `lines_added` (0–1), as estimateAiShare computes them. */
  ai_lines: number;
  ai_share: number;
  ai_share_low: number;
  ai_share_high: number;
}

export interface CalibrationBin {
  /** "0.0-0.1" … "0.9-1.0"; each bin holds [low, high), the last one also 1.0. */
  bin: string;
  count: number;
  /** Null for an empty bin. */
  mean_confidence: number | null;
  ai_fraction: number | null;
}

export interface RecallAtFpr {
  /** Target false-positive rate ("0.001", …) → the highest recall whose FPR on human records stays at or under it. */
  recall: Record<string, number | null>;
  /**
   * The threshold reaching it (flag at confidence ≥ threshold): the score of the lowest-scored `ai` example it
   * flags. Null when no threshold within the target flags any `ai` example, or when a class is missing.
   */
  threshold: Record<string, number | null>;
}

export interface EvaluationReport {
  n: number;
  ai: number;
  human: number;
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  fpr: number;
  f1: number;
  auc: number;
  by_marker: Record<string, { n: number; recall: number }>;
  by_signal: Record<string, { fired_ai: number; fired_human: number; precision: number }>;
  by_file: Record<string, FileSummary>;
  by_repo: Record<string, RepositorySummary>;
  recall_at_fpr: Record<string, number | null>;
  threshold_at_fpr: Record<string, number | null>;
  calibration: CalibrationBin[];
  /** Expected calibration error over `calibration`: Σ (count / n) · |mean confidence − ai fraction|. */
  ece: number;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function ratioOrNull(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : round(numerator / denominator);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function byName<T>(entries: Iterable<[string, T]>): Array<[string, T]> {
  return [...entries].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * For each target false-positive rate, the highest recall of any threshold whose FPR on the human examples is within
 * it. Thresholds are tried at the distinct scores only: flagging is `confidence ≥ threshold`, so examples tied at a
 * score are flagged together and a threshold can never take some of them and not the others.
 */
export function recallAtFalsePositiveRates(examples: readonly ScoredExample[], targets: readonly number[] = FPR_TARGETS): RecallAtFpr {
  const positives = examples.filter((example) => example.label === "ai").length;
  const negatives = examples.length - positives;
  const recall: Record<string, number | null> = {};
  const threshold: Record<string, number | null> = {};
  const sorted = [...examples].sort((a, b) => b.confidence - a.confidence);
  for (const target of targets) {
    const key = String(target);
    recall[key] = null;
    threshold[key] = null;
    if (positives === 0 || negatives === 0) continue;
    // The allowed count of false positives; the epsilon keeps 0.005 × 2,000 from landing just under 10.
    const allowed = Math.floor(target * negatives + 1e-9);
    let truePositives = 0;
    let falsePositives = 0;
    let index = 0;
    while (index < sorted.length) {
      const score = sorted[index]?.confidence ?? 0;
      let groupTrue = 0;
      let groupFalse = 0;
      while (index < sorted.length && sorted[index]?.confidence === score) {
        if (sorted[index]?.label === "ai") groupTrue += 1;
        else groupFalse += 1;
        index += 1;
      }
      if (falsePositives + groupFalse > allowed) break;
      truePositives += groupTrue;
      falsePositives += groupFalse;
      // A lower threshold that only adds human examples costs false positives and gains nothing: keep the higher one.
      if (groupTrue > 0) threshold[key] = score;
    }
    recall[key] = round(truePositives / positives);
  }
  return { recall, threshold };
}

/** Ten equal-width bins of confidence with the share of `ai` examples in each, and the expected calibration error. */
export function calibrationTable(examples: readonly ScoredExample[], binCount = 10): { bins: CalibrationBin[]; ece: number } {
  const sums = Array.from({ length: binCount }, () => ({ count: 0, confidence: 0, ai: 0 }));
  for (const example of examples) {
    const index = Math.min(binCount - 1, Math.max(0, Math.floor(example.confidence * binCount)));
    const bin = sums[index];
    if (!bin) continue;
    bin.count += 1;
    bin.confidence += example.confidence;
    if (example.label === "ai") bin.ai += 1;
  }
  let ece = 0;
  const bins = sums.map((bin, index) => {
    const label = `${(index / binCount).toFixed(1)}-${((index + 1) / binCount).toFixed(1)}`;
    if (bin.count === 0) return { bin: label, count: 0, mean_confidence: null, ai_fraction: null };
    const meanConfidence = bin.confidence / bin.count;
    const aiFraction = bin.ai / bin.count;
    ece += (bin.count / examples.length) * Math.abs(meanConfidence - aiFraction);
    return { bin: label, count: bin.count, mean_confidence: round(meanConfidence), ai_fraction: round(aiFraction) };
  });
  return { bins, ece: round(ece) };
}

/** Counts and rates per corpus file, at the report's threshold. */
export function summariseByFile(examples: readonly ScoredExample[], threshold: number): Record<string, FileSummary> {
  const groups = new Map<string, { ai: number; human: number; tp: number; fp: number }>();
  for (const example of examples) {
    const entry = groups.get(example.source) ?? { ai: 0, human: 0, tp: 0, fp: 0 };
    const flagged = example.confidence >= threshold;
    if (example.label === "ai") {
      entry.ai += 1;
      if (flagged) entry.tp += 1;
    } else {
      entry.human += 1;
      if (flagged) entry.fp += 1;
    }
    groups.set(example.source, entry);
  }
  const summary: Record<string, FileSummary> = {};
  for (const [source, entry] of byName(groups)) {
    summary[source] = {
      n: entry.ai + entry.human,
      ai: entry.ai,
      human: entry.human,
      flagged: entry.tp + entry.fp,
      fpr: ratioOrNull(entry.fp, entry.human),
      recall: ratioOrNull(entry.tp, entry.ai),
    };
  }
  return summary;
}

/**
 * Per repository: its label, how many commits the threshold flags, and the AI share of its written lines computed
 * as the product computes a repository's share (one item per commit, at the detector's training prior).
 */
export function summariseByRepository(examples: readonly ScoredExample[], threshold: number): Record<string, RepositorySummary> {
  const groups = new Map<string, ScoredExample[]>();
  for (const example of examples) {
    const group = groups.get(example.repo);
    if (group) group.push(example);
    else groups.set(example.repo, [example]);
  }
  const summary: Record<string, RepositorySummary> = {};
  for (const [repo, group] of byName(groups)) {
    const labels = new Set(group.map((example) => example.label));
    const estimate = estimateAiShare(
      group.map((example) => ({ confidence: example.confidence, lines: example.writtenLines })),
      { trainingPrior: DETECTOR_TRAINING_PRIOR },
    );
    summary[repo] = {
      label: labels.size > 1 ? "mixed" : (group[0]?.label ?? "human"),
      n: group.length,
      flagged: group.filter((example) => example.confidence >= threshold).length,
      lines_added: group.reduce((sum, example) => sum + example.writtenLines, 0),
      ai_lines: round(estimate.aiLines),
      ai_share: round(estimate.share ?? 0),
      ai_share_low: round(estimate.low ?? 0),
      ai_share_high: round(estimate.high ?? 0),
    };
  }
  return summary;
}

/** Probability that a random `ai` example scores above a random `human` one (ties count half). */
export function rocAuc(examples: readonly ScoredExample[]): number {
  const sorted = [...examples].sort((a, b) => a.confidence - b.confidence);
  const positives = sorted.filter((example) => example.label === "ai").length;
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return 0;
  let rankSum = 0;
  let index = 0;
  while (index < sorted.length) {
    let end = index;
    while (end + 1 < sorted.length && sorted[end + 1]?.confidence === sorted[index]?.confidence) end += 1;
    const averageRank = (index + end) / 2 + 1;
    for (let tied = index; tied <= end; tied += 1) if (sorted[tied]?.label === "ai") rankSum += averageRank;
    index = end + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function evaluateDetections(examples: readonly ScoredExample[], threshold: number): EvaluationReport {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const markers = new Map<string, { n: number; hit: number }>();
  const signals = new Map<string, { ai: number; human: number }>();
  for (const example of examples) {
    const predicted = example.confidence >= threshold;
    if (example.label === "ai") {
      if (predicted) tp += 1;
      else fn += 1;
      const marker = example.marker ?? "(none)";
      const entry = markers.get(marker) ?? { n: 0, hit: 0 };
      entry.n += 1;
      if (predicted) entry.hit += 1;
      markers.set(marker, entry);
    } else if (predicted) fp += 1;
    else tn += 1;
    for (const id of new Set(example.signalIds)) {
      const entry = signals.get(id) ?? { ai: 0, human: 0 };
      if (example.label === "ai") entry.ai += 1;
      else entry.human += 1;
      signals.set(id, entry);
    }
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const byMarker: EvaluationReport["by_marker"] = {};
  for (const [marker, entry] of byName(markers)) {
    byMarker[marker] = { n: entry.n, recall: round(ratio(entry.hit, entry.n)) };
  }
  const atFpr = recallAtFalsePositiveRates(examples);
  const calibration = calibrationTable(examples);
  const bySignal: EvaluationReport["by_signal"] = {};
  for (const [id, entry] of byName(signals)) {
    bySignal[id] = { fired_ai: entry.ai, fired_human: entry.human, precision: round(ratio(entry.ai, entry.ai + entry.human)) };
  }
  return {
    n: examples.length,
    ai: tp + fn,
    human: fp + tn,
    threshold,
    tp,
    fp,
    tn,
    fn,
    precision: round(precision),
    recall: round(recall),
    fpr: round(ratio(fp, fp + tn)),
    f1: round(ratio(2 * precision * recall, precision + recall)),
    auc: round(rocAuc(examples)),
    by_marker: byMarker,
    by_signal: bySignal,
    by_file: summariseByFile(examples, threshold),
    by_repo: summariseByRepository(examples, threshold),
    recall_at_fpr: atFpr.recall,
    threshold_at_fpr: atFpr.threshold,
    calibration: calibration.bins,
    ece: calibration.ece,
  };
}
