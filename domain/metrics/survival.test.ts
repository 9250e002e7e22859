import { describe, expect, it } from "vitest";
import type { LineFate } from "./provenance.ts";
import { cohortSurvival, exponentialHalfLife, kaplanMeier, survivalAt, type Lifetime } from "./survival.ts";
import { DAY_MS } from "./time.ts";

// Gehan's 6-MP leukaemia remission times (weeks, * = censored), the textbook Kaplan–Meier example.
const GEHAN: Lifetime[] = [6, 6, 6, -6, 7, -9, 10, -10, -11, 13, 16, -17, -19, -20, 22, 23, -25, -32, -32, -34, -35].map((t) => ({
  days: Math.abs(t),
  died: t > 0,
  count: 1,
}));

describe("Kaplan–Meier", () => {
  it("reproduces the published estimate for Gehan's 6-MP group", () => {
    const curve = kaplanMeier(GEHAN);
    expect(curve.map((p) => [p.days, Number(p.survival.toFixed(3)), p.atRisk, p.deaths])).toEqual([
      [6, 0.857, 21, 3],
      [7, 0.807, 17, 1],
      [10, 0.753, 15, 1],
      [13, 0.69, 12, 1],
      [16, 0.627, 11, 1],
      [22, 0.538, 7, 1],
      [23, 0.448, 6, 1],
    ]);
    expect(survivalAt(curve, 5)).toBe(1);
    expect(survivalAt(curve, 12.9)).toBeCloseTo(0.753, 3);
    expect(survivalAt(curve, 100)).toBeCloseTo(0.448, 3);
  });

  it("treats a grouped lifetime like the same lines one by one", () => {
    const grouped = kaplanMeier([
      { days: 6, died: true, count: 3 },
      { days: 6, died: false, count: 1 },
      ...GEHAN.slice(4),
    ]);
    expect(grouped).toEqual(kaplanMeier(GEHAN));
  });

  it("fits an exponential half-life as ln 2 × exposure ÷ deaths", () => {
    // Gehan: 9 remissions ended, 359 weeks of total exposure → λ = 9/359.
    expect(exponentialHalfLife(GEHAN)).toBeCloseTo((Math.LN2 * 359) / 9, 9);
    expect(exponentialHalfLife([{ days: 3, died: false, count: 10 }])).toBeNull();
  });
});

describe("cohort survival", () => {
  const monday = Date.UTC(2026, 0, 5);
  const origin = (ai: boolean, bornAt = monday) => ({ sha: ai ? "a" : "h", path: "f", ai, bornAt });
  const fate = (ai: boolean, end: LineFate["end"], endDay: number | null, count: number): LineFate => ({
    origin: origin(ai),
    end,
    endAt: endDay === null ? null : monday + endDay * DAY_MS,
    endSha: end === "alive" ? null : "x",
    count,
  });

  it("splits AI and human lines, censors the living and the lost, and hides weeks the cohort has not reached", () => {
    const fates = [fate(true, "died", 3, 5), fate(true, "alive", null, 5), fate(false, "died", 20, 2), fate(false, "lost", 5, 2), fate(false, "alive", null, 6)];
    const cohorts = cohortSurvival(fates, {
      asOf: monday + 30 * DAY_MS,
      cohortOf: () => "2026-01-05",
      cohortStart: () => monday,
    });
    const ai = cohorts.find((c) => c.authorKind === "ai")!;
    const human = cohorts.find((c) => c.authorKind === "human")!;
    expect(ai).toMatchObject({ linesBorn: 10, linesDied: 5, linesLost: 0 });
    expect(ai.survivalByWeeks).toEqual({ 1: 0.5, 2: 0.5, 4: 0.5, 8: null, 12: null });
    // Human: 2 lost at day 5 (censored), 2 of the remaining 8 die at day 20 → 0.75 from then on.
    expect(human).toMatchObject({ linesBorn: 10, linesDied: 2, linesLost: 2 });
    expect(human.survivalByWeeks).toEqual({ 1: 1, 2: 1, 4: 0.75, 8: null, 12: null });
    // Exposure: 2×20 + 2×5 + 6×30 = 230 line-days, 2 deaths.
    expect(human.halfLifeDays).toBeCloseTo((Math.LN2 * 230) / 2, 9);
  });
});
