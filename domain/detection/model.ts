import type { Tell } from "./signals.ts";
import type { Signal } from "./types.ts";

/**
 * The weights of the named tells: a logistic regression over binary features, fitted by `npm run fit:detector`
 * (scripts/fit-detector.ts) on every labelled commit with markers stripped, each weight the tell's log-odds. No family
 * of tells reaches 0.5 on its own (familyCap, ADR 011). Regenerate the block with the script's --write; do not edit
 * the numbers by hand.
 */
export interface DetectorModel {
  intercept: number;
  weights: Readonly<Record<string, number>>;
  /** Share of agent commits in the data the model was fitted on: the class balance its confidences are calibrated at. */
  trainingPrior: number;
  /** Platt scaling of the capped log-odds, fitted on out-of-fold predictions: confidence = σ(scale · logit + shift). */
  calibration: { scale: number; shift: number };
}

// BEGIN FITTED MODEL
export const DETECTOR_MODEL: DetectorModel = {
  intercept: -1.003,
  weights: {
    "message-area-prefix": -0.25,
    "message-bullets": 0.281,
    "message-conventional-explained": 0.534,
    "message-conventional-subject": 0.059,
    "message-explanation-phrases": 0.276,
    "message-hanging-bullets": 0.039,
    "message-list-under-prose": 0.204,
    "message-long-body": 0.255,
    "message-long-subject": 0.576,
    "message-markdown": 0.128,
    "message-one-line": 0.095,
    "message-pr-number": -0.691,
    "message-signed-off": -0.339,
    "message-squash-log": -0.001,
    "message-typographic": 0.227,
    "message-vocabulary": 0.149,
    "style-aside": 0.312,
    "style-comment-density": 0.109,
    "style-explanatory-comments": 0.293,
    "style-generic-names": 0.12,
    "style-narration": 0.28,
    "style-semicolon-clauses": 0.18,
    "style-test-steps": 0.186,
    "style-typographic": 0.519,
    "time-of-day": 0.04,
    "velocity-burst": 0.5,
    "velocity-fast": 0.174,
  },
  trainingPrior: 0.438,
  calibration: { scale: 1, shift: 0 },
};
// END FITTED MODEL

/**
 * Tells come in families — what the message looks like, what the code's comments look like, when and how fast it was
 * committed. Within a family the tells are not independent (a long explained body also has explanation phrases), and
 * a careful person can fill a whole family: the Angular team's Conventional-Commits bodies read like an agent's. So a
 * family's summed log-odds is capped just short of even odds: no single family of hunches decides alone, two agreeing
 * families can. The fit (scripts/fit-detector.ts) learns the weights under the same cap.
 */
export const FAMILIES = ["message", "style", "timing"] as const;
export type Family = (typeof FAMILIES)[number];
/** How far below even odds a family on its own stays, in log-odds (0.2 ≈ a confidence of 0.45 at most). */
export const FAMILY_MARGIN = 0.2;

export function familyOf(id: string): Family {
  if (id.startsWith("message-")) return "message";
  if (id.startsWith("style-")) return "style";
  return "timing";
}

/** The most a family may add to the log-odds: the intercept plus the cap stays FAMILY_MARGIN below even odds. */
export function familyCap(intercept: number): number {
  // Never below zero: were a refit to put the intercept above even odds, a tell for an agent must still not lower it.
  return Math.max(0, -intercept - FAMILY_MARGIN);
}

export function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

function formatOdds(odds: number): string {
  if (odds >= 10) return `×${Math.round(odds)} odds`;
  if (odds >= 0.995) return `×${odds.toFixed(1)} odds`;
  return `×${odds.toFixed(2)} odds`;
}

export interface ScoredTells {
  /** Probability that an agent wrote the commit from the tells alone, at the training prior. */
  probability: number;
  /** One signal per tell the model knows, strongest first; a tell with no weight is left out. */
  signals: Signal[];
}

/**
 * Adds up the tells' log-odds. Each becomes a readable signal: its evidence with the factor it multiplies the odds by,
 * and as weight the probability it would give alone (above the baseline when it points to an agent, below when to a
 * person).
 */
export function scoreTells(tells: readonly Tell[], model: DetectorModel = DETECTOR_MODEL): ScoredTells {
  const signals: Signal[] = [];
  const seen = new Set<string>();
  const sums = new Map<Family, number>();
  for (const tell of tells) {
    const weight = model.weights[tell.id];
    if (weight === undefined || weight === 0 || seen.has(tell.id)) continue;
    seen.add(tell.id);
    const family = familyOf(tell.id);
    sums.set(family, (sums.get(family) ?? 0) + weight);
    const odds = Math.exp(weight);
    signals.push({ id: tell.id, weight: sigmoid(model.intercept + weight), odds, evidence: `${tell.evidence} (${formatOdds(odds)})` });
  }
  const cap = familyCap(model.intercept);
  let logit = model.intercept;
  for (const [family, sum] of sums) {
    if (sum <= cap) {
      logit += sum;
      continue;
    }
    logit += cap;
    signals.push({ id: `${family}-capped`, weight: 0, evidence: `${family} tells together capped at ×${Math.exp(cap).toFixed(1)} odds: one family of hunches never decides alone` });
  }
  signals.sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));
  return { probability: sigmoid(model.calibration.scale * logit + model.calibration.shift), signals };
}
