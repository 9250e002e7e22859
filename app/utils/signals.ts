export { signalLabel } from "../../domain/detection/signal-labels.ts";

export function formatConfidence(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${Math.round(value * 100)} %`;
}

export const TIER_LABELS: Record<number, string> = {
  1: "T1 Boilerplate",
  2: "T2 Glue",
  3: "T3 Core",
  4: "T4 Critical",
};
