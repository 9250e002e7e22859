import { describe, expect, it } from "vitest";
import { addDays, localClock, localDayBounds, localYesterday, splitIntoUtcDays, startOfLocalDay, weekStartOf } from "./time.ts";

const LA = "America/Los_Angeles";

describe("local days", () => {
  it("puts a commit at 23:30 local time on that local day, not the UTC one", () => {
    const commit = new Date("2026-03-03T23:30:00-08:00"); // 07:30 UTC on the 4th
    expect(commit.toISOString().slice(0, 10)).toBe("2026-03-04");
    expect(localClock(commit, LA).date).toBe("2026-03-03");
    const { start, end } = localDayBounds("2026-03-03", LA);
    expect(start.toISOString()).toBe("2026-03-03T08:00:00.000Z");
    expect(end.toISOString()).toBe("2026-03-04T08:00:00.000Z");
    expect(commit >= start && commit < end).toBe(true);
  });

  it("has 23 hours on the spring-forward day and 25 on the fall-back day", () => {
    const spring = localDayBounds("2026-03-08", LA);
    expect((spring.end.getTime() - spring.start.getTime()) / 3_600_000).toBe(23);
    const fall = localDayBounds("2026-11-01", LA);
    expect((fall.end.getTime() - fall.start.getTime()) / 3_600_000).toBe(25);
    expect(startOfLocalDay("2026-11-02", LA).toISOString()).toBe("2026-11-02T08:00:00.000Z");
  });

  it("handles zones east of UTC and half-hour offsets", () => {
    expect(startOfLocalDay("2026-06-01", "Asia/Kolkata").toISOString()).toBe("2026-05-31T18:30:00.000Z");
    expect(startOfLocalDay("2026-06-01", "UTC").toISOString()).toBe("2026-06-01T00:00:00.000Z");
    expect(localClock(new Date("2026-06-01T20:45:00Z"), "Asia/Kolkata")).toMatchObject({ date: "2026-06-02", hour: 2, minute: 15 });
  });

  it("computes yesterday in the organisation's zone", () => {
    // 02:00 in Los Angeles on the 5th is 10:00 UTC: yesterday there is the 4th.
    expect(localYesterday(new Date("2026-01-05T10:00:00Z"), LA)).toBe("2026-01-04");
    // 01:00 UTC on the 5th is still the 4th in Los Angeles.
    expect(localYesterday(new Date("2026-01-05T01:00:00Z"), LA)).toBe("2026-01-03");
  });

  it("does calendar arithmetic across months and finds the Monday of a week", () => {
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(weekStartOf("2026-11-29")).toBe("2026-11-23"); // a Sunday
    expect(weekStartOf("2026-11-23")).toBe("2026-11-23");
    expect(() => addDays("2026-02-30", 1)).toThrow(/no such date/);
  });
});

describe("a range in whole UTC days", () => {
  const NOW = new Date("2026-03-20T12:00:00Z");
  const RANGE = { from: new Date("2025-12-20T12:00:00Z"), to: NOW };

  it("cuts a range into whole UTC days and the part days at its ends", () => {
    expect(splitIntoUtcDays(RANGE)).toEqual({
      days: { from: new Date("2025-12-21T00:00:00Z"), to: new Date("2026-03-20T00:00:00Z") },
      edges: [
        { from: RANGE.from, to: new Date("2025-12-21T00:00:00Z") },
        { from: new Date("2026-03-20T00:00:00Z"), to: NOW },
      ],
    });
    expect(splitIntoUtcDays({ from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-03-08T00:00:00Z") }).edges).toEqual([]);
    const withinADay = { from: new Date("2026-03-01T03:00:00Z"), to: new Date("2026-03-01T09:00:00Z") };
    expect(splitIntoUtcDays(withinADay)).toEqual({ days: null, edges: [withinADay] });
  });
});
