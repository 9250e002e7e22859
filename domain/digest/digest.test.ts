import { describe, expect, it } from "vitest";
import { buildWeeklyDigest, describeTrend, digestAsText, digestWeekStarting, formatWeek, isDigestHour, isInDigestWindow, lastCompleteWeek, type DigestNumbers } from "./digest.ts";

const WEEK = digestWeekStarting("2026-11-30");

function numbers(overrides: Partial<DigestNumbers> = {}): DigestNumbers {
  return {
    organization: { name: "Acme" },
    week: WEEK,
    share: { aiLines: 300, lines: 1000, commits: 40 },
    previousShare: { aiLines: 250, lines: 1000, commits: 35 },
    tools: [
      { tool: "Copilot coding agent", commits: 3, writtenLines: 90 },
      { tool: "Claude Code", commits: 7, writtenLines: 200 },
    ],
    riskyFiles: [{ repoId: "r1", repoFullName: "acme/api", path: "src/auth/session.ts", riskTier: 4, aiLinesAdded: 42 }],
    riskyFileCount: 1,
    incidents: { started: 2, aiAttributed: 1 },
    unreviewedAiMerges: { merged: 12, aiHighRiskMerged: 3, unreviewed: 1, pullRequests: [{ repoId: "r1", repoFullName: "acme/api", number: 17, title: "Rotate tokens" }] },
    ...overrides,
  };
}

describe("the digest's week", () => {
  it("is the last complete Monday–Sunday week in the organisation's zone", () => {
    // Monday 08:30 in Berlin is 07:30 UTC: the week that ended last night.
    expect(lastCompleteWeek(new Date("2026-12-07T07:30:00Z"), "Europe/Berlin")).toEqual({ start: "2026-11-30", end: "2026-12-06" });
    // Still Sunday evening in Los Angeles: the week before.
    expect(lastCompleteWeek(new Date("2026-12-07T03:00:00Z"), "America/Los_Angeles")).toEqual({ start: "2026-11-23", end: "2026-11-29" });
    expect(() => digestWeekStarting("2026-12-01")).toThrow("not a Monday");
  });

  it("goes out on Monday between 08:00 and 08:59 local time", () => {
    expect(isDigestHour(new Date("2026-12-07T07:00:00Z"), "Europe/Berlin")).toBe(true);
    expect(isDigestHour(new Date("2026-12-07T08:00:00Z"), "Europe/Berlin")).toBe(false);
    expect(isDigestHour(new Date("2026-12-07T16:00:00Z"), "America/Los_Angeles")).toBe(true);
    expect(isDigestHour(new Date("2026-12-07T08:00:00Z"), "America/Los_Angeles")).toBe(false);
    // Sunday 23:00 UTC is Monday 08:00 in Tokyo.
    expect(isDigestHour(new Date("2026-12-06T23:00:00Z"), "Asia/Tokyo")).toBe(true);
  });

  it("may still go out for a day after that, when the Monday tick was missed", () => {
    // Berlin is UTC+1 in December: Monday 08:00 local is 07:00 UTC.
    expect(isInDigestWindow(new Date("2026-12-07T06:59:00Z"), "Europe/Berlin")).toBe(false);
    expect(isInDigestWindow(new Date("2026-12-07T07:00:00Z"), "Europe/Berlin")).toBe(true);
    expect(isInDigestWindow(new Date("2026-12-07T22:30:00Z"), "Europe/Berlin")).toBe(true);
    expect(isInDigestWindow(new Date("2026-12-08T06:59:00Z"), "Europe/Berlin")).toBe(true);
    expect(isInDigestWindow(new Date("2026-12-08T07:00:00Z"), "Europe/Berlin")).toBe(false);
    // Sunday evening in Los Angeles is Monday in UTC: not yet.
    expect(isInDigestWindow(new Date("2026-12-07T07:00:00Z"), "America/Los_Angeles")).toBe(false);
  });

  it("reads as a date range", () => {
    expect(formatWeek(WEEK)).toBe("30 Nov – 6 Dec 2026");
    expect(formatWeek(digestWeekStarting("2026-12-28"))).toBe("28 Dec 2026 – 3 Jan 2027");
  });
});

