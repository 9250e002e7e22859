import type { Signal } from "./types.ts";

/** No single piece of evidence is proof: weights are clamped below 1 so a confidence never reaches 1. */
export const MAX_SIGNAL_WEIGHT = 0.99;

function clampWeight(weight: number): number {
  if (!Number.isFinite(weight) || weight <= 0) return 0;
  return Math.min(weight, MAX_SIGNAL_WEIGHT);
}

/**
 * Combines signals with diminishing returns ("noisy OR"): confidence = 1 − Π(1 − wᵢ).
 * Two strong signals of 0.9 make 0.99; 0.6 and 0.3 make 0.72.
 *
 * - bounded: every weight is clamped to [0, 0.99], so the result stays in [0, 1);
 * - monotonic: raising any weight, or adding a signal, never lowers the result;
 * - order-independent: signals with the same id count once (the strongest), and the factors are
 *   multiplied in sorted order so floating-point rounding cannot depend on the input order.
 *
 * Counting an id once matters: five bullet points must not become five independent pieces of evidence.
 */
export function combineSignals(signals: readonly Signal[]): number {
  const strongest = new Map<string, number>();
  for (const signal of signals) {
    const weight = clampWeight(signal.weight);
    if (weight > (strongest.get(signal.id) ?? 0)) strongest.set(signal.id, weight);
  }
  const weights = [...strongest.values()].sort((a, b) => a - b);
  let doubt = 1;
  for (const weight of weights) doubt *= 1 - weight;
  return 1 - doubt;
}

/** Keeps the strongest signal per id, strongest first; ties broken by id so output order is stable. */
export function dedupeSignals(signals: readonly Signal[]): Signal[] {
  const byId = new Map<string, Signal>();
  for (const signal of signals) {
    const current = byId.get(signal.id);
    if (!current || signal.weight > current.weight) byId.set(signal.id, signal);
  }
  return [...byId.values()].sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));
}
