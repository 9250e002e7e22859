/**
 * Survival of written lines (git-of-theseus, docs/detection.md): a Kaplan–Meier estimate over line lifetimes, with
 * lines still alive (or whose file became unknown) censored at the time they were last seen, and a half-life from
 * an exponential fit.
 */
import { DAY_MS } from "./time.ts";
import type { LineFate } from "./provenance.ts";

export interface Lifetime {
  /** Time from birth to death or censoring, in days (≥ 0). */
  days: number;
  /** True for a death, false when censored (alive at the end, or lost). */
  died: boolean;
  /** How many lines share this lifetime. */
  count: number;
}

export interface KaplanMeierPoint {
  days: number;
  survival: number;
  atRisk: number;
  deaths: number;
}

/**
 * Product-limit estimate: at each distinct death time t, S(t) = S(t−) × (1 − deaths(t) ÷ at risk(t)). Lines
 * censored at t are still at risk at t (deaths are taken to come first, the usual convention).
 */
export function kaplanMeier(lifetimes: readonly Lifetime[]): KaplanMeierPoint[] {
  const byTime = new Map<number, { deaths: number; censored: number }>();
  let atRisk = 0;
  for (const lifetime of lifetimes) {
    if (lifetime.count <= 0) continue;
    if (!(lifetime.days >= 0)) throw new RangeError(`lifetime must be ≥ 0 days, got ${lifetime.days}`);
    atRisk += lifetime.count;
    const entry = byTime.get(lifetime.days) ?? { deaths: 0, censored: 0 };
    if (lifetime.died) entry.deaths += lifetime.count;
    else entry.censored += lifetime.count;
    byTime.set(lifetime.days, entry);
  }
  const points: KaplanMeierPoint[] = [];
  let survival = 1;
  for (const days of [...byTime.keys()].sort((a, b) => a - b)) {
    const { deaths, censored } = byTime.get(days)!;
    if (deaths > 0) {
      survival *= 1 - deaths / atRisk;
      points.push({ days, survival, atRisk, deaths });
    }
    atRisk -= deaths + censored;
  }
  return points;
}

/** S(t) read off a Kaplan–Meier step curve (1 before the first death). */
export function survivalAt(curve: readonly KaplanMeierPoint[], days: number): number {
  let survival = 1;
  for (const point of curve) {
    if (point.days > days) break;
    survival = point.survival;
  }
  return survival;
}

/**
 * Half-life of an exponential fit by maximum likelihood with censoring: λ = deaths ÷ total time at risk, half-life
 * = ln 2 ÷ λ. Null when nothing died (no decay observed, the half-life is unbounded).
 */
export function exponentialHalfLife(lifetimes: readonly Lifetime[]): number | null {
  let deaths = 0;
  let exposure = 0;
  for (const lifetime of lifetimes) {
    if (lifetime.died) deaths += lifetime.count;
    exposure += lifetime.days * lifetime.count;
  }
  if (deaths === 0) return null;
  if (exposure === 0) return 0;
  return (Math.LN2 * exposure) / deaths;
}

export const SURVIVAL_WEEKS = [1, 2, 4, 8, 12] as const;

export interface CohortSurvival {
  /** Local Monday the cohort's week starts on. */
  cohortWeek: string;
  authorKind: "ai" | "human";
  linesBorn: number;
  linesDied: number;
  linesLost: number;
  /** Kaplan–Meier S(k weeks) for k in SURVIVAL_WEEKS; null while the cohort is younger than k weeks. */
  survivalByWeeks: Record<(typeof SURVIVAL_WEEKS)[number], number | null>;
  halfLifeDays: number | null;
  curve: { days: number; survival: number }[];
}

/**
 * Groups line fates into weekly cohorts by birth (`cohortOf` maps a birth instant to its local week) and AI vs
 * human, and estimates each cohort's survival as of `asOf` (lines alive then are censored at `asOf`).
 */
export function cohortSurvival(
  fates: readonly LineFate[],
  options: { asOf: number; cohortOf: (bornAt: number) => string; cohortStart: (week: string) => number },
): CohortSurvival[] {
  const groups = new Map<string, { week: string; kind: "ai" | "human"; lifetimes: Lifetime[]; born: number; died: number; lost: number }>();
  for (const fate of fates) {
    if (fate.origin.bornAt > options.asOf) continue;
    const week = options.cohortOf(fate.origin.bornAt);
    const kind = fate.origin.ai ? "ai" : "human";
    const key = `${week}|${kind}`;
    let group = groups.get(key);
    if (!group) {
      group = { week, kind, lifetimes: [], born: 0, died: 0, lost: 0 };
      groups.set(key, group);
    }
    const endsInside = fate.end !== "alive" && fate.endAt !== null && fate.endAt <= options.asOf;
    const endAt = endsInside ? fate.endAt! : options.asOf;
    const died = endsInside && fate.end === "died";
    group.born += fate.count;
    if (died) group.died += fate.count;
    if (endsInside && fate.end === "lost") group.lost += fate.count;
    group.lifetimes.push({ days: Math.max(0, endAt - fate.origin.bornAt) / DAY_MS, died, count: fate.count });
  }
  const result: CohortSurvival[] = [];
  for (const group of groups.values()) {
    const curve = kaplanMeier(group.lifetimes);
    const ageDays = (options.asOf - options.cohortStart(group.week)) / DAY_MS;
    const survivalByWeeks = Object.fromEntries(
      SURVIVAL_WEEKS.map((weeks) => [weeks, ageDays >= weeks * 7 ? survivalAt(curve, weeks * 7) : null]),
    ) as CohortSurvival["survivalByWeeks"];
    result.push({
      cohortWeek: group.week,
      authorKind: group.kind,
      linesBorn: group.born,
      linesDied: group.died,
      linesLost: group.lost,
      survivalByWeeks,
      halfLifeDays: exponentialHalfLife(group.lifetimes),
      curve: curve.map((point) => ({ days: Math.round(point.days * 1000) / 1000, survival: point.survival })),
    });
  }
  return result.sort((a, b) => a.cohortWeek.localeCompare(b.cohortWeek) || a.authorKind.localeCompare(b.authorKind));
}
