export { signalLabel } from "../../domain/detection/signal-labels.ts";

/**
 * A probability (the detector's confidence that a commit, a file or a suspect is AI-written) in whole percents, the one
 * place every page formats one. Rounding alone would show 0.998 as "100 %" next to text saying a confidence never
 * reaches it (issue 19): a probability strictly between 0 and 1 reads "> 99 %" or "< 1 %" at the ends, and only an
 * exact 1 or 0 reads "100 %" or "0 %".
 */
export function formatConfidence(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (value >= 1) return "100 %";
  if (value <= 0) return "0 %";
  if (value >= 0.995) return "> 99 %";
  if (value < 0.005) return "< 1 %";
  return `${Math.round(value * 100)} %`;
}

export const TIER_LABELS: Record<number, string> = {
  1: "T1 Boilerplate",
  2: "T2 Glue",
  3: "T3 Core",
  4: "T4 Critical",
};
