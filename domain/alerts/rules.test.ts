import { describe, expect, it } from "vitest";
import {
  computeIncidentAttribution,
  evaluateAiCodeCritical,
  evaluateAiHighRiskMergedWithoutReview,
  evaluateAiShareSpike,
  evaluateAiTaxHigh,
  evaluateHighRiskDeployed,
  evaluateIncidentAiAttributed,
  evaluateMetricRules,
  evaluateReviewQueueSaturated,
  evaluateSurvivalDrop,
  formatMessagePercent,
  type AttributedFile,
  type DailyRepoMetrics,
  type MetricRuleInput,
} from "./rules.ts";
import { DEFAULT_ALERT_SETTINGS, parseAlertSettings } from "./settings.ts";

const repo = { id: "11111111-1111-4111-8111-111111111111", fullName: "acme/api" };
const S = DEFAULT_ALERT_SETTINGS;

function day(date: string, fields: Partial<DailyRepoMetrics> = {}): DailyRepoMetrics {
  return {
    date,
    linesAdded: 0,
    aiLinesAdded: 0,
    linesDeleted: 0,
    linesByTier: null,
    aiLinesByTier: null,
    aiChurnLines: null,
    humanChurnLines: null,
    ...fields,
  };
}
const tiers = (t4: number) => ({ t1: 0, t2: 0, t3: 0, t4 });
const input = (daily: DailyRepoMetrics[], extra: Partial<MetricRuleInput> = {}): MetricRuleInput => ({
  repo,
  asOf: "2026-03-14",
  daily,
  survival: null,
  reviewQueue: null,
  ...extra,
});

describe("settings", () => {
  it("fills every default from an empty object and reports bad values by path", () => {
    expect(parseAlertSettings(undefined)).toEqual({ ok: true, settings: S });
    expect(S.ai_code_critical.thresholdPercent).toBe(90);
    expect(S.ai_share_spike.increasePoints).toBe(20);
    const partial = parseAlertSettings({ ai_code_critical: { thresholdPercent: 80 } });
    expect(partial.ok && partial.settings.ai_code_critical).toEqual({ enabled: true, thresholdPercent: 80, windowDays: 7, minLines: 20 });
    const bad = parseAlertSettings({ ai_code_critical: { thresholdPercent: 140 }, ai_tax_high: { enabled: "yes" } });
    expect(bad).toEqual({
      ok: false,
      fieldErrors: { "ai_code_critical.thresholdPercent": "must be 0–100", "ai_tax_high.enabled": expect.any(String) },
    });
  });
});

describe("ai_code_critical", () => {
  it.each([
    { name: "95 % of 100 critical lines", t4: 100, ai: 95, fires: "95 % of critical code was AI-written (threshold 90 %)" },
    { name: "exactly the threshold", t4: 100, ai: 90, fires: null },
    { name: "below the threshold", t4: 100, ai: 50, fires: null },
    { name: "too few critical lines", t4: 10, ai: 10, fires: null },
    { name: "no critical lines", t4: 0, ai: 0, fires: null },
  ])("$name", ({ t4, ai, fires }) => {
    const rows = [day("2026-03-13", { linesByTier: tiers(t4 / 2), aiLinesByTier: tiers(ai / 2) }), day("2026-03-14", { linesByTier: tiers(t4 / 2), aiLinesByTier: tiers(ai / 2) })];
    const candidate = evaluateAiCodeCritical(input(rows), S.ai_code_critical);
    expect(candidate?.message ?? null).toBe(fires);
    if (candidate) expect(candidate).toMatchObject({ severity: "critical", repoId: repo.id, details: { aiSharePercent: 95, thresholdPercent: 90, criticalLines: 100, aiCriticalLines: 95 } });
  });

  it("reads only the window ending at the evaluated day, and respects the switch", () => {
    const rows = [day("2026-03-07", { linesByTier: tiers(100), aiLinesByTier: tiers(100) }), day("2026-03-15", { linesByTier: tiers(100), aiLinesByTier: tiers(100) })];
    expect(evaluateAiCodeCritical(input(rows), S.ai_code_critical)).toBeNull();
    const inWindow = [day("2026-03-08", { linesByTier: tiers(100), aiLinesByTier: tiers(100) })];
    expect(evaluateAiCodeCritical(input(inWindow), S.ai_code_critical)).not.toBeNull();
    expect(evaluateAiCodeCritical(input(inWindow), { ...S.ai_code_critical, enabled: false })).toBeNull();
  });
});

