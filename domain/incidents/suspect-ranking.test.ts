import { describe, expect, it } from "vitest";
import { PRETICK_FLOOR, closeness, rankSuspects, suspectScore, type SuspectFacts } from "./suspect-ranking.ts";

// A fixed clock (ADR 071): the incident starts here and every commit is placed relative to it.
const START = new Date("2026-03-14T12:00:00Z");
const hoursBefore = (hours: number) => new Date(START.getTime() - hours * 3_600_000).toISOString();

function commit(sha: string, fields: Partial<SuspectFacts> = {}): SuspectFacts {
  return { sha, landedAt: hoursBefore(1), aiConfidence: 0.9, aiRiskTier: 2, ...fields };
}

const order = (candidates: SuspectFacts[]) => rankSuspects(candidates, START).map((ranked) => ranked.suspect.sha);

describe("rankSuspects", () => {
  it("puts an AI-written T4 commit from an hour before above an AI-written T1 commit from a week before", () => {
    const critical = commit("a".repeat(40), { aiRiskTier: 4, landedAt: hoursBefore(1) });
    const boilerplate = commit("b".repeat(40), { aiRiskTier: 1, landedAt: hoursBefore(7 * 24) });
    expect(order([boilerplate, critical])).toEqual([critical.sha, boilerplate.sha]);
  });

  it("ranks a human commit low, even in a critical file just before the start, and never ticks it", () => {
    const human = commit("c".repeat(40), { aiConfidence: 0.08, aiRiskTier: null, landedAt: hoursBefore(0.5) });
    const aiGlue = commit("d".repeat(40), { aiConfidence: 0.7, aiRiskTier: 2, landedAt: hoursBefore(30) });
    const ranked = rankSuspects([human, aiGlue], START);
    expect(ranked.map((entry) => entry.suspect.sha)).toEqual([aiGlue.sha, human.sha]);
    expect(ranked[1]!.score).toBeLessThan(0.01);
    expect(ranked[1]!.preticked).toBe(false);
  });

  it("with equal risk and confidence, the commit closer to the start ranks first", () => {
    const yesterday = commit("e".repeat(40), { landedAt: hoursBefore(24) });
    const thisMorning = commit("f".repeat(40), { landedAt: hoursBefore(3) });
    expect(order([yesterday, thisMorning])).toEqual([thisMorning.sha, yesterday.sha]);
  });

  it("a riskier file outweighs a somewhat higher confidence: T4 at 0.6 beats T2 at 0.95 the same hour", () => {
    const t2 = commit("1".repeat(40), { aiRiskTier: 2, aiConfidence: 0.95 });
    const t4 = commit("2".repeat(40), { aiRiskTier: 4, aiConfidence: 0.6 });
    expect(order([t2, t4])).toEqual([t4.sha, t2.sha]);
  });

  it("breaks ties deterministically: equal scores go to the later commit, then the smaller sha, whatever the input order", () => {
    // Both land after the start (closeness 1) with equal facts: the landing time decides, then the sha.
    const later = commit("9".repeat(40), { landedAt: new Date(START.getTime() + 60_000).toISOString() });
    const earlierB = commit("b".repeat(40), { landedAt: START.toISOString() });
    const earlierA = commit("a".repeat(40), { landedAt: START.toISOString() });
    const expected = [later.sha, earlierA.sha, earlierB.sha];
    expect(order([earlierB, earlierA, later])).toEqual(expected);
    expect(order([later, earlierB, earlierA])).toEqual(expected);
  });

  it("ticks the top three that score at least the floor, and no more", () => {
    const candidates = [
      commit("0".repeat(40), { aiRiskTier: 4, landedAt: hoursBefore(2) }),
      commit("1".repeat(40), { aiRiskTier: 3, landedAt: hoursBefore(5) }),
      commit("2".repeat(40), { aiRiskTier: 3, landedAt: hoursBefore(10) }),
      commit("3".repeat(40), { aiRiskTier: 3, landedAt: hoursBefore(12) }),
      commit("4".repeat(40), { aiRiskTier: 1, aiConfidence: 0.6, landedAt: hoursBefore(6 * 24) }),
    ];
    const ranked = rankSuspects(candidates, START);
    expect(ranked.map((entry) => entry.preticked)).toEqual([true, true, true, false, false]);
    expect(ranked[3]!.score).toBeGreaterThanOrEqual(PRETICK_FLOOR);
    expect(ranked[4]!.score).toBeLessThan(PRETICK_FLOOR);
  });

  it("ticks nothing when no candidate reaches the floor", () => {
    const stale = [commit("a".repeat(40), { aiRiskTier: 1, landedAt: hoursBefore(10 * 24) }), commit("b".repeat(40), { aiConfidence: 0.2, aiRiskTier: null })];
    expect(rankSuspects(stale, START).some((entry) => entry.preticked)).toBe(false);
  });
});

describe("suspectScore and closeness", () => {
  it("halves closeness every two days and keeps commits landed after the start at full closeness", () => {
    expect(closeness(new Date(hoursBefore(48)), START)).toBeCloseTo(0.5, 10);
    expect(closeness(new Date(hoursBefore(7 * 24)), START)).toBeLessThan(0.1);
    expect(closeness(new Date(START.getTime() + 3_600_000), START)).toBe(1);
  });

  it("is risk weight × confidence × closeness, within 0–1", () => {
    expect(suspectScore(commit("a".repeat(40), { aiRiskTier: 4, aiConfidence: 0.8, landedAt: hoursBefore(48) }), START)).toBeCloseTo(0.4, 10);
    expect(suspectScore(commit("a".repeat(40), { aiRiskTier: 4, aiConfidence: 1, landedAt: START.toISOString() }), START)).toBe(1);
  });
});
