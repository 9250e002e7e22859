/**
 * Accuracy of the detector against labelled commits: confusion counts at a threshold, ROC AUC over all
 * thresholds, recall per labelling marker and how often each signal fires per class.
 */

export interface ScoredExample {
  label: "ai" | "human";
  confidence: number;
  /** Labelling marker of an `ai` example (corpus field `marker`), if any. */
  marker: string | null;
  signalIds: readonly string[];
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
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
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
  for (const [marker, entry] of [...markers].sort(([a], [b]) => a.localeCompare(b))) {
    byMarker[marker] = { n: entry.n, recall: round(ratio(entry.hit, entry.n)) };
  }
  const bySignal: EvaluationReport["by_signal"] = {};
  for (const [id, entry] of [...signals].sort(([a], [b]) => a.localeCompare(b))) {
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
  };
}
