import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { getUnreviewedAiMerges } from "./unreviewed-ai-merges.ts";

const NOW = new Date("2026-03-20T12:00:00Z");
const RANGE = { from: new Date("2025-12-20T12:00:00Z"), to: NOW }; // the last 90 days

describe("pull requests merged without a review although they hold AI-written T3/T4 changes", () => {
  let database: TestDatabase;
  let orgId: string;
  let apiId: string;
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
    foreign = { orgId: globex!.id, repoId: await repository(globex!.id, "globex/api") };

    const merged = (owner: string, repo: string, number: number, mergedAt: string, reviewedAt: string | null = null) =>
      sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at, first_review_at, merged_at)
          values (${owner}, ${repo}, ${number}, ${`PR ${number}`}, 'merged', 'main', '2025-12-01T09:00:00Z', ${reviewedAt}, ${mergedAt})`;
    const commit = (owner: string, repo: string, sha: string, pr: number) =>
      sql`insert into commits (org_id, repo_id, sha, authored_at, pr_number) values (${owner}, ${repo}, ${sha}, '2026-02-01T10:00:00Z', ${pr})`;
    // As the verdict writer stores it: the file's row carries its commit's author date.
    const file = (repo: string, sha: string, path: string, confidence: number, tier: number) =>
      sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at)
          select org_id, repo_id, sha, ${path}, 'modified', ${confidence}, ${tier}, ${tier}, 'test', authored_at
          from commits where repo_id = ${repo} and sha = ${sha}`;

    // 1: AI-written T4, reviewed by someone else: not counted as unreviewed.
    await merged(orgId, apiId, 1, "2026-03-01T10:00:00Z", "2026-02-28T10:00:00Z");
    await commit(orgId, apiId, "r1", 1);
    await file(apiId, "r1", "src/auth/session.ts", 0.9, 4);
    // 2: unreviewed, human-written T4 and AI below the threshold: not counted.
    await merged(orgId, apiId, 2, "2026-03-02T10:00:00Z");
    await commit(orgId, apiId, "h2", 2);
    await file(apiId, "h2", "src/auth/token.ts", 0.2, 4);
    await file(apiId, "h2", "src/billing/invoice.ts", 0.49, 3);
    // 3: unreviewed, AI-written T3 in two commits, two files (one changed twice): counted with two files.
    await merged(orgId, apiId, 3, "2026-03-03T10:00:00Z");
    await commit(orgId, apiId, "a3", 3);
    await commit(orgId, apiId, "b3", 3);
    await file(apiId, "a3", "src/billing/charge.ts", 0.8, 3);
    await file(apiId, "b3", "src/billing/charge.ts", 0.7, 3);
    await file(apiId, "b3", "src/billing/refund.ts", 0.6, 4);
    // 4: unreviewed, AI-written only in a T1 file: not counted.
    await merged(orgId, apiId, 4, "2026-03-04T10:00:00Z");
    await commit(orgId, apiId, "a4", 4);
    await file(apiId, "a4", "docs/readme.md", 0.95, 1);
    // 5: unreviewed AI-written T4, merged before the range: not counted.
    await merged(orgId, apiId, 5, "2025-12-01T10:00:00Z");
    await commit(orgId, apiId, "a5", 5);
    await file(apiId, "a5", "src/auth/old.ts", 0.9, 4);
    // 6: unreviewed AI-written T4, merged last: counted, listed first.
    await merged(orgId, apiId, 6, "2026-03-10T10:00:00Z");
    await commit(orgId, apiId, "a6", 6);
    await file(apiId, "a6", "src/auth/login.ts", 0.9, 4);
    // Another organisation's unreviewed AI-written T4 merge.
    await merged(foreign.orgId, foreign.repoId, 3, "2026-03-03T10:00:00Z");
    await commit(foreign.orgId, foreign.repoId, "g3", 3);
    await file(foreign.repoId, "g3", "src/auth/session.ts", 0.9, 4);
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("counts the unreviewed AI T3/T4 merges of the range among its merges and its AI T3/T4 merges, newest first", async () => {
    expect(await getUnreviewedAiMerges(database.db, { orgId, repoId: apiId }, RANGE)).toEqual({
      merged: 5,
      aiHighRiskMerged: 3,
      unreviewed: 2,
      pullRequests: [
        { number: 6, title: "PR 6", mergedAt: new Date("2026-03-10T10:00:00Z"), aiHighRiskFiles: 1 },
        { number: 3, title: "PR 3", mergedAt: new Date("2026-03-03T10:00:00Z"), aiHighRiskFiles: 2 },
      ],
    });
  });

  it("finds nothing in another organisation's repository, even given its id", async () => {
    expect(await getUnreviewedAiMerges(database.db, { orgId, repoId: foreign.repoId }, RANGE)).toEqual({ merged: 0, aiHighRiskMerged: 0, unreviewed: 0, pullRequests: [] });
  });

  it("leaves out what merged outside a shorter range", async () => {
    const week = await getUnreviewedAiMerges(database.db, { orgId, repoId: apiId }, { from: new Date("2026-03-05T00:00:00Z"), to: NOW });
    expect(week).toMatchObject({ merged: 1, aiHighRiskMerged: 1, unreviewed: 1 });
    expect(week.pullRequests.map((pr) => pr.number)).toEqual([6]);
  });
});
