import type { Tier } from "../risk/tiers.ts";

/** What the ranking needs to know about one candidate commit. */
export interface SuspectFacts {
  sha: string;
  /** When the commit landed (committed, else authored): ISO time. */
  landedAt: string;
  /** The commit's AI confidence (0–1). */
  aiConfidence: number;
  /** The highest risk tier among the commit's AI-written files that hold written lines; null when it has none. */
  aiRiskTier: Tier | null;
}

export interface RankedSuspect<T extends SuspectFacts> {
  suspect: T;
  /** 0–1: risk weight × AI confidence × closeness. */
  score: number;
  /** Among the top ones the form ticks (see PRETICK_LIMIT and PRETICK_FLOOR). */
  preticked: boolean;
}

/**
 * How much a commit's riskiest AI-written file weighs: a T4 change can take production down, a T1 change (tests,
 * docs, config) rarely does. Linear in the tier, so each tier up counts as much as the one before. A commit with no
 * AI-written file gets a tenth: the ranking looks for AI-written causes, and such a commit is one only if its
 * confidence is wrong.
 */
export const RISK_WEIGHT: Record<Tier, number> = { 1: 0.25, 2: 0.5, 3: 0.75, 4: 1 };
export const NO_AI_FILE_WEIGHT = 0.1;

/**
 * Closeness halves every two days before the start. Exponential because it is memoryless: each day a change runs
 * without failing counts as the same evidence against it, whatever its age, and it never reaches zero, so an old
 * critical change sinks down the list rather than dropping off it. Two days because a day-old change should still
 * compete with one from this morning (it may have reached production only now) and because the form looks back 48
 * hours when a repository records no deployment; a week-old change keeps under a tenth of its weight.
 */
export const CLOSENESS_HALF_LIFE_HOURS = 48;

/** The form ticks at most this many suspects: a short list someone will check, not a dragnet. */
export const PRETICK_LIMIT = 3;

/**
 * …and only those scoring at least this: it keeps a T4 AI-written commit at 0.5 confidence for about four and a half
 * days, a T1 one at 0.8 for two. A commit without AI-written files reaches it only at a certain confidence from the
 * very hour of the start (0.1 × 1 × 1), which such a commit does not have.
 */
export const PRETICK_FLOOR = 0.1;

/** Closeness (0–1] of a commit that landed at `landedAt` to an incident starting at `startedAt`; 1 at or after the start. */
export function closeness(landedAt: Date, startedAt: Date): number {
  const hours = Math.max(0, startedAt.getTime() - landedAt.getTime()) / 3_600_000;
  return 0.5 ** (hours / CLOSENESS_HALF_LIFE_HOURS);
}

/**
 * A candidate's score: risk weight of its riskiest AI-written file × its AI confidence × its closeness to the start.
 * A product, so a commit must be all three — risky, AI-written and recent — to rank high: one factor near zero
 * (a human commit, a docs change, a month-old commit) sinks it whatever the others say.
 */
export function suspectScore(facts: SuspectFacts, startedAt: Date): number {
  const weight = facts.aiRiskTier === null ? NO_AI_FILE_WEIGHT : RISK_WEIGHT[facts.aiRiskTier];
  return weight * clamp01(facts.aiConfidence) * closeness(new Date(facts.landedAt), startedAt);
}

/**
 * Candidates best first, the top PRETICK_LIMIT scoring at least PRETICK_FLOOR ticked. Ties (equal scores) go to the
 * commit that landed later, then to the smaller sha, so the same history always gives the same list.
 */
export function rankSuspects<T extends SuspectFacts>(candidates: readonly T[], startedAt: Date): RankedSuspect<T>[] {
  return candidates
    .map((suspect) => ({ suspect, score: suspectScore(suspect, startedAt), landed: Date.parse(suspect.landedAt) }))
    .sort((a, b) => b.score - a.score || b.landed - a.landed || (a.suspect.sha < b.suspect.sha ? -1 : a.suspect.sha > b.suspect.sha ? 1 : 0))
    .map(({ suspect, score }, index) => ({ suspect, score, preticked: index < PRETICK_LIMIT && score >= PRETICK_FLOOR }));
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