describe("ai_share_spike", () => {
  const weeks = (previousAi: number, currentAi: number, lines = 200) => [
    day("2026-03-05", { linesAdded: lines, aiLinesAdded: (previousAi / 100) * lines }),
    day("2026-03-12", { linesAdded: lines, aiLinesAdded: (currentAi / 100) * lines }),
  ];
  it.each([
    { previous: 20, current: 45, fires: true },
    { previous: 20, current: 40, fires: false },
    { previous: 60, current: 30, fires: false },
  ])("$previous % → $current %: fires $fires", ({ previous, current, fires }) => {
    const candidate = evaluateAiShareSpike(input(weeks(previous, current)), S.ai_share_spike);
    expect(candidate !== null).toBe(fires);
    if (candidate) {
      expect(candidate.message).toBe("AI-written share rose from 20 % to 45 % week over week, up 25 points (threshold 20 points)");
      expect(candidate.details).toMatchObject({ previousSharePercent: 20, currentSharePercent: 45, increasePoints: 25 });
    }
  });
  it("needs enough lines in both weeks", () => {
    expect(evaluateAiShareSpike(input(weeks(0, 100, 50)), S.ai_share_spike)).toBeNull();
    expect(evaluateAiShareSpike(input([day("2026-03-12", { linesAdded: 500, aiLinesAdded: 500 })]), S.ai_share_spike)).toBeNull();
  });
});

describe("ai_tax_high", () => {
  it.each([
    { aiChurn: 30, humanChurn: 5, fires: "Reworking AI-written code took 15 % of changed lines against 2.5 % for human code (threshold 10 % and 1.5× human)" },
    { aiChurn: 30, humanChurn: 25, fires: null }, // high, but humans rework as much
    { aiChurn: 10, humanChurn: 0, fires: null }, // 5 %: below the threshold
  ])("AI churn $aiChurn, human churn $humanChurn", ({ aiChurn, humanChurn, fires }) => {
    const rows = [day("2026-03-14", { linesAdded: 150, linesDeleted: 50, aiChurnLines: aiChurn, humanChurnLines: humanChurn })];
    expect(evaluateAiTaxHigh(input(rows), S.ai_tax_high)?.message ?? null).toBe(fires);
  });
  it("ignores days whose churn is unknown", () => {
    expect(evaluateAiTaxHigh(input([day("2026-03-14", { linesAdded: 100 })]), S.ai_tax_high)).toBeNull();
  });
});

describe("survival_drop", () => {
  it.each([
    { ai: 0.6, human: 0.9, fires: "60 % of AI-written lines survive 4 weeks against 90 % of human lines, 30 points lower (threshold 15 points)" },
    { ai: 0.8, human: 0.9, fires: null },
    { ai: 0.95, human: 0.9, fires: null },
  ])("AI $ai vs human $human", ({ ai, human, fires }) => {
    const candidate = evaluateSurvivalDrop(input([], { survival: { ai: { survival: ai, linesBorn: 500 }, human: { survival: human, linesBorn: 800 } } }), S.survival_drop);
    expect(candidate?.message ?? null).toBe(fires);
  });
  it("needs both cohorts with enough lines", () => {
    expect(evaluateSurvivalDrop(input([], { survival: { ai: { survival: 0.1, linesBorn: 10 }, human: { survival: 0.9, linesBorn: 800 } } }), S.survival_drop)).toBeNull();
    expect(evaluateSurvivalDrop(input([], { survival: { ai: null, human: { survival: 0.9, linesBorn: 800 } } }), S.survival_drop)).toBeNull();
  });
});

