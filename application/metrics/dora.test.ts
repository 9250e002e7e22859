import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { getDoraFigures } from "./dora.ts";

const NOW = new Date("2026-03-20T12:00:00Z");
const RANGE = { from: new Date("2026-02-18T12:00:00Z"), to: NOW }; // the last 30 days
const MINUTE = 1;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("DORA figures from the stored deployments, commits, attribution and incidents", () => {
  let database: TestDatabase;
  let orgId: string;
  let apiId: string;
  let foreignRepoId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const sql = database.sql;
    const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('acme', 'Acme') returning id`;
    const [globex] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('globex', 'Globex') returning id`;
    orgId = org!.id;
    const repository = async (owner: string, fullName: string, disabled = false) => {
      const [row] = await sql<{ id: string }[]>`
        insert into repositories (org_id, full_name, disabled_at) values (${owner}, ${fullName}, ${disabled ? NOW.toISOString() : null}) returning id`;
      return row!.id;
    };
    apiId = await repository(orgId, "acme/api");
    const webId = await repository(orgId, "acme/web");
    const oldId = await repository(orgId, "acme/old", true);
    foreignRepoId = await repository(globex!.id, "globex/api");

    let githubId = 0;
    const deploy = (repo: string, owner: string, createdAt: string, o: { status?: string; finishedAt?: string | null; production?: boolean } = {}) =>
      sql`insert into deployments (org_id, repo_id, github_id, sha, environment, is_production, status, created_at, finished_at)
          values (${owner}, ${repo}, ${(githubId += 1)}, 'deadbeef', ${o.production === false ? "staging" : "production"}, ${o.production !== false},
            ${o.status ?? "success"}, ${createdAt}, ${o.finishedAt === undefined ? createdAt : o.finishedAt})`;
    const commit = (sha: string, authoredAt: string, o: { committedAt?: string; defaultBranch?: boolean; pr?: number } = {}) =>
      sql`insert into commits (org_id, repo_id, sha, authored_at, committed_at, on_default_branch, pr_number)
          values (${orgId}, ${apiId}, ${sha}, ${authoredAt}, ${o.committedAt ?? null}, ${o.defaultBranch ?? true}, ${o.pr ?? null})`;
    const merged = (number: number, mergedAt: string, baseRef = "main") =>
      sql`insert into pull_requests (org_id, repo_id, number, state, base_ref, opened_at, merged_at)
          values (${orgId}, ${apiId}, ${number}, 'merged', ${baseRef}, '2026-02-26T09:00:00Z', ${mergedAt})`;
    // As the verdict writer stores it: the file's row carries its commit's author date.
    const file = (sha: string, path: string, confidence: number, tier: number) =>
      sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at)
          select org_id, repo_id, sha, ${path}, 'modified', ${confidence}, ${tier}, ${tier}, 'test', authored_at
          from commits where repo_id = ${apiId} and sha = ${sha}`;
    const incident = (repo: string, owner: string, startedAt: string, resolvedAt: string | null) =>
      sql`insert into incidents (org_id, repo_id, title, severity, started_at, resolved_at) values (${owner}, ${repo}, 'Errors', 'sev2', ${startedAt}, ${resolvedAt})`;

    // acme/api. Before the range: the deployment the first one in the range follows.
    await deploy(apiId, orgId, "2026-02-10T10:00:00Z");
    // d1 ships c1 (human) and c2 (authored long before, landed on the 19th; AI-written T4): AI-written T3/T4 code.
    await commit("c1", "2026-02-19T10:00:00Z");
    await commit("c2", "2026-02-15T10:00:00Z", { committedAt: "2026-02-19T12:00:00Z" });
    await file("c1", "src/auth/session.ts", 0.1, 4);
    await file("c2", "src/auth/token.ts", 0.9, 4);
    await deploy(apiId, orgId, "2026-02-20T10:00:00Z", { finishedAt: "2026-02-20T10:10:00Z" });
    // d2 fails; d3 an hour later ships what d2 tried (c3: AI in a T1 file, a human change to a T4 file) and c4.
    await commit("c3", "2026-02-24T10:00:00Z");
    await file("c3", "docs/readme.md", 0.95, 1);
    await file("c3", "src/payments/charge.ts", 0.2, 4);
    await deploy(apiId, orgId, "2026-02-25T10:00:00Z", { status: "failure" });
    await commit("c4", "2026-02-25T10:30:00Z");
    await deploy(apiId, orgId, "2026-02-25T11:00:00Z", { finishedAt: "2026-02-25T11:05:00Z", status: "inactive" });
    // An incident after d3, before d4: d3 failed. One before d1 belongs to the deployment before the range.
    await incident(apiId, orgId, "2026-02-18T13:00:00Z", "2026-02-18T13:30:00Z");
    await incident(apiId, orgId, "2026-02-26T09:00:00Z", "2026-02-26T10:30:00Z");
    // d4 never said when it finished; c5 is on a feature branch (no merged pull request), c6's AI change to a T3 file is
    // just below the threshold.
    await commit("c5", "2026-03-04T10:00:00Z", { defaultBranch: false });
    await commit("c6", "2026-03-05T09:00:00Z");
    await file("c6", "src/billing/invoice.ts", 0.49, 3);
    // A pull request's own commit is never on the default branch (the merge's push lists only the merge): it ships
    // when its pull request merged into the default branch — here between d3 and d4, with AI-written T4 code. A pull
    // request into another branch ships nothing.
    await commit("p1", "2026-02-27T10:00:00Z", { defaultBranch: false, pr: 7 });
    await file("p1", "src/auth/login.ts", 0.8, 4);
    await merged(7, "2026-03-03T10:00:00Z");
    await commit("p2", "2026-02-27T11:00:00Z", { defaultBranch: false, pr: 8 });
    await merged(8, "2026-03-03T11:00:00Z", "release");
    await deploy(apiId, orgId, "2026-03-05T10:00:00Z", { finishedAt: null });
    await incident(apiId, orgId, "2026-03-18T08:00:00Z", null);
    // Not counted: staging, a production deployment still running.
    await deploy(apiId, orgId, "2026-03-01T10:00:00Z", { production: false, status: "failure" });
    await deploy(apiId, orgId, "2026-03-19T10:00:00Z", { status: "in_progress", finishedAt: null });

    // acme/web: one quiet deployment. A disabled repository and another organisation's count nowhere.
    await deploy(webId, orgId, "2026-03-10T10:00:00Z");
    await deploy(oldId, orgId, "2026-03-10T10:00:00Z", { status: "failure" });
    await incident(oldId, orgId, "2026-03-10T11:00:00Z", null);
    await deploy(foreignRepoId, globex!.id, "2026-03-10T10:00:00Z", { status: "error" });
    await incident(foreignRepoId, globex!.id, "2026-03-10T11:00:00Z", null);
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("counts a repository's deployments, lead times, failures and restores, and splits failures by AI-written T3/T4 code", async () => {
    const figures = await getDoraFigures(database.db, { orgId, repoId: apiId }, RANGE);
    expect(figures.deploymentFrequency).toEqual({ deployments: 3, perWeek: 3 / (30 / 7) });
    // c1 24 h 10 min, c2 5 days 10 min (to d1 finishing), c3 25 h 5 min, c4 35 min (d3), c6 1 h and p1 6 days (d4's
    // creation): the median is between c1's and c3's.
    expect(figures.leadTime).toEqual({ medianMinutes: (DAY + 10 * MINUTE + DAY + HOUR + 5 * MINUTE) / 2, commits: 6, deployments: 3 });
    expect(figures.changeFailureRate).toEqual({ failed: 3, deployments: 4, rate: 0.75, failedByStatus: 1, failedByIncident: 2 });
    expect(figures.timeToRestore).toEqual({ medianMinutes: HOUR, resolved: 2, unresolved: 1 });
    expect(figures.aiSplit).toMatchObject({
      comparable: false,
      aiHighRisk: { deployments: 2, failed: 1, rate: 0.5, incidents: 1 },
      other: { deployments: 2, failed: 2, rate: 1, incidents: 1 },
    });
  });

  it("measures lead time to a deployment's creation when it never said when it finished", async () => {
    // d4 alone (the staging deployment is not one): c6 1 h and p1 6 days before d4 was created.
    const figures = await getDoraFigures(database.db, { orgId, repoId: apiId }, { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-03-08T00:00:00Z") });
    expect(figures.leadTime).toEqual({ medianMinutes: (HOUR + 6 * DAY) / 2, commits: 2, deployments: 1 });
  });

  it("adds up the organisation's active repositories", async () => {
    const figures = await getDoraFigures(database.db, { orgId, repoId: null }, RANGE);
    expect(figures.deploymentFrequency.deployments).toBe(4);
    expect(figures.changeFailureRate).toMatchObject({ failed: 3, deployments: 5 });
    expect(figures.timeToRestore).toEqual({ medianMinutes: HOUR, resolved: 2, unresolved: 1 });
    expect(figures.aiSplit.other).toEqual({ deployments: 3, failed: 2, rate: 2 / 3, incidents: 1 });
  });

  it("finds nothing of another organisation's repository", async () => {
    const figures = await getDoraFigures(database.db, { orgId, repoId: foreignRepoId }, RANGE);
    expect(figures.changeFailureRate.deployments).toBe(0);
    expect(figures.timeToRestore).toEqual({ medianMinutes: null, resolved: 0, unresolved: 0 });
  });
});

describe("an incident's deployment: its repository's latest finished production deployment at or before it started, in the range", () => {
  let database: TestDatabase;
  let orgId: string;
  let apiId: string;
  let webId: string;
  let jobsId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const sql = database.sql;
    const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('acme', 'Acme') returning id`;
    orgId = org!.id;
    const repository = async (fullName: string) => {
      const [row] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${orgId}, ${fullName}) returning id`;
      return row!.id;
    };
    apiId = await repository("acme/api");
    webId = await repository("acme/web");
    jobsId = await repository("acme/jobs");

    let githubId = 0;
    const deploy = (repo: string, createdAt: string, o: { status?: string; finishedAt?: string | null; production?: boolean } = {}) =>
      sql`insert into deployments (org_id, repo_id, github_id, sha, environment, is_production, status, created_at, finished_at)
          values (${orgId}, ${repo}, ${(githubId += 1)}, 'deadbeef', ${o.production === false ? "staging" : "production"}, ${o.production !== false},
            ${o.status ?? "success"}, ${createdAt}, ${o.finishedAt === undefined ? createdAt : o.finishedAt})`;
    const incident = (repo: string, startedAt: string, resolvedAt: string | null) =>
      sql`insert into incidents (org_id, repo_id, title, severity, started_at, resolved_at) values (${orgId}, ${repo}, 'Errors', 'sev2', ${startedAt}, ${resolvedAt})`;

    // acme/api: the incident started the instant the deployment was created.
    await deploy(apiId, "2026-03-02T10:00:00Z");
    await incident(apiId, "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z");
    // acme/web: after its production deployment, a failed staging one and a production one still running.
    await deploy(webId, "2026-03-04T10:00:00Z");
    await deploy(webId, "2026-03-05T10:00:00Z", { production: false, status: "failure" });
    await deploy(webId, "2026-03-06T10:00:00Z", { status: "in_progress", finishedAt: null });
    await incident(webId, "2026-03-07T10:00:00Z", null);
    // acme/jobs: a deployment and an incident just before the range; an incident after that deployment in the range;
    // one deployment in the range and an incident after it (later than acme/web's deployment); a failed deployment and an
    // incident at the range's end.
    await deploy(jobsId, "2026-02-18T11:00:00Z");
    await incident(jobsId, "2026-02-18T11:30:00Z", "2026-02-18T12:00:00Z");
    await incident(jobsId, "2026-02-18T13:00:00Z", "2026-02-18T14:00:00Z");
    await deploy(jobsId, "2026-03-01T10:00:00Z");
    await incident(jobsId, "2026-03-08T10:00:00Z", "2026-03-08T13:00:00Z");
    await deploy(jobsId, RANGE.to.toISOString(), { status: "failure" });
    await incident(jobsId, RANGE.to.toISOString(), null);
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("fails the deployment created the instant the incident started", async () => {
    const figures = await getDoraFigures(database.db, { orgId, repoId: apiId }, RANGE);
    expect(figures.changeFailureRate).toEqual({ failed: 1, deployments: 1, rate: 1, failedByStatus: 0, failedByIncident: 1 });
  });

  it("passes over staging deployments and production ones still running", async () => {
    const figures = await getDoraFigures(database.db, { orgId, repoId: webId }, RANGE);
    expect(figures.changeFailureRate).toEqual({ failed: 1, deployments: 1, rate: 1, failedByStatus: 0, failedByIncident: 1 });
    expect(figures.aiSplit.other.incidents).toBe(1);
  });

  it("counts deployments created and incidents started in the range, its end excluded, and fails no deployment before its start", async () => {
    const figures = await getDoraFigures(database.db, { orgId, repoId: jobsId }, RANGE);
    expect(figures.deploymentFrequency.deployments).toBe(1);
    // The incident of the 18th followed a deployment before the range: only the one of the 8th fails a deployment.
    expect(figures.changeFailureRate).toEqual({ failed: 1, deployments: 1, rate: 1, failedByStatus: 0, failedByIncident: 1 });
    expect(figures.aiSplit.other.incidents).toBe(1);
    expect(figures.timeToRestore).toEqual({ medianMinutes: 2 * HOUR, resolved: 2, unresolved: 0 });
  });

  it("matches each incident within its own repository across the organisation", async () => {
    // acme/jobs' incident of the 8th follows acme/web's deployment too, but fails acme/jobs' own.
    const figures = await getDoraFigures(database.db, { orgId, repoId: null }, RANGE);
    expect(figures.changeFailureRate).toEqual({ failed: 3, deployments: 3, rate: 1, failedByStatus: 0, failedByIncident: 3 });
    expect(figures.aiSplit.other.incidents).toBe(3);
  });
});

describe("stored deployment facts follow every write that changes what a deployment shipped (ADR 082)", () => {
  let database: TestDatabase;
  let orgId: string;
  let repoId: string;

  /** The facts the triggers keep, against the same facts computed from scratch, and the day totals against the facts. */
  async function expectStoredFactsFromScratch() {
    const sql = database.sql;
    const stored = await sql`
      select deployment_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes from deployment_facts order by deployment_id`;
    const scratch = await sql`
      select deployment_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes
      from deployment_facts_of(array(select id from deployments)) order by deployment_id`;
    expect(stored).toEqual(scratch);
    const days = await sql`
      select org_id, day::text, ai_high_risk, sum(deployments)::int as deployments, sum(successful)::int as successful, sum(shipping)::int as shipping
      from org_daily_deployments group by 1, 2, 3 having (sum(deployments), sum(successful), sum(shipping)) <> (0, 0, 0) order by 1, 2, 3`;
    const daysFromFacts = await sql`
      select org_id, (created_at at time zone 'UTC')::date::text as day, ai_high_risk, count(*)::int as deployments,
        count(*) filter (where successful)::int as successful, count(*) filter (where successful and shipped_commits > 0)::int as shipping
      from deployment_facts group by 1, 2, 3 order by 1, 2, 3`;
    expect(days).toEqual(daysFromFacts);
    const leadTimes = await sql`
      select org_id, day::text, bucket, sum(commits)::int as commits from org_daily_lead_times group by 1, 2, 3 having sum(commits) <> 0 order by 1, 2, 3`;
    const leadTimesFromFacts = await sql`
      select org_id, (created_at at time zone 'UTC')::date::text as day, lead_time_bucket(minutes) as bucket, count(*)::int as commits
      from deployment_facts cross join unnest(lead_minutes) as minutes where successful group by 1, 2, 3 order by 1, 2, 3`;
    expect(leadTimes).toEqual(leadTimesFromFacts);
    const weeks = await sql`
      select org_id, week::text, bucket, sum(commits)::int as commits from org_weekly_lead_times group by 1, 2, 3 having sum(commits) <> 0 order by 1, 2, 3`;
    const weeksFromFacts = await sql`
      select org_id, date_trunc('week', created_at at time zone 'UTC')::date::text as week, lead_time_bucket(minutes) as bucket, count(*)::int as commits
      from deployment_facts cross join unnest(lead_minutes) as minutes where successful group by 1, 2, 3 order by 1, 2, 3`;
    expect(weeks).toEqual(weeksFromFacts);
  }

  const organisation = () => getDoraFigures(database.db, { orgId, repoId: null }, RANGE);

  beforeAll(async () => {
    database = await createTestDatabase();
    const sql = database.sql;
    const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('acme', 'Acme') returning id`;
    orgId = org!.id;
    const [repository] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${orgId}, 'acme/api') returning id`;
    repoId = repository!.id;
    await sql`insert into deployments (org_id, repo_id, github_id, sha, environment, is_production, status, created_at, finished_at)
      values (${orgId}, ${repoId}, 1, 'a1', 'production', true, 'success', '2026-02-20T10:00:00Z', '2026-02-20T10:05:00Z')`;
    await sql`insert into commits (org_id, repo_id, sha, authored_at, on_default_branch) values
      (${orgId}, ${repoId}, 'c1', '2026-02-21T10:00:00Z', true), (${orgId}, ${repoId}, 'c2', '2026-02-22T10:00:00Z', true)`;
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("adds a deployment's facts when it finishes, with what it shipped", async () => {
    const sql = database.sql;
    await sql`insert into deployments (org_id, repo_id, github_id, sha, environment, is_production, status, created_at)
      values (${orgId}, ${repoId}, 2, 'b2', 'production', true, 'in_progress', '2026-02-23T10:00:00Z')`;
    await expectStoredFactsFromScratch();
    expect((await organisation()).changeFailureRate.deployments).toBe(1);

    await sql`update deployments set status = 'success', finished_at = '2026-02-23T10:30:00Z' where repo_id = ${repoId} and github_id = 2`;
    await expectStoredFactsFromScratch();
    const figures = await organisation();
    expect(figures.deploymentFrequency.deployments).toBe(2);
    // c1 2 days 30 min, c2 1 day 30 min before the second deployment finished.
    expect(figures.leadTime).toMatchObject({ commits: 2, deployments: 1 });
    expect(figures.leadTime.medianMinutes).toBeCloseTo(36 * 60 + 30, -2);
    expect(figures.aiSplit.aiHighRisk.deployments).toBe(0);
  });

  it("moves a deployment to the AI-written T3/T4 side when a shipped commit's verdict lands late, and back when a re-score clears it", async () => {
    const sql = database.sql;
    await sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at)
      select org_id, repo_id, sha, 'src/auth/session.ts', 'modified', 0.9, 4, 4, 'test', authored_at from commits where repo_id = ${repoId} and sha = 'c2'`;
    await expectStoredFactsFromScratch();
    expect((await organisation()).aiSplit).toMatchObject({ aiHighRisk: { deployments: 1 }, other: { deployments: 1 } });

    await sql`update code_attribution set ai_confidence = 0.2 where repo_id = ${repoId} and commit_sha = 'c2'`;
    await expectStoredFactsFromScratch();
    expect((await organisation()).aiSplit).toMatchObject({ aiHighRisk: { deployments: 0 }, other: { deployments: 2 } });
  });

  it("lets two writers of one repository take turns, so the later one's recomputation sees what the earlier one committed", async () => {
    const verdict = await database.sql.reserve();
    const status = await database.sql.reserve();
    try {
      await verdict`begin`;
      await verdict`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at)
        select org_id, repo_id, sha, 'src/payments/charge.ts', 'modified', 0.8, 3, 3, 'test', authored_at from commits where repo_id = ${repoId} and sha = 'c1'`;
      await status`begin`;
      // GitHub restates the deployment that shipped c1 while the verdict is uncommitted: it waits for the verdict.
      const restated = status`update deployments set finished_at = '2026-02-23T10:31:00Z' where repo_id = ${repoId} and github_id = 2`.execute();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await verdict`commit`;
      await restated;
      await status`commit`;
    } finally {
      verdict.release();
      status.release();
    }
    await expectStoredFactsFromScratch();
    expect((await organisation()).aiSplit).toMatchObject({ aiHighRisk: { deployments: 1 }, other: { deployments: 1 } });
  });

  it("widens the next deployment's window when a deployment is deleted, and forgets a deleted repository", async () => {
    const sql = database.sql;
    await sql`insert into commits (org_id, repo_id, sha, authored_at, on_default_branch) values (${orgId}, ${repoId}, 'c0', '2026-02-19T10:00:00Z', true)`;
    await expectStoredFactsFromScratch();
    expect((await organisation()).leadTime).toMatchObject({ commits: 3, deployments: 2 });

    await sql`delete from deployments where repo_id = ${repoId} and github_id = 1`;
    await expectStoredFactsFromScratch();
    // The second deployment is now the first: it ships the week before it, c0 included.
    expect((await organisation()).leadTime).toMatchObject({ commits: 3, deployments: 1 });
    expect((await organisation()).deploymentFrequency.deployments).toBe(1);

    await sql`delete from repositories where id = ${repoId}`;
    await expectStoredFactsFromScratch();
    expect(await sql`select org_id from org_daily_deployments union all select org_id from org_daily_lead_times union all select org_id from org_weekly_lead_times`).toEqual([]);
    expect((await organisation()).changeFailureRate.deployments).toBe(0);
  });
});
