import { describe, expect, it } from "vitest";
import { estimateAiShare } from "../metrics/ai-share.ts";
import {
  calibrationTable,
  evaluateDetections,
  recallAtFalsePositiveRates,
  rocAuc,
  summariseByFile,
  summariseByRepository,
  type ScoredExample,
} from "./evaluation.ts";
import { DETECTOR_TRAINING_PRIOR } from "./version.ts";

function example(label: "ai" | "human", confidence: number, rest: Partial<ScoredExample> = {}): ScoredExample {
  return { label, confidence, marker: null, signalIds: [], repo: "o/r", writtenLines: 10, source: "a.jsonl", ...rest };
}

const ai = (...scores: number[]) => scores.map((score) => example("ai", score));
const human = (...scores: number[]) => scores.map((score) => example("human", score));

describe("recallAtFalsePositiveRates", () => {
  // Ten of each. Ranked by score: 0.95 ai | 0.9 ai+human | 0.8 ai | 0.7 ai,ai+human,human | 0.6 ai | 0.5 ai | 0.3 ai+human …
  const examples = [...ai(0.95, 0.9, 0.8, 0.7, 0.7, 0.6, 0.5, 0.3, 0.1, 0), ...human(0.9, 0.7, 0.7, 0.3, 0.2, 0.1, 0.1, 0.05, 0, 0)];

  it("finds the highest recall within each false-positive budget, never splitting a tie", () => {
    const { recall, threshold } = recallAtFalsePositiveRates(examples, [0.05, 0.1, 0.2, 0.3]);
    // 0 false positives allowed: only the 0.95 commit; 0.9 brings the first human.
    expect(recall["0.05"]).toBe(0.1);
    expect(threshold["0.05"]).toBe(0.95);
    // 1 allowed: down to 0.8 (3 ai, 1 human).
    expect(recall["0.1"]).toBe(0.3);
    expect(threshold["0.1"]).toBe(0.8);
    // 2 allowed: still 0.8. Flagging at ≥ 0.7 takes both tied humans (3 false positives); a sort that put the tied
    // ai commits first and cut between them would claim 50 % here.
    expect(recall["0.2"]).toBe(0.3);
    expect(threshold["0.2"]).toBe(0.8);
    // 3 allowed: down to 0.5 (7 ai); 0.3 brings the fourth human.
    expect(recall["0.3"]).toBe(0.7);
    expect(threshold["0.3"]).toBe(0.5);
  });

  it("keeps the higher threshold when a lower one would only add human commits", () => {
    const { recall, threshold } = recallAtFalsePositiveRates([...ai(0.9, 0.1), ...human(0.5, 0.2)], [0.5]);
    expect(recall["0.5"]).toBe(0.5);
    expect(threshold["0.5"]).toBe(0.9);
  });

  it("reports recall 0 and no threshold when the top score is a human commit", () => {
    const { recall, threshold } = recallAtFalsePositiveRates([...ai(0.5), ...human(0.9, 0.1)], [0.1]);
    expect(recall["0.1"]).toBe(0);
    expect(threshold["0.1"]).toBeNull();
  });

  it("counts the allowed false positives without floating-point loss (0.57 × 100 is 56.999…)", () => {
    const examples = [...ai(0.8, 0), ...Array.from({ length: 57 }, () => example("human", 0.8)), ...Array.from({ length: 43 }, () => example("human", 0))];
    expect(recallAtFalsePositiveRates(examples, [0.57]).recall["0.57"]).toBe(0.5);
  });

  it("is null when a class is missing, and keys the default targets as strings", () => {
    expect(recallAtFalsePositiveRates(ai(0.9))).toEqual({
      recall: { "0.001": null, "0.005": null, "0.01": null, "0.02": null },
      threshold: { "0.001": null, "0.005": null, "0.01": null, "0.02": null },
    });
    expect(recallAtFalsePositiveRates(human(0.9), [0.01]).recall).toEqual({ "0.01": null });
  });
});

describe("calibrationTable", () => {
  it("bins confidences in tenths (1.0 in the last bin) and computes the expected calibration error", () => {
    const examples = [...ai(0.05), ...human(0.05, 0.15), ...ai(0.6), ...human(0.6), ...ai(0.95, 1)];
    const { bins, ece } = calibrationTable(examples);
    expect(bins.map((bin) => bin.bin)).toEqual(["0.0-0.1", "0.1-0.2", "0.2-0.3", "0.3-0.4", "0.4-0.5", "0.5-0.6", "0.6-0.7", "0.7-0.8", "0.8-0.9", "0.9-1.0"]);
    expect(bins[0]).toEqual({ bin: "0.0-0.1", count: 2, mean_confidence: 0.05, ai_fraction: 0.5 });
    expect(bins[1]).toEqual({ bin: "0.1-0.2", count: 1, mean_confidence: 0.15, ai_fraction: 0 });
    expect(bins[2]).toEqual({ bin: "0.2-0.3", count: 0, mean_confidence: null, ai_fraction: null });
    expect(bins[6]).toEqual({ bin: "0.6-0.7", count: 2, mean_confidence: 0.6, ai_fraction: 0.5 });
    expect(bins[9]).toEqual({ bin: "0.9-1.0", count: 2, mean_confidence: 0.975, ai_fraction: 1 });
    // (2 · |0.05 − 0.5| + 1 · |0.15 − 0| + 2 · |0.6 − 0.5| + 2 · |0.975 − 1|) / 7 = 1.3 / 7
    expect(ece).toBe(0.1857);
  });

  it("puts a score on a bin edge in the upper bin", () => {
    const { bins } = calibrationTable([...ai(0.3, 0.7), ...human(0.1)]);
    expect(bins.filter((bin) => bin.count > 0).map((bin) => bin.bin)).toEqual(["0.1-0.2", "0.3-0.4", "0.7-0.8"]);
  });

  it("is all empty bins and ECE 0 without examples; a perfectly calibrated set has ECE 0", () => {
    expect(calibrationTable([]).ece).toBe(0);
    expect(calibrationTable([]).bins.every((bin) => bin.count === 0 && bin.mean_confidence === null)).toBe(true);
    expect(calibrationTable([...ai(1, 1), ...human(0, 0)]).ece).toBe(0);
  });
});

