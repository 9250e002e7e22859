import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { combineSignals, dedupeSignals } from "./combine.ts";
import type { Signal, SignalId } from "./types.ts";

const signalArb = fc.record({
  id: fc.constantFrom<SignalId>("agent-identity", "agent-branch", "pr-ai-disclosure", "message-markdown", "style-narration", "time-of-day"),
  weight: fc.double({ min: 0, max: 1, noNaN: true }),
  evidence: fc.constant("x"),
});
const signalsArb = fc.array(signalArb, { maxLength: 12 });

describe("combineSignals", () => {
  it("makes two strong signals 0.95–0.99 and never reaches 1", () => {
    const two = combineSignals([
      { id: "agent-identity", weight: 0.9, evidence: "" },
      { id: "agent-coauthor-trailer", weight: 0.9, evidence: "" },
    ]);
    expect(two).toBeCloseTo(0.99, 10);
    expect(combineSignals([{ id: "agent-identity", weight: 1, evidence: "" }, { id: "agent-branch", weight: 1, evidence: "" }])).toBeLessThan(1);
    expect(combineSignals([])).toBe(0);
  });

  it("counts one id once: repeating a weak signal does not stack", () => {
    const weak: Signal = { id: "message-shape", weight: 0.3, evidence: "" };
    expect(combineSignals([weak, weak, weak])).toBeCloseTo(0.3, 10);
  });

  it("is bounded in [0, 1)", () => {
    fc.assert(
      fc.property(signalsArb, (signals) => {
        const value = combineSignals(signals);
        return value >= 0 && value < 1;
      }),
    );
  });

  it("is at least as large as its strongest signal", () => {
    fc.assert(
      fc.property(signalsArb, (signals) => {
        const strongest = Math.max(0, ...signals.map((signal) => Math.min(signal.weight, 0.99)));
        return combineSignals(signals) >= strongest - 1e-12;
      }),
    );
  });

  it("is monotonic: adding a signal or raising a weight never lowers it", () => {
    fc.assert(
      fc.property(signalsArb, signalArb, (signals, extra) => combineSignals([...signals, extra]) >= combineSignals(signals)),
    );
    fc.assert(
      fc.property(signalsArb.filter((signals) => signals.length > 0), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), (signals, pick, raise) => {
        const index = pick % signals.length;
        const raised = signals.map((signal, i) => (i === index ? { ...signal, weight: Math.max(signal.weight, raise) } : signal));
        return combineSignals(raised) >= combineSignals(signals);
      }),
    );
  });

  it("is order-independent, to the last bit", () => {
    fc.assert(
      fc.property(signalsArb.chain((signals) => fc.tuple(fc.constant(signals), fc.shuffledSubarray(signals, { minLength: signals.length, maxLength: signals.length }))), ([signals, shuffled]) => {
        return combineSignals(signals) === combineSignals(shuffled);
      }),
    );
  });

  it("ignores zero, negative and non-finite weights", () => {
    expect(combineSignals([{ id: "agent-identity", weight: -3, evidence: "" }, { id: "agent-branch", weight: Number.NaN, evidence: "" }, { id: "pr-ai-disclosure", weight: 0, evidence: "" }])).toBe(0);
  });
});

describe("dedupeSignals", () => {
  it("keeps the strongest signal per id, strongest first", () => {
    const result = dedupeSignals([
      { id: "velocity-burst", weight: 0.3, evidence: "slow" },
      { id: "velocity-burst", weight: 0.6, evidence: "fast" },
      { id: "time-of-day", weight: 0.3, evidence: "night" },
    ]);
    expect(result.map((signal) => [signal.id, signal.evidence])).toEqual([
      ["velocity-burst", "fast"],
      ["time-of-day", "night"],
    ]);
  });
});
