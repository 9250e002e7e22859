import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../application/access/api-keys.server.ts";
import type { Services } from "../../application/services.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { pullRequestDetailResponse, pullRequestListResponse } from "../presenters/pulls.server.ts";
import * as pullList from "./api.v1.pulls.ts";
import * as pullDetail from "./api.v1.repos.$repoId.pulls.$number.ts";

/** The pull-request lens's endpoints: strict bodies, CSV, 400 naming the field, 404 for another organisation's. */

const NOW = new Date("2026-03-20T12:00:00Z");
type Handler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let key: string;
let repoId: string;
let foreignRepoId: string;

async function call(handler: Handler, path: string, params: Record<string, string> = {}) {
  const request = new Request(`http://sentinel.test/api/v1${path}`, { headers: { Authorization: `Bearer ${key}` } });
  try {
    return (await handler({ request, params, context: { services } })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
  const sql = database.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('acme', 'Acme') returning id`;
  const [globex] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('globex', 'Globex') returning id`;
  const [repo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${org!.id}, 'acme/api') returning id`;
  const [foreign] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${globex!.id}, 'globex/api') returning id`;
  repoId = repo!.id;
  foreignRepoId = foreign!.id;
  await sql`insert into pull_requests (org_id, repo_id, number, title, author_login, state, base_ref, opened_at, first_review_at, merged_at, review_count, approval_count)
    values (${org!.id}, ${repoId}, 7, '=cmd|calc', 'dev', 'merged', 'main', '2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z', '2026-03-01T15:00:00Z', 1, 1)`;
  await sql`insert into commits (org_id, repo_id, sha, authored_at, pr_number, written_lines, ai_confidence, analysis_status)
    values (${org!.id}, ${repoId}, 'abc', '2026-03-01T09:00:00Z', 7, 10, 0.9, 'analyzed')`;
  await sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at, written_lines)
    values (${org!.id}, ${repoId}, 'abc', 'src/auth.ts', 'modified', 0.9, 4, 4, 'test', '2026-03-01T09:00:00Z', 10)`;
  await sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at)
    values (${globex!.id}, ${foreignRepoId}, 7, 'Foreign', 'open', 'main', '2026-03-01T10:00:00Z')`;
  const created = await createApiKey(database.db, org!.id, { name: "pulls", scope: "read" }, null, NOW);
  if (!created.ok) throw new Error("key");
  key = created.key;
}, 60_000);

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("GET /api/v1/pulls", () => {
  it("answers a page, the total and the comparison, in the strict schema", async () => {
    const response = await call(pullList.loader, "/pulls?kind=ai");
    expect(response.status).toBe(200);
    const body = pullRequestListResponse.parse(await response.json());
    expect(body).toMatchObject({ total: 1, page: 1, pageCount: 1, days: 90, summary: { ai: { pullRequests: 1, merged: 1, cycleTimeMedianMinutes: 300 }, human: { pullRequests: 0 } } });
    expect(body.data[0]).toMatchObject({ number: 7, aiShare: 1, highestAiRiskTier: 4, url: "https://github.com/acme/api/pull/7", reviews: { approvedWithoutComment: true } });
  });

  it("answers the page's rows as CSV, formulas guarded", async () => {
    const response = await call(pullList.loader, "/pulls?format=csv");
    expect(response.headers.get("Content-Type")).toContain("text/csv");
    expect(response.headers.get("Content-Disposition")).toContain("sentinel-pulls-2026-03-20.csv");
    const text = await response.text();
    expect(text.split("\r\n")[0]).toContain("repoFullName,number,title");
    expect(text).toContain("'=cmd|calc");
  });

  it("refuses a bad query with a 400 naming each field", async () => {
    const response = await call(pullList.loader, "/pulls?days=14&kind=bots&page=0&repo=nope");
    expect(response.status).toBe(400);
    const body = (await response.json()) as { fieldErrors: Record<string, string> };
    expect(Object.keys(body.fieldErrors).sort()).toEqual(["days", "kind", "page", "repo"]);
    expect(body.fieldErrors.kind).toBe("kind is all, ai or human");
  });

  it("lists nothing of another organisation's repository", async () => {
    const body = pullRequestListResponse.parse(await (await call(pullList.loader, `/pulls?repo=${foreignRepoId}`)).json());
    expect(body.total).toBe(0);
  });
});

describe("GET /api/v1/repos/{id}/pulls/{number}", () => {
  it("answers the pull request with its commits and AI files", async () => {
    const response = await call(pullDetail.loader, `/repos/${repoId}/pulls/7`, { repoId, number: "7" });
    expect(response.status).toBe(200);
    const body = pullRequestDetailResponse.parse(await response.json());
    expect(body.data.commits.map((commit) => commit.sha)).toEqual(["abc"]);
    expect(body.data.aiFiles).toEqual([{ path: "src/auth.ts", riskTier: 4, aiLines: 10, commits: 1 }]);
  });

  it("answers 404 for an unknown number, a malformed one and another organisation's repository", async () => {
    for (const [path, params] of [
      [`/repos/${repoId}/pulls/8`, { repoId, number: "8" }],
      [`/repos/${repoId}/pulls/x`, { repoId, number: "x" }],
      [`/repos/${foreignRepoId}/pulls/7`, { repoId: foreignRepoId, number: "7" }],
    ] as const) {
      expect((await call(pullDetail.loader, path, params)).status, path).toBe(404);
    }
  });
});