describe("buildWeeklyDigest", () => {
  it("says the share and its trend, the tools by commits, the risky files, incidents and unreviewed merges", () => {
    const digest = buildWeeklyDigest(numbers());
    expect(digest.title).toBe("Sentinel weekly digest · Acme · 30 Nov – 6 Dec 2026");
    expect(digest.empty).toBe(false);
    expect(digest.summary).toBe("AI wrote an estimated 30.0 % of the week's written lines, up 5.0 points from 25.0 % the week before.");
    expect(digest.sections.map((section) => section.id)).toEqual(["share", "tools", "risky-files", "incidents", "unreviewed-merges"]);
    const tools = digest.sections.find((section) => section.id === "tools")!;
    expect(tools.lines).toEqual(["Claude Code: 7 commits, 200 written lines", "Copilot coding agent: 3 commits, 90 written lines"]);
    const files = digest.sections.find((section) => section.id === "risky-files")!;
    expect(files.lines).toEqual(["T4 acme/api: src/auth/session.ts (42 AI-written lines)"]);
    expect(files.link).toEqual({ label: "Open the repository", path: "/repos/r1" });
    expect(digest.sections.find((section) => section.id === "incidents")!.lines).toEqual(["2 incidents started; 1 of them with AI-written lines in the suspected commits."]);
    expect(digest.sections.find((section) => section.id === "unreviewed-merges")!.lines).toEqual([
      "1 of 3 merged pull requests with AI-written T3/T4 changes merged without a review (12 merges in all).",
      "acme/api#17 Rotate tokens",
    ]);
  });

  it("an empty week says so plainly and nothing else", () => {
    const digest = buildWeeklyDigest(
      numbers({
        share: { aiLines: 0, lines: 0, commits: 0 },
        tools: [],
        riskyFiles: [],
        riskyFileCount: 0,
        incidents: { started: 0, aiAttributed: 0 },
        unreviewedAiMerges: { merged: 0, aiHighRiskMerged: 0, unreviewed: 0, pullRequests: [] },
      }),
    );
    expect(digest).toMatchObject({ empty: true, sections: [], summary: "A quiet week: no analysed commits, no merged pull requests and no incidents." });
    expect(digestAsText(digest)).toBe("Sentinel weekly digest · Acme · 30 Nov – 6 Dec 2026\n\nA quiet week: no analysed commits, no merged pull requests and no incidents.");
  });

  it("names at most five files and says how many more there are", () => {
    const riskyFiles = Array.from({ length: 5 }, (_, index) => ({ repoId: `r${index}`, repoFullName: `acme/r${index}`, path: `src/f${index}.ts`, riskTier: 3, aiLinesAdded: 10 }));
    const lines = buildWeeklyDigest(numbers({ riskyFiles, riskyFileCount: 8 })).sections.find((section) => section.id === "risky-files")!;
    expect(lines.lines).toHaveLength(6);
    expect(lines.lines.at(-1)).toBe("…and 3 more files.");
    expect(lines.heading).toBe("Riskiest AI-written files (8 T3/T4 in all)");
  });

  it("describes a trend without a week to compare with, and an unchanged one", () => {
    expect(describeTrend(0.3, null)).toBe("no written lines to compare with the week before");
    expect(describeTrend(0.3, 0.3)).toBe("unchanged from the week before (30.0 %)");
    expect(describeTrend(0.2, 0.3)).toBe("down 10.0 points from 30.0 % the week before");
  });

  it("renders as text with the links the caller resolves", () => {
    const text = digestAsText(buildWeeklyDigest(numbers()), (link) => `https://sentinel.example${link.path}`);
    expect(text).toContain("AI share\n  AI share of written lines: 30.0 %");
    expect(text).toContain("  Open the overview: https://sentinel.example/dashboard");
  });
});
