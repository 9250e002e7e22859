import { describe, expect, it } from "vitest";
import { attributedAgent } from "../../domain/detection/engine.ts";
import { MARKER_SIGNAL_IDS, type Signal } from "../../domain/detection/types.ts";
import { pullRequestAgentMarkers } from "../../domain/ingestion/webhook-plan.ts";
import { DEFAULT_SHAPE, generateRepositoryHistory, planOrganization, TABLE_COLUMNS, type LargeOrganizationShape } from "../../bench/large-organization.ts";

/**
 * What `sentinel generate` adds for issue 18, read from the generated rows without a database (generate.test.ts loads
 * them): the agent mix, the pull requests' reviews and the organisation's teams, each the same for the same seed.
 */

const SHAPE: LargeOrganizationShape = { ...DEFAULT_SHAPE, repos: 4, days: 120, until: "2026-12-01" };
const ORGANIZATION_SHAPE: LargeOrganizationShape = { ...SHAPE, repos: 100 };

/** A COPY text line's fields by column name (bench/copy.ts writes \N for null and JSON for objects). */
function fieldsOf<T extends keyof typeof TABLE_COLUMNS>(table: T, line: string): Record<(typeof TABLE_COLUMNS)[T][number], string | null> {
  const escapes: Record<string, string> = { n: "\n", r: "\r", t: "\t" };
  const values = line.replace(/\n$/, "").split("\t").map((value) => (value === "\\N" ? null : value.replace(/\\(.)/g, (_, char: string) => escapes[char] ?? char)));
  return Object.fromEntries(TABLE_COLUMNS[table].map((column, index) => [column, values[index] ?? null])) as Record<(typeof TABLE_COLUMNS)[T][number], string | null>;
}

function generateAll(shape: LargeOrganizationShape) {
  const plan = planOrganization(shape);
  return plan.repositories.map((repo) => generateRepositoryHistory(shape, plan, repo));
}

const histories = generateAll(SHAPE);
const commits = histories.flatMap((rows) => rows.commits.map((line) => fieldsOf("commits", line)));
const pullRequests = histories.flatMap((rows) => rows.pull_requests.map((line) => fieldsOf("pull_requests", line)));
const events = histories.flatMap((rows) => rows.code_events.map((line) => fieldsOf("code_events", line)));

describe("the generated agent mix", () => {
  const aiCommits = commits.filter((commit) => commit.analysis_status === "analyzed" && Number(commit.ai_confidence) >= 0.5);
  const toolOf = (commit: (typeof commits)[number]) => attributedAgent(Number(commit.ai_confidence), JSON.parse(commit.signals!) as Signal[]);

  it("spreads AI commits over many tools, Claude Code among the most used, plus unmarked ones", () => {
    const byTool = new Map<string, number>();
    for (const commit of aiCommits) byTool.set(toolOf(commit)!, (byTool.get(toolOf(commit)!) ?? 0) + 1);
    for (const tool of ["Claude Code", "GitHub Copilot coding agent", "GitHub Copilot", "Cursor", "OpenAI Codex", "Gemini CLI", "Google Jules", "Devin", "Aider", "unmarked"]) {
      expect(byTool.get(tool), tool).toBeGreaterThan(0);
    }
    const ranked = [...byTool.entries()].sort((a, b) => b[1] - a[1]).map(([tool]) => tool);
    expect(ranked.slice(0, 3)).toContain("Claude Code");
  });

  it("stores markers as the detector does: every marker names its tool (no 'unknown'), strongest first", () => {
    for (const commit of aiCommits) {
      const signals = JSON.parse(commit.signals!) as Signal[];
      const markers = signals.filter((signal) => (MARKER_SIGNAL_IDS as readonly string[]).includes(signal.id));
      for (const marker of markers) expect(marker).toHaveProperty("agent");
      expect(signals.map((signal) => signal.weight)).toEqual([...signals.map((signal) => signal.weight)].sort((a, b) => b - a));
    }
    // People's own commits carry no signal at all.
    expect(commits.filter((commit) => Number(commit.ai_confidence) < 0.5 && commit.signals !== "[]")).toEqual([]);
  });

  it("gives agents' pull requests their branch prefix and body, and the PR row the markers the ingestion derives from them", () => {
    const branches = new Set(pullRequests.map((pr) => pr.head_ref!.split("/")[0]));
    for (const prefix of ["claude", "copilot", "cursor", "codex", "jules", "devin"]) expect(branches).toContain(prefix);
    for (const pr of pullRequests) expect(JSON.parse(pr.ai_markers!)).toEqual(pullRequestAgentMarkers(pr.head_ref, pr.body));
  });
});