describe("review_queue_saturated", () => {
  it.each([
    { waiting: 12, oldest: 60, fires: "12 pull requests wait for a first review (threshold 10)" },
    { waiting: 3, oldest: 50 * 60, fires: "The oldest has waited 50 h (threshold 48 h)" },
    { waiting: 11, oldest: 72 * 60, fires: "11 pull requests wait for a first review (threshold 10); the oldest has waited 72 h (threshold 48 h)" },
    { waiting: 10, oldest: 48 * 60, fires: null },
    { waiting: 0, oldest: null, fires: null },
  ])("$waiting waiting, oldest $oldest min", ({ waiting, oldest, fires }) => {
    const candidate = evaluateReviewQueueSaturated(input([], { reviewQueue: { takenAt: "2026-03-14T10:00:00.000Z", waiting, oldestWaitMinutes: oldest } }), S.review_queue_saturated);
    expect(candidate?.message ?? null).toBe(fires);
  });
});

describe("evaluateMetricRules", () => {
  it("runs only the rules of the job that wrote the metrics", () => {
    const everything = input([day("2026-03-14", { linesByTier: tiers(100), aiLinesByTier: tiers(100) })], {
      reviewQueue: { takenAt: "2026-03-14T10:00:00.000Z", waiting: 50, oldestWaitMinutes: 10 },
      survival: { ai: { survival: 0.1, linesBorn: 500 }, human: { survival: 0.9, linesBorn: 500 } },
    });
    expect(evaluateMetricRules(everything, S, "compute-metrics-daily").map((c) => c.rule)).toEqual(["ai_code_critical"]);
    expect(evaluateMetricRules(everything, S, "track-survival-weekly").map((c) => c.rule)).toEqual(["survival_drop"]);
    expect(evaluateMetricRules(everything, S, "monitor-saturation-hourly").map((c) => c.rule)).toEqual(["review_queue_saturated"]);
  });
});

const file = (fields: Partial<AttributedFile>): AttributedFile => ({
  commitSha: "a".repeat(40),
  filePath: "src/app.ts",
  aiConfidence: 0,
  riskTier: 1,
  linesAdded: 10,
  countsTowardShare: true,
  ...fields,
});

describe("high_risk_deployed", () => {
  const deployment = { id: "d1", sha: "b".repeat(40), environment: "production", previousSha: "c".repeat(40) };
  it.each([
    { name: "AI-written T4 file", files: [file({ riskTier: 4, aiConfidence: 0.9, filePath: "src/auth/session.ts" })], fires: true },
    { name: "confidence just under 0.8", files: [file({ riskTier: 4, aiConfidence: 0.79 })], fires: false },
    { name: "AI-written but T3", files: [file({ riskTier: 3, aiConfidence: 0.99 })], fires: false },
    { name: "no new commits", files: [], fires: false },
  ])("$name", ({ files, fires }) => {
    const candidate = evaluateHighRiskDeployed({ repo, deployment, files: [...files, file({ commitSha: "d".repeat(40) })] }, S.high_risk_deployed);
    expect(candidate !== null).toBe(fires);
    if (candidate) {
      expect(candidate.message).toBe("1 critical (T4) file with AI confidence ≥ 0.8 went to production in 1 of 2 new commits");
      expect(candidate.details).toMatchObject({ riskyFilePaths: ["src/auth/session.ts"], sha: deployment.sha, previousSha: deployment.previousSha });
    }
  });
});

