import { describe, expect, it } from "vitest";
import { alertReason, reasonDetailsSchemas, ruleReason } from "./reason.ts";
import { ALERT_RULES, DEFAULT_ALERT_SETTINGS } from "./settings.ts";
import { evaluateAiShareSpike, evaluateHighRiskDeployed, type DailyRepoMetrics } from "./rules.ts";

/** Details as each rule stores them (rules.ts), with the numbers a team lead would see. */
const DETAILS: Record<(typeof ALERT_RULES)[number], { details: Record<string, unknown>; reason: string }> = {
  ai_code_critical: {
    details: { aiSharePercent: 95.2, thresholdPercent: 90, criticalLines: 400, aiCriticalLines: 381, windowDays: 7, asOf: "2026-06-14" },
    reason: "95 % of critical code was AI-written (threshold 90 %)",
  },
  ai_share_spike: {
    details: { currentSharePercent: 91.4, previousSharePercent: 63.2, increasePoints: 28.2, thresholdPoints: 20, currentLines: 900, previousLines: 700, asOf: "2026-06-14" },
    reason: "AI-written share rose from 63 % to 91 % week over week, up 28 points (threshold 20 points)",
  },
  ai_tax_high: {
    details: { aiTaxPercent: 14.6, humanTaxPercent: 4.25, thresholdPercent: 10, humanRatio: 1.5, changedLines: 5000, windowDays: 7, asOf: "2026-06-14" },
    reason: "Reworking AI-written code took 15 % of changed lines against 4.3 % for human code (threshold 10 % and 1.5× human)",
  },
  survival_drop: {
    details: { aiSurvivalPercent: 61, humanSurvivalPercent: 84, gapPoints: 23, thresholdPoints: 15, aiLinesBorn: 800, humanLinesBorn: 1200, asOf: "2026-06-14" },
    reason: "61 % of AI-written lines survive 4 weeks against 84 % of human lines, 23 points lower (threshold 15 points)",
  },
  review_queue_saturated: {
    details: { waiting: 14, maxWaiting: 10, oldestWaitHours: 72.4, maxOldestWaitHours: 48, takenAt: "2026-06-14T09:00:00Z" },
    reason: "14 pull requests wait for a first review (threshold 10); the oldest has waited 72 h (threshold 48 h)",
  },
  high_risk_deployed: {
    details: {
      deploymentId: "d-1",
      sha: "b".repeat(40),
      previousSha: "a".repeat(40),
      environment: "production",
      riskyFiles: 2,
      riskyFilePaths: ["src/auth/session.ts", "src/payments/charge.ts"],
      riskyCommits: ["c".repeat(40)],
      newCommits: 3,
      minAiConfidence: 0.8,
      minRiskTier: 4,
    },
    reason: "2 critical (T4) files with AI confidence ≥ 0.8 went to production in 1 of 3 new commits",
  },
  incident_ai_attributed: {
    details: { incidentId: "6c1d1d3e-6a55-4a4e-9a43-5f2a1c1b0e11", incidentTitle: "Checkout down", aiSharePercent: 72.5, thresholdPercent: 50, lines: 200, aiLines: 145, suspectedCommits: 2 },
    reason: "73 % of the lines in the incident's suspected commits were AI-written (threshold 50 %)",
  },
  ai_high_risk_merged_without_review: {
    details: {
      unreviewed: 3,
      aiHighRiskMerged: 4,
      minPullRequests: 1,
      windowDays: 7,
      pullRequests: [
        { number: 12, title: "Token refresh", mergedAt: "2026-06-13T10:00:00Z", aiHighRiskFiles: 2 },
        { number: 15, title: "Billing retry", mergedAt: "2026-06-12T10:00:00Z", aiHighRiskFiles: 1 },
      ],
      asOf: "2026-06-14",
    },
    reason: "3 of 4 pull requests with AI-written T3/T4 changes merged in the last 7 days had no review (#12, #15 and 1 more; threshold 1)",
  },
};

describe("alertReason", () => {
  it("covers every rule the settings know", () => {
    expect(Object.keys(reasonDetailsSchemas).sort()).toEqual([...ALERT_RULES].sort());
    expect(Object.keys(DETAILS).sort()).toEqual([...ALERT_RULES].sort());
  });

  it.each(ALERT_RULES.map((rule) => [rule, DETAILS[rule]] as const))("%s: says why from the stored numbers", (rule, { details, reason }) => {
    expect(alertReason({ rule, title: "title", details })).toBe(reason);
  });

  it("names only the review-queue bound that was crossed", () => {
    expect(ruleReason("review_queue_saturated", { waiting: 3, maxWaiting: 10, oldestWaitHours: 50, maxOldestWaitHours: 48 })).toBe("The oldest has waited 50 h (threshold 48 h)");
    expect(ruleReason("review_queue_saturated", { waiting: 12, maxWaiting: 10, oldestWaitHours: null, maxOldestWaitHours: 48 })).toBe("12 pull requests wait for a first review (threshold 10)");
  });

  it("is the sentence the notifications carry: a rule's candidate message and the stored details' reason agree", () => {
    const day = (date: string, written: number, ai: number): DailyRepoMetrics => ({
      date,
      linesAdded: written,
      writtenLines: written,
      aiLinesAdded: ai,
      linesDeleted: 0,
      linesByTier: null,
      aiLinesByTier: null,
      aiChurnLines: null,
      humanChurnLines: null,
    });
    const spike = evaluateAiShareSpike(
      { repo: { id: "r", fullName: "acme/api" }, asOf: "2026-06-14", daily: [day("2026-06-05", 1000, 630), day("2026-06-12", 1000, 910)], survival: null, reviewQueue: null },
      DEFAULT_ALERT_SETTINGS.ai_share_spike,
    )!;
    expect(spike.message).toBe("AI-written share rose from 63 % to 91 % week over week, up 28 points (threshold 20 points)");
    expect(alertReason({ rule: spike.rule, title: spike.title, details: { ...spike.details, message: spike.message } })).toBe(spike.message);

    const deployed = evaluateHighRiskDeployed(
      {
        repo: { id: "r", fullName: "acme/api" },
        deployment: { id: "d", sha: "b".repeat(40), environment: "production", previousSha: null },
        files: [{ commitSha: "c".repeat(40), filePath: "src/auth.ts", aiConfidence: 0.9, riskTier: 4, linesAdded: 10, countsTowardShare: true }],
      },
      DEFAULT_ALERT_SETTINGS.high_risk_deployed,
    )!;
    expect(alertReason({ rule: deployed.rule, title: deployed.title, details: deployed.details })).toBe(deployed.message);
  });

  it("falls back to the stored message, then to the title, for rules or details it cannot read", () => {
    expect(alertReason({ rule: "ai_share_high", title: "AI share high", details: { message: "AI share is 80 % (threshold 70 %)" } })).toBe("AI share is 80 % (threshold 70 %)");
    expect(alertReason({ rule: "ai_share_high", title: "AI share high", details: {} })).toBe("AI share high");
    // A known rule whose details miss a number (an older shape) keeps what was sent.
    expect(alertReason({ rule: "ai_code_critical", title: "AI-written critical code", details: { aiSharePercent: 95, message: "95 % (threshold 90 %)" } })).toBe("95 % (threshold 90 %)");
    expect(alertReason({ rule: "ai_code_critical", title: "AI-written critical code", details: null })).toBe("AI-written critical code");
    expect(alertReason({ rule: "toString", title: "Odd", details: {} })).toBe("Odd");
  });
});
