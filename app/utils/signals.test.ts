import { describe, expect, it } from "vitest";
import { formatConfidence } from "./signals.ts";

describe("formatConfidence", () => {
  it("never shows a probability below 1 as 100 % (issue 19: 0.998 read '100 %')", () => {
    expect(formatConfidence(0.998)).toBe("> 99 %");
    expect(formatConfidence(0.995)).toBe("> 99 %");
    expect(formatConfidence(0.999999)).toBe("> 99 %");
    expect(formatConfidence(1)).toBe("100 %");
  });

  it("never shows a probability above 0 as 0 %", () => {
    expect(formatConfidence(0.004)).toBe("< 1 %");
    expect(formatConfidence(0.000001)).toBe("< 1 %");
    expect(formatConfidence(0)).toBe("0 %");
  });

  it("rounds everything in between to whole percents, the edges included", () => {
    expect(formatConfidence(0.9949)).toBe("99 %");
    expect(formatConfidence(0.005)).toBe("1 %");
    expect(formatConfidence(0.5)).toBe("50 %");
    expect(formatConfidence(0.874)).toBe("87 %");
  });

  it("shows a dash when there is no confidence", () => {
    expect(formatConfidence(null)).toBe("—");
    expect(formatConfidence(undefined)).toBe("—");
    expect(formatConfidence(Number.NaN)).toBe("—");
  });
});