describe("incident_ai_attributed", () => {
  const incident = { id: "i1", title: "Checkout down" };
  it("computes the share by tier, skipping lockfiles and generated files", () => {
    const files = [
      file({ riskTier: 4, aiConfidence: 0.9, linesAdded: 60 }),
      file({ riskTier: 2, aiConfidence: 0.2, linesAdded: 40 }),
      file({ riskTier: 1, aiConfidence: 0.99, linesAdded: 1000, countsTowardShare: false }),
    ];
    expect(computeIncidentAttribution(files)).toEqual({
      lines: 100,
      aiLines: 60,
      aiSharePercent: 60,
      byTier: { t1: { lines: 0, aiLines: 0 }, t2: { lines: 40, aiLines: 0 }, t3: { lines: 0, aiLines: 0 }, t4: { lines: 60, aiLines: 60 } },
    });
    expect(evaluateIncidentAiAttributed({ repo, incident, files }, S.incident_ai_attributed)?.message).toBe(
      "60 % of the lines in the incident's suspected commits were AI-written (threshold 50 %)",
    );
  });
  it.each([
    { name: "half AI is not mostly", ai: 50, fires: false },
    { name: "no suspects", ai: null, fires: false },
  ])("$name", ({ ai, fires }) => {
    const files = ai === null ? [] : [file({ aiConfidence: 0.9, linesAdded: ai }), file({ aiConfidence: 0.1, linesAdded: 100 - ai })];
    expect(evaluateIncidentAiAttributed({ repo, incident, files }, S.incident_ai_attributed) !== null).toBe(fires);
  });
});

describe("formatMessagePercent", () => {
  it.each([
    [95.4, "95 %"],
    [7.25, "7.3 %"],
    [0, "0 %"],
  ])("%s → %s", (value, text) => expect(formatMessagePercent(value)).toBe(text));
});

describe("ai_high_risk_merged_without_review", () => {
  const on = { ...S.ai_high_risk_merged_without_review, enabled: true };
  const merges = (unreviewed: number, aiHighRiskMerged = unreviewed) => ({
    aiHighRiskMerged,
    unreviewed,
    pullRequests: Array.from({ length: Math.min(unreviewed, 2) }, (_, i) => ({ number: 40 + i, title: `PR ${40 + i}`, mergedAt: "2026-03-14T10:00:00Z", aiHighRiskFiles: 1 })),
  });

  it("is off by default, and off it never fires", () => {
    expect(S.ai_high_risk_merged_without_review).toEqual({ enabled: false, windowDays: 1, minPullRequests: 1 });
    expect(evaluateAiHighRiskMergedWithoutReview(input([], { unreviewedAiMerges: merges(3) }), S.ai_high_risk_merged_without_review)).toBeNull();
  });

  it("fires when enough AI T3/T4 pull requests merged unreviewed, naming them and the counts", () => {
    const candidate = evaluateAiHighRiskMergedWithoutReview(input([], { unreviewedAiMerges: merges(3, 5) }), on);
    expect(candidate).toMatchObject({ rule: "ai_high_risk_merged_without_review", severity: "warning", repoId: repo.id, details: { unreviewed: 3, aiHighRiskMerged: 5 } });
    expect(candidate!.message).toBe("3 of 5 pull requests with AI-written T3/T4 changes merged in the last day had no review (#40, #41 and 1 more; threshold 1)");
  });

  it.each([
    [0, 1, false],
    [1, 1, true],
    [1, 2, false],
    [2, 2, true],
  ])("%i unreviewed against a minimum of %i fires: %s", (unreviewed, minPullRequests, fires) => {
    expect(evaluateAiHighRiskMergedWithoutReview(input([], { unreviewedAiMerges: merges(unreviewed) }), { ...on, minPullRequests }) !== null).toBe(fires);
  });

  it("says nothing without the window's merges, and runs after the daily metrics", () => {
    expect(evaluateAiHighRiskMergedWithoutReview(input([]), on)).toBeNull();
    const settings = { ...S, ai_high_risk_merged_without_review: on };
    expect(evaluateMetricRules(input([], { unreviewedAiMerges: merges(1) }), settings, "compute-metrics-daily").map((c) => c.rule)).toEqual(["ai_high_risk_merged_without_review"]);
    expect(evaluateMetricRules(input([], { unreviewedAiMerges: merges(1) }), settings, "monitor-saturation-hourly")).toEqual([]);
  });

  it("refuses a window outside 1–30 days as a field error", () => {
    expect(parseAlertSettings({ ai_high_risk_merged_without_review: { windowDays: 31 } })).toEqual({ ok: false, fieldErrors: { "ai_high_risk_merged_without_review.windowDays": "must be 1–30" } });
  });
});
