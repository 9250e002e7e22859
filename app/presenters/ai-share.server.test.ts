import { describe, expect, it } from "vitest";
import { shareRangeParts } from "./ai-share.server.ts";

describe("shareRangeParts", () => {
  // 2026-03-02 is a Monday, 2026-03-08 a Sunday.
  it("reads whole weeks from the weekly rollup and the days around them from the daily one", () => {
    expect(shareRangeParts("2026-02-26", "2026-03-18")).toEqual({
      days: [
        { from: "2026-02-26", to: "2026-03-01" },
        { from: "2026-03-16", to: "2026-03-18" },
      ],
      weeks: { from: "2026-03-02", to: "2026-03-09" },
    });
    expect(shareRangeParts("2026-03-02", "2026-03-15")).toEqual({ days: [], weeks: { from: "2026-03-02", to: "2026-03-09" } });
  });

  it("reads days only when no whole week fits", () => {
    expect(shareRangeParts("2026-03-03", "2026-03-08")).toEqual({ days: [{ from: "2026-03-03", to: "2026-03-08" }], weeks: null });
    expect(shareRangeParts("2026-03-04", "2026-03-04")).toEqual({ days: [{ from: "2026-03-04", to: "2026-03-04" }], weeks: null });
  });

  it("reads every week from the first Monday on when the range has no end", () => {
    expect(shareRangeParts("2026-02-26", null)).toEqual({ days: [{ from: "2026-02-26", to: "2026-03-01" }], weeks: { from: "2026-03-02", to: null } });
    expect(shareRangeParts("2026-03-02", null)).toEqual({ days: [], weeks: { from: "2026-03-02", to: null } });
  });
});
