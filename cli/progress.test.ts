import { describe, expect, it } from "vitest";
import { createProgressReporter, formatDuration, renderProgressLine } from "./progress.ts";

describe("renderProgressLine", () => {
  it("draws the bar, the counts and the share done", () => {
    expect(renderProgressLine({ label: "analysis", done: 512, total: 1024 })).toBe(`analysis     [${"#".repeat(12)}${"-".repeat(12)}] 512/1,024 50 %`);
  });

  it("says about how long is left at the rate so far", () => {
    // 300 of 1,200 commits in 20 s: 900 more at 15 a second.
    expect(renderProgressLine({ label: "demo analysis", done: 300, total: 1200, elapsedMs: 20_000 })).toBe(
      `demo analysis [${"#".repeat(6)}${"-".repeat(18)}] 300/1,200 25 %  about 1 min 00 s left`,
    );
  });

  it("gives no estimate before anything is done, nor once everything is", () => {
    expect(renderProgressLine({ label: "analysis", done: 0, total: 1200, elapsedMs: 5_000 })).toMatch(/ 0\/1,200 0 %$/);
    expect(renderProgressLine({ label: "analysis", done: 1200, total: 1200, elapsedMs: 80_000 })).toMatch(/ 1,200\/1,200 100 %$/);
  });

  it("shows an empty total as finished rather than dividing by zero", () => {
    expect(renderProgressLine({ label: "analysis", done: 0, total: 0, elapsedMs: 1_000 })).toBe(`analysis     [${"#".repeat(24)}] 0/0 100 %`);
  });
});

describe("formatDuration", () => {
  it("reads in seconds, minutes or hours", () => {
    expect(formatDuration(400)).toBe("0 s");
    expect(formatDuration(42_400)).toBe("42 s");
    expect(formatDuration(185_000)).toBe("3 min 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 min");
  });
});

describe("createProgressReporter with an estimate", () => {
  function terminal() {
    let written = "";
    const stream = { write: (chunk: string) => ((written += chunk), true) } as unknown as NodeJS.WritableStream;
    return { io: { stdout: stream, stderr: stream, isTTY: true }, written: () => written };
  }

  it("redraws one line in place, clearing what a longer line left, and ends it when done", () => {
    const out = terminal();
    let now = 1_000_000;
    const reporter = createProgressReporter(out.io, "analysis", { eta: true, now: () => now });
    now += 10_000;
    reporter.update(100, 400);
    now += 20_000;
    reporter.update(400, 400);
    reporter.done();
    expect(out.written().split("\r")).toEqual([
      "",
      `analysis     [${"#".repeat(6)}${"-".repeat(18)}] 100/400 25 %  about 30 s left\u001b[K`,
      `analysis     [${"#".repeat(24)}] 400/400 100 %\u001b[K\n`,
    ]);
  });
});