describe("summariseByFile", () => {
  it("counts each file at the threshold, with null rates where a class is missing", () => {
    const examples = [
      example("ai", 0.9, { source: "a.jsonl" }),
      example("ai", 0.2, { source: "a.jsonl" }),
      example("human", 0.5, { source: "a.jsonl" }),
      example("human", 0.1, { source: "a.jsonl" }),
      example("human", 0.6, { source: "b.jsonl" }),
    ];
    expect(summariseByFile(examples, 0.5)).toEqual({
      "a.jsonl": { n: 4, ai: 2, human: 2, flagged: 2, fpr: 0.5, recall: 0.5 },
      "b.jsonl": { n: 1, ai: 0, human: 1, flagged: 1, fpr: 1, recall: null },
    });
  });
});

describe("summariseByRepository", () => {
  const examples = [
    example("ai", 0.9, { repo: "o/agent", writtenLines: 100 }),
    example("ai", 0.4, { repo: "o/agent", writtenLines: 50 }),
    example("ai", 0.5, { repo: "o/both", writtenLines: 10 }),
    example("human", 0.2, { repo: "o/both", writtenLines: 30 }),
    example("human", 0.1, { repo: "o/people", writtenLines: 0 }),
    example("human", 0, { repo: "o/people", writtenLines: 0 }),
  ];
  const summary = summariseByRepository(examples, 0.5);

  it("labels, counts and flags each repository (a score equal to the threshold is flagged)", () => {
    expect(Object.keys(summary)).toEqual(["o/agent", "o/both", "o/people"]);
    expect(summary["o/agent"]).toMatchObject({ label: "ai", n: 2, flagged: 1, lines_added: 150 });
    expect(summary["o/both"]).toMatchObject({ label: "mixed", n: 2, flagged: 1, lines_added: 40 });
    expect(summary["o/people"]).toMatchObject({ label: "human", n: 2, flagged: 0, lines_added: 0 });
  });

  it("takes the AI share from estimateAiShare, one item per commit at the training prior", () => {
    for (const repo of ["o/agent", "o/both"]) {
      const items = examples.filter((entry) => entry.repo === repo).map((entry) => ({ confidence: entry.confidence, lines: entry.writtenLines }));
      const estimate = estimateAiShare(items, { trainingPrior: DETECTOR_TRAINING_PRIOR });
      expect(summary[repo]).toMatchObject({
        ai_lines: Math.round(estimate.aiLines * 10_000) / 10_000,
        ai_share: Math.round((estimate.share ?? 0) * 10_000) / 10_000,
        ai_share_low: Math.round((estimate.low ?? 0) * 10_000) / 10_000,
        ai_share_high: Math.round((estimate.high ?? 0) * 10_000) / 10_000,
      });
    }
    // No written lines: the estimate has no share, which the report shows as 0.
    expect(summary["o/people"]).toMatchObject({ ai_lines: 0, ai_share: 0, ai_share_low: 0, ai_share_high: 0 });
  });
});

describe("evaluateDetections", () => {
  it("adds the per-file, per-repository, recall-at-FPR and calibration sections to the confusion counts", () => {
    const examples = [...ai(0.9, 0.6, 0.2), ...human(0.7, 0.1, 0)];
    const report = evaluateDetections(examples, 0.5);
    expect(report).toMatchObject({ n: 6, ai: 3, human: 3, tp: 2, fp: 1, tn: 2, fn: 1, recall: 0.6667, fpr: 0.3333 });
    expect(report.auc).toBe(Math.round(rocAuc(examples) * 10_000) / 10_000);
    expect(report.by_file).toEqual({ "a.jsonl": { n: 6, ai: 3, human: 3, flagged: 3, fpr: 0.3333, recall: 0.6667 } });
    expect(report.by_repo["o/r"]).toMatchObject({ label: "mixed", n: 6, flagged: 3, lines_added: 60 });
    // Three humans: every target under 1/3 allows none, so only the 0.9 commit is caught.
    expect(report.recall_at_fpr).toEqual({ "0.001": 0.3333, "0.005": 0.3333, "0.01": 0.3333, "0.02": 0.3333 });
    expect(report.threshold_at_fpr).toEqual({ "0.001": 0.9, "0.005": 0.9, "0.01": 0.9, "0.02": 0.9 });
    expect(report.calibration.reduce((sum, bin) => sum + bin.count, 0)).toBe(6);
    expect(report.ece).toBe(calibrationTable(examples).ece);
  });
});
