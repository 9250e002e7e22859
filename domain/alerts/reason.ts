import { z } from "zod";
import type { AlertRuleName } from "./settings.ts";

/**
 * The one sentence that says why an alert fired, built from the numbers a rule stores in `alerts.details`. The rules
 * (rules.ts) call it to write the message Slack, email and PagerDuty carry; the alerts list and the alert page call it
 * with the stored details — so every place says the same thing in the same words, and the wording lives only here.
 */

/** Alert messages round like a person would: whole numbers from 10 up, one decimal below. */
const roundForMessage = (value: number) => (Math.abs(value) >= 10 ? Math.round(value) : Math.round(value * 10) / 10);

/** "95 %", "7.5 %" in alert messages (the dashboard's fixed-decimal percentages are app/utils/format.ts's formatPercent). */
export function formatMessagePercent(value: number): string {
  return `${roundForMessage(value)} %`;
}

const points = (value: number) => `${roundForMessage(value)} points`;

const num = z.number().finite();

/** What each rule's sentence reads from its details; a rule's other details (lines, window, asOf) are for the alert page. */
export const reasonDetailsSchemas = {
  ai_code_critical: z.object({ aiSharePercent: num, thresholdPercent: num }),
  ai_share_spike: z.object({ previousSharePercent: num, currentSharePercent: num, increasePoints: num, thresholdPoints: num }),
  ai_tax_high: z.object({ aiTaxPercent: num, humanTaxPercent: num, thresholdPercent: num, humanRatio: num }),
  survival_drop: z.object({ aiSurvivalPercent: num, humanSurvivalPercent: num, gapPoints: num, thresholdPoints: num }),
  review_queue_saturated: z.object({ waiting: num, maxWaiting: num, oldestWaitHours: num.nullable(), maxOldestWaitHours: num }),
  high_risk_deployed: z.object({
    environment: z.string(),
    riskyFiles: num,
    riskyCommits: z.array(z.string()),
    newCommits: num,
    minAiConfidence: num,
    minRiskTier: num,
  }),
  incident_ai_attributed: z.object({ aiSharePercent: num, thresholdPercent: num }),
  ai_high_risk_merged_without_review: z.object({
    unreviewed: num,
    aiHighRiskMerged: num,
    minPullRequests: num,
    windowDays: num,
    pullRequests: z.array(z.object({ number: num })),
  }),
} satisfies Record<AlertRuleName, z.ZodType>;

type ReasonDetails = { [Rule in AlertRuleName]: z.infer<(typeof reasonDetailsSchemas)[Rule]> };

const plural = (count: number, one: string, many: string) => (count === 1 ? one : many);

const SENTENCES: { [Rule in AlertRuleName]: (details: ReasonDetails[Rule]) => string } = {
  ai_code_critical: (d) => `${formatMessagePercent(d.aiSharePercent)} of critical code was AI-written (threshold ${formatMessagePercent(d.thresholdPercent)})`,
  ai_share_spike: (d) =>
    `AI-written share rose from ${formatMessagePercent(d.previousSharePercent)} to ${formatMessagePercent(d.currentSharePercent)} week over week, up ${points(d.increasePoints)} (threshold ${points(d.thresholdPoints)})`,
  ai_tax_high: (d) =>
    `Reworking AI-written code took ${formatMessagePercent(d.aiTaxPercent)} of changed lines against ${formatMessagePercent(d.humanTaxPercent)} for human code (threshold ${formatMessagePercent(d.thresholdPercent)} and ${d.humanRatio}× human)`,
  survival_drop: (d) =>
    `${formatMessagePercent(d.aiSurvivalPercent)} of AI-written lines survive 4 weeks against ${formatMessagePercent(d.humanSurvivalPercent)} of human lines, ${points(d.gapPoints)} lower (threshold ${points(d.thresholdPoints)})`,
  review_queue_saturated: (d) => {
    const parts: string[] = [];
    if (d.waiting > d.maxWaiting) parts.push(`${d.waiting} pull requests wait for a first review (threshold ${d.maxWaiting})`);
    if (d.oldestWaitHours !== null && d.oldestWaitHours > d.maxOldestWaitHours) {
      parts.push(`the oldest has waited ${Math.round(d.oldestWaitHours)} h (threshold ${d.maxOldestWaitHours} h)`);
    }
    // Neither bound crossed cannot come from the rule; say the numbers rather than nothing.
    const message = parts.length > 0 ? parts.join("; ") : `${d.waiting} pull requests wait for a first review (threshold ${d.maxWaiting})`;
    return message.charAt(0).toUpperCase() + message.slice(1);
  },
  high_risk_deployed: (d) => {
    const tierName = d.minRiskTier === 4 ? "critical (T4)" : `T${d.minRiskTier}+`;
    return `${d.riskyFiles} ${tierName} ${plural(d.riskyFiles, "file", "files")} with AI confidence ≥ ${d.minAiConfidence} went to ${d.environment} in ${d.riskyCommits.length} of ${d.newCommits} new ${plural(d.newCommits, "commit", "commits")}`;
  },
  incident_ai_attributed: (d) =>
    `${formatMessagePercent(d.aiSharePercent)} of the lines in the incident's suspected commits were AI-written (threshold ${formatMessagePercent(d.thresholdPercent)})`,
  ai_high_risk_merged_without_review: (d) => {
    const numbers = d.pullRequests.map((pr) => `#${pr.number}`);
    const listed = numbers.length < d.unreviewed ? `${numbers.join(", ")} and ${d.unreviewed - numbers.length} more` : numbers.join(", ");
    const days = d.windowDays === 1 ? "the last day" : `the last ${d.windowDays} days`;
    return `${d.unreviewed} of ${d.aiHighRiskMerged} pull requests with AI-written T3/T4 changes merged in ${days} had no review (${listed}; threshold ${d.minPullRequests})`;
  },
};

const isRule = (rule: string): rule is AlertRuleName => Object.hasOwn(SENTENCES, rule);

/** The reason sentence of a rule's details, or null when the rule is unknown or its details lack a number the sentence needs. */
export function ruleReason(rule: string, details: Record<string, unknown>): string | null {
  if (!isRule(rule)) return null;
  const parsed = reasonDetailsSchemas[rule].safeParse(details);
  if (!parsed.success) return null;
  return (SENTENCES[rule] as (details: unknown) => string)(parsed.data);
}

/**
 * Why an alert fired, for a person: the rule's sentence from its numbers; for a rule this version does not know or
 * details of an older shape, the message stored when it fired (what the notifications said); else its title.
 */
export function alertReason(alert: { rule: string; title: string; details: Record<string, unknown> | null }): string {
  const details = alert.details ?? {};
  return ruleReason(alert.rule, details) ?? (typeof details.message === "string" && details.message.trim() !== "" ? details.message : alert.title);
}
