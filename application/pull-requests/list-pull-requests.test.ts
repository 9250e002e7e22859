import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { getPullRequestDetail, listPullRequests } from "./list-pull-requests.ts";

const NOW = new Date("2026-03-20T12:00:00Z");
const RANGE = { from: new Date("2025-12-20T12:00:00Z"), to: NOW }; // the last 90 days
const CLAUDE = [{ id: "agent-coauthor-trailer", weight: 0.9, evidence: "Co-Authored-By: Claude", agent: "Claude Code" }];

describe("the pull-request lens: list, comparison and page", () => {
  let database: TestDatabase;
  let orgId: string;
  let apiId: string;
  let webId: string;
  let foreign: { orgId: string; repoId: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    const sql = database.sql;
    const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('acme', 'Acme') returning id`;
    const [globex] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('globex', 'Globex') returning id`;
    orgId = org!.id;
    const repository = async (owner: string, fullName: string) => {
      const [row] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${owner}, ${fullName}) returning id`;
      return row!.id;
    };
    apiId = await repository(orgId, "acme/api");
    webId = await repository(orgId, "acme/web");
    foreign = { orgId: globex!.id, repoId: await repository(globex!.id, "globex/api") };

    const pr = (owner: string, repo: string, number: number, fields: { opened: string; reviewed?: string; merged?: string; reviews?: [number, number, number]; markers?: string[] }) =>
      sql`insert into pull_requests (org_id, repo_id, number, title, author_login, state, base_ref, opened_at, first_review_at, merged_at, review_count, approval_count, commented_review_count, ai_markers)
          values (${owner}, ${repo}, ${number}, ${`PR ${number}`}, 'dev', ${fields.merged ? "merged" : "open"}, 'main', ${fields.opened}, ${fields.reviewed ?? null}, ${fields.merged ?? null},
            ${fields.reviews?.[0] ?? 0}, ${fields.reviews?.[1] ?? 0}, ${fields.reviews?.[2] ?? 0}, ${JSON.stringify(fields.markers ?? [])}::jsonb)`;
    const commit = (owner: string, repo: string, sha: string, number: number, written: number, confidence: number, signals: unknown[] = []) =>
      sql`insert into commits (org_id, repo_id, sha, authored_at, pr_number, written_lines, ai_confidence, analysis_status, signals, message_headline)
          values (${owner}, ${repo}, ${sha}, '2026-02-01T10:00:00Z', ${number}, ${written}, ${confidence}, 'analyzed', ${JSON.stringify(signals)}::jsonb, ${`commit ${sha}`})`;
    const file = (repo: string, sha: string, path: string, confidence: number, tier: number, written: number, counts = true) =>
      sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at, written_lines, lines_added, counts_toward_share)
          select org_id, repo_id, sha, ${path}, 'modified', ${confidence}, ${tier}, ${tier}, 'test', authored_at, ${written}, ${written}, ${counts}
          from commits where repo_id = ${repo} and sha = ${sha}`;

    // 1: AI-assisted (Claude Code, 30 of 40 lines, a T4 file), approved with no comment after 2 h, merged after 10 h.
    await pr(orgId, apiId, 1, { opened: "2026-03-01T10:00:00Z", reviewed: "2026-03-01T12:00:00Z", merged: "2026-03-01T20:00:00Z", reviews: [1, 1, 0] });
    await commit(orgId, apiId, "a1", 1, 40, 0.9, CLAUDE);
    await file(apiId, "a1", "src/auth/session.ts", 0.9, 4, 30);
    await file(apiId, "a1", "src/util.ts", 0.2, 1, 10);
    await file(apiId, "a1", "package-lock.json", 0.9, 1, 0, false);
    // 2: human, reviewed with a comment after 1 h, merged after 4 h.
    await pr(orgId, apiId, 2, { opened: "2026-03-02T10:00:00Z", reviewed: "2026-03-02T11:00:00Z", merged: "2026-03-02T14:00:00Z", reviews: [2, 1, 1] });
    await commit(orgId, apiId, "h2", 2, 20, 0.1);
    await file(apiId, "h2", "src/billing/charge.ts", 0.1, 3, 20);
    // 3: AI-assisted by its markers alone (no AI line), merged unreviewed after 2 h, in the other repository.
    await pr(orgId, webId, 3, { opened: "2026-03-03T10:00:00Z", merged: "2026-03-03T12:00:00Z", markers: ["branch:copilot"] });
    await commit(orgId, webId, "h3", 3, 5, 0.3);
    await file(webId, "h3", "src/app.ts", 0.3, 2, 5);
    // 4: human, still open, no commit analysed yet.
    await pr(orgId, apiId, 4, { opened: "2026-03-04T10:00:00Z" });
    // 5: opened before the range: not listed.
    await pr(orgId, apiId, 5, { opened: "2025-12-01T10:00:00Z", merged: "2026-01-01T10:00:00Z" });
    // Another organisation's pull request.
    await pr(foreign.orgId, foreign.repoId, 1, { opened: "2026-03-01T10:00:00Z", merged: "2026-03-01T11:00:00Z" });
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  const list = (overrides: Partial<Parameters<typeof listPullRequests>[1]> = {}) =>
    listPullRequests(database.db, { orgId, ...RANGE, kind: "all", page: 1, limit: 50, ...overrides });

  it("lists the range's pull requests newest first with AI share, agents, highest AI tier, reviews and cycle time", async () => {
    const found = await list();
    expect(found.total).toBe(4);
    expect(found.pullRequests.map((row) => row.number)).toEqual([4, 3, 2, 1]);
    const first = found.pullRequests.find((row) => row.number === 1)!;
    expect(first).toMatchObject({
      repoFullName: "acme/api",
      aiAssisted: true,
      writtenLines: 40,
      aiLines: 30,
      aiShare: 0.75,
      agents: ["Claude Code"],
      highestAiRiskTier: 4,
      reviews: { count: 1, approvals: 1, commented: 0, approvedWithoutComment: true },
      timeToFirstReviewMinutes: 120,
      cycleTimeMinutes: 600,
    });
    expect(found.pullRequests.find((row) => row.number === 2)).toMatchObject({ aiAssisted: false, aiShare: 0, agents: [], highestAiRiskTier: null, reviews: { approvedWithoutComment: false } });
    expect(found.pullRequests.find((row) => row.number === 3)).toMatchObject({ aiAssisted: true, aiLines: 0, repoFullName: "acme/web" });
    expect(found.pullRequests.find((row) => row.number === 4)).toMatchObject({ aiAssisted: false, aiShare: null, cycleTimeMinutes: null, timeToFirstReviewMinutes: null });
  });

  it("compares AI-assisted and human pull requests with the counts behind each figure", async () => {
    const { summary } = await list({ kind: "human" });
    expect(summary.ai).toEqual({
      pullRequests: 2,
      merged: 2,
      cycleTimeMedianMinutes: 360,
      cycleTimeP75Minutes: 480,
      reviewed: 1,
      timeToFirstReviewMedianMinutes: 120,
      timeToFirstReviewP75Minutes: 120,
      mergedWithoutReview: 1,
      mergedWithoutReviewShare: 0.5,
    });
    expect(summary.human).toMatchObject({ pullRequests: 2, merged: 1, cycleTimeMedianMinutes: 240, reviewed: 1, timeToFirstReviewMedianMinutes: 60, mergedWithoutReview: 0, mergedWithoutReviewShare: 0 });
    expect(summary.percentiles).toBe("exact");
  });

  it("filters by kind and repository, and pages", async () => {
    expect((await list({ kind: "ai" })).pullRequests.map((row) => row.number)).toEqual([3, 1]);
    expect((await list({ kind: "human" })).pullRequests.map((row) => row.number)).toEqual([4, 2]);
    expect((await list({ repoId: webId })).pullRequests.map((row) => row.number)).toEqual([3]);
    const second = await list({ page: 2, limit: 3 });
    expect(second).toMatchObject({ total: 4 });
    expect(second.pullRequests.map((row) => row.number)).toEqual([1]);
  });

  it("never shows another organisation's pull requests, even given its repository", async () => {
    expect((await list({ repoId: foreign.repoId })).total).toBe(0);
    expect(await getPullRequestDetail(database.db, { orgId, repoId: foreign.repoId, number: 1 })).toBeNull();
    expect(await getPullRequestDetail(database.db, { orgId, repoId: apiId, number: 99 })).toBeNull();
  });

  it("gives a pull request's page its commits and the files its AI-written code touched, riskiest first", async () => {
    const detail = await getPullRequestDetail(database.db, { orgId, repoId: apiId, number: 1 });
    expect(detail).toMatchObject({ number: 1, aiShare: 0.75, agents: ["Claude Code"] });
    expect(detail!.commits).toEqual([
      expect.objectContaining({ sha: "a1", eventId: null, writtenLines: 40, agent: "Claude Code", messageHeadline: "commit a1" }),
    ]);
    expect(detail!.aiFiles).toEqual([
      { path: "src/auth/session.ts", riskTier: 4, aiLines: 30, commits: 1 },
      { path: "package-lock.json", riskTier: 1, aiLines: 0, commits: 1 },
    ]);
  });
});
