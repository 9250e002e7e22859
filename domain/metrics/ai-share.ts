/**
 * AI share of written lines as an estimate, not a count of thresholded commits.
 *
 * The detector's confidence is calibrated at the class balance it was fitted on (`trainingPrior`, about one agent
 * commit in two). A repository's own share of agent commits is usually far from that: a project that bans AI tools
 * has none, an agent's sandbox has nearly all. Counting every line of every commit at or above 0.5 lets a handful of
 * large, uncertain commits decide the number; summing lines × confidence lets the many commits with a weak, shared
 * tell (confidence 0.2–0.4 at a 50 % prior) add up to a share no human repository has.
 *
 * So the repository's own prior π is estimated first, by expectation–maximisation over its commits' confidences
 * (Saerens, Latinne & Decaestecker, "Adjusting the outputs of a classifier to new a priori probabilities", Neural
 * Computation 14(1), 2002): re-weight each confidence from the training prior to π, set π to the mean re-weighted
 * confidence, repeat. A repository with no agent activity drives its own π toward zero, and with it every commit's
 * adjusted confidence; one with markers on most commits keeps π near one. The share is then the expected number of
 * AI lines under the adjusted confidences, Σ lines × p′, over all written lines.
 *
 * The range comes from the uncertainty of π: a 95 % profile-likelihood interval of the mixture likelihood, mapped
 * through the share (which rises with π). Items can be single commits or confidence bins
 * (a rollup's count of commits, their lines and their mean confidence): the arithmetic is the same with weights.
 */

export interface ShareItem {
  /** Calibrated confidence at the detector's training prior, in [0, 1]. */
  confidence: number;
  /** Written lines: additions that count toward share (no lockfiles, generated, translation, whitespace-only). */
  lines: number;
  /** How many commits this item stands for (1 for a single commit; a bin's count). */
  commits?: number;
}

export interface AiShareEstimate {
  /** Estimated AI share of written lines, 0–1; null when there are no written lines. */
  share: number | null;
  /** Plausible range (about 95 %) of the share; equal to `share` when the data cannot narrow it. */
  low: number | null;
  high: number | null;
  /** Expected AI-written lines, Σ lines × adjusted confidence. */
  aiLines: number;
  lines: number;
  commits: number;
  /** The repository's estimated share of agent commits. */
  prior: number;
}

export interface EstimateOptions {
  /** The class balance the detector's confidences are calibrated at. */
  trainingPrior?: number;
  maxIterations?: number;
}

/** Confidences are kept off 0 and 1 so a likelihood ratio stays finite (a marker's 0.999 still dominates). */
const EPSILON = 1e-6;
/** Below this the prior is zero for every practical purpose; stopping here keeps EM from crawling toward 0. */
const MIN_PRIOR = 1e-5;

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** A confidence calibrated at `trainingPrior`, re-weighted to `prior` (Bayes' rule on the odds). */
export function adjustConfidence(confidence: number, prior: number, trainingPrior: number): number {
  const p = clamp(confidence, EPSILON, 1 - EPSILON);
  const positive = (prior / trainingPrior) * p;
  const negative = ((1 - prior) / (1 - trainingPrior)) * (1 - p);
  return positive / (positive + negative);
}

interface Prepared {
  p: number;
  weight: number;
  lines: number;
}

function fitPrior(items: readonly Prepared[], totalWeight: number, trainingPrior: number, maxIterations: number): number {
  let prior = trainingPrior;
  for (let iteration = 0; iteration < maxIterations; iteration += 1) {
    let sum = 0;
    for (const item of items) sum += item.weight * adjustConfidence(item.p, prior, trainingPrior);
    const next = clamp(sum / totalWeight, MIN_PRIOR, 1 - MIN_PRIOR);
    if (Math.abs(next - prior) < 1e-7) return next;
    prior = next;
  }
  return prior;
}

/** The mixture log-likelihood Σ w log(π f₁ + (1 − π) f₀), where f₁ ∝ p / π₀ and f₀ ∝ (1 − p) / (1 − π₀). */
function logLikelihood(items: readonly Prepared[], prior: number, trainingPrior: number): number {
  let sum = 0;
  for (const item of items) sum += item.weight * Math.log((prior * item.p) / trainingPrior + ((1 - prior) * (1 - item.p)) / (1 - trainingPrior));
  return sum;
}

/** χ²₁ at 95 % halved: the drop in log-likelihood that bounds a 95 % profile-likelihood interval. */
const LIKELIHOOD_DROP = 1.92;

/**
 * The priors whose likelihood is within LIKELIHOOD_DROP of the best: a profile-likelihood interval. Unlike ±1.96 SE it
 * behaves at the edges, where a repository with no agent activity puts its prior. The log-likelihood is concave in π,
 * so each bound is found by bisection.
 */
function priorInterval(items: readonly Prepared[], prior: number, trainingPrior: number): [number, number] {
  const floor = logLikelihood(items, prior, trainingPrior) - LIKELIHOOD_DROP;
  const bound = (inside: number, outside: number): number => {
    if (logLikelihood(items, outside, trainingPrior) >= floor) return outside;
    let good = inside;
    let bad = outside;
    for (let step = 0; step < 50; step += 1) {
      const middle = (good + bad) / 2;
      if (logLikelihood(items, middle, trainingPrior) >= floor) good = middle;
      else bad = middle;
    }
    return good;
  };
  return [bound(prior, MIN_PRIOR), bound(prior, 1 - MIN_PRIOR)];
}

function expectedAiLines(items: readonly Prepared[], prior: number, trainingPrior: number): number {
  let ai = 0;
  for (const item of items) ai += item.lines * adjustConfidence(item.p, prior, trainingPrior);
  return ai;
}

export function estimateAiShare(items: readonly ShareItem[], options: EstimateOptions = {}): AiShareEstimate {
  const trainingPrior = clamp(options.trainingPrior ?? 0.5, 0.01, 0.99);
  const prepared: Prepared[] = [];
  let lines = 0;
  let commits = 0;
  for (const item of items) {
    const weight = item.commits ?? 1;
    if (!(weight > 0) || !Number.isFinite(item.confidence)) continue;
    const itemLines = Number.isFinite(item.lines) && item.lines > 0 ? item.lines : 0;
    prepared.push({ p: clamp(item.confidence, EPSILON, 1 - EPSILON), weight, lines: itemLines });
    lines += itemLines;
    commits += weight;
  }
  if (commits === 0) return { share: null, low: null, high: null, aiLines: 0, lines: 0, commits: 0, prior: 0 };

  const prior = fitPrior(prepared, commits, trainingPrior, options.maxIterations ?? 500);
  const aiLines = expectedAiLines(prepared, prior, trainingPrior);
  if (lines === 0) return { share: null, low: null, high: null, aiLines: 0, lines: 0, commits, prior };

  const [lowPrior, highPrior] = priorInterval(prepared, prior, trainingPrior);
  return {
    share: aiLines / lines,
    low: expectedAiLines(prepared, lowPrior, trainingPrior) / lines,
    high: expectedAiLines(prepared, highPrior, trainingPrior) / lines,
    aiLines,
    lines,
    commits,
    prior,
  };
}