describe("the generated reviews", () => {
  const reviewEvents = events.filter((event) => event.type === "pr_review");

  it("fold into each pull request's review counts, as the review events say", () => {
    const byPr = new Map<string, { reviews: number; approvals: number; commented: number }>();
    for (const event of reviewEvents) {
      const payload = JSON.parse(event.payload!) as { state: string; commented: boolean; reviewId: number; byAuthor: boolean };
      expect(payload).toMatchObject({ reviewId: expect.any(Number), commented: expect.any(Boolean), byAuthor: false });
      const key = `${event.repo_id}#${event.pr_number}`;
      const counts = byPr.get(key) ?? { reviews: 0, approvals: 0, commented: 0 };
      counts.reviews += 1;
      if (payload.state === "approved") counts.approvals += 1;
      if (payload.commented) counts.commented += 1;
      byPr.set(key, counts);
    }
    for (const pr of pullRequests) {
      const counts = byPr.get(`${pr.repo_id}#${pr.number}`) ?? { reviews: 0, approvals: 0, commented: 0 };
      expect({ reviews: Number(pr.review_count), approvals: Number(pr.approval_count), commented: Number(pr.commented_review_count) }).toEqual(counts);
      expect(pr.first_review_at === null).toBe(counts.reviews === 0);
    }
    // Approvals that say nothing exist, and reviews that do.
    const approvals = pullRequests.reduce((sum, pr) => sum + Number(pr.approval_count), 0);
    const commented = pullRequests.reduce((sum, pr) => sum + Number(pr.commented_review_count), 0);
    const reviews = pullRequests.reduce((sum, pr) => sum + Number(pr.review_count), 0);
    expect(commented).toBeGreaterThan(0);
    expect(commented).toBeLessThan(reviews);
    expect(approvals).toBeGreaterThan(0);
  });

  it("merges some agent-written pull requests without a review, and most pull requests after one", () => {
    const merged = pullRequests.filter((pr) => pr.state === "merged");
    const unreviewed = merged.filter((pr) => pr.first_review_at === null);
    expect(unreviewed.length).toBeGreaterThan(0);
    expect(unreviewed.length).toBeLessThan(0.15 * merged.length);
    const aiCommitPrs = new Set(commits.filter((commit) => Number(commit.ai_confidence) >= 0.5 && commit.pr_number !== null).map((commit) => `${commit.repo_id}#${commit.pr_number}`));
    expect(unreviewed.filter((pr) => aiCommitPrs.has(`${pr.repo_id}#${pr.number}`)).length).toBeGreaterThan(0);
  });
});

describe("the generated teams", () => {
  const plan = planOrganization(ORGANIZATION_SHAPE);
  const logins = new Set(plan.members.map((member) => member.login));

  it("has teams of 3 to 12 members covering most people, a few pairs, made by hand or synced from GitHub, some people in two teams", () => {
    const sizes = plan.teams.map((team) => team.members.length);
    expect(sizes.filter((size) => size === 2).length).toBeGreaterThanOrEqual(2);
    expect(sizes.every((size) => size >= 2 && size <= 12)).toBe(true);
    expect(sizes.filter((size) => size >= 3).length).toBeGreaterThan(sizes.length / 2);
    const memberships = plan.teams.flatMap((team) => team.members.map((member) => member.login));
    for (const login of memberships) expect(logins.has(login)).toBe(true);
    expect(new Set(memberships).size).toBeGreaterThanOrEqual(0.85 * logins.size);
    expect(new Set(memberships).size).toBeLessThan(logins.size);
    expect(memberships.length - new Set(memberships).size).toBeGreaterThan(0);
    expect(new Set(plan.teams.map((team) => team.source))).toEqual(new Set(["github", "manual"]));
    expect(plan.teams.filter((team) => team.source === "manual").every((team) => team.githubId === null)).toBe(true);
    expect(new Set(plan.teams.map((team) => team.slug)).size).toBe(plan.teams.length);
    // Each team's members once.
    for (const team of plan.teams) expect(new Set(team.members.map((member) => member.login)).size).toBe(team.members.length);
  });

  it("is the same for the same seed and another for another seed", () => {
    expect(planOrganization(ORGANIZATION_SHAPE).teams).toEqual(plan.teams);
    expect(planOrganization({ ...ORGANIZATION_SHAPE, seed: 2 }).teams).not.toEqual(plan.teams);
  });
});

describe("determinism", () => {
  it("gives the same rows, mix and reviews included, for the same seed", () => {
    const again = generateAll(SHAPE);
    expect(again).toEqual(histories);
  });
});
