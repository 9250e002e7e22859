import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardReads, type DashboardReadContext } from "../../bench/dashboard-reads.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { loadOrganizationHistory, shapeOf } from "../../bench/generate.ts";
import { connectPostgres, type DatabaseConnection } from "./client.ts";
import { createStatementRecorder, explainStatement, isRead, sequentialScans, type CapturedStatement } from "../../bench/query-plans.ts";
import { getTeamList, getTeamPage } from "../../app/presenters/teams.server.ts";
import { getDoraSummary, getOrganizationDora } from "../../app/presenters/dora.server.ts";
import { getPullRequestDetail, listPullRequests } from "../../application/pull-requests/list-pull-requests.ts";
import { getOrganisationAiToolsSummary } from "../../app/presenters/ai-tools.server.ts";

/** The two tables that grow without bound: a dashboard read that scans either of them whole gets slower every day. */
const BIG_TABLES = ["code_events", "code_attribution"];
const UNTIL = "2026-03-20";

let database: TestDatabase;
let connection: DatabaseConnection;
const recorder = createStatementRecorder();
let context: DashboardReadContext;

beforeAll(async () => {
  database = await createTestDatabase();
  // Eight months of a generated organisation (~100,000 events, ~20,000 attribution rows), analysed: enough rows
  // that PostgreSQL's planner weighs indexes against scans as it would on a real install, with default settings.
  const generated = await loadOrganizationHistory(database.sql, { ...shapeOf({ repos: 6, days: 240, commitsPerRepoDay: 6, until: UNTIL }), slug: "plans" });
  connection = connectPostgres(database.url, { applicationName: "query-plans-test", max: 1, onQuery: recorder.record });
  const [busiest] = await database.sql<{ repo_id: string }[]>`
    select repo_id from commits where org_id = ${generated.orgId} group by repo_id order by count(*) desc limit 1`;
  const [event] = await database.sql<{ id: number }[]>`select id from code_events where type = 'commit' and repo_id = ${busiest!.repo_id} order by id desc limit 1`;
  const [incident] = await database.sql<{ id: string }[]>`
    select i.id from incidents i where exists (select 1 from incident_commits c where c.incident_id = i.id) order by i.started_at desc limit 1`;
  context = {
    orgId: generated.orgId,
    userId: generated.benchUserId,
    repoId: busiest!.repo_id,
    eventId: Number(event!.id),
    incidentId: incident!.id,
    now: new Date(`${UNTIL}T12:00:00Z`),
  };
}, 300_000);

afterAll(async () => {
  await connection?.close();
  await database?.drop();
});

describe("query plans of the dashboard's reads", () => {
  it("recognises a sequential scan when there is one", async () => {
    const plan = await explainStatement(database.sql, { label: "whole table", query: "select count(*) from code_events where payload::text like $1", parameters: ["%x%"] });
    expect(sequentialScans(plan)).toContain("code_events");
  });

  it("never scans code_events or code_attribution whole", async () => {
    const reads = dashboardReads(connection.db, context);
    for (const read of reads) await recorder.capture(`${read.page}: ${read.label}`, read.run);
    const statements = recorder.statements.filter(isRead);
    // Every read was captured, and the big tables are really read (the check would be empty otherwise).
    expect(new Set(statements.map((statement) => statement.label)).size).toBe(reads.length);
    for (const table of BIG_TABLES) expect(statements.some((statement) => statement.query.includes(table))).toBe(true);

    const offenders: { read: string; tables: string[]; query: string }[] = [];
    const unique = new Map<string, CapturedStatement>();
    for (const statement of statements) unique.set(`${statement.query}\u0000${JSON.stringify(statement.parameters)}`, statement);
    for (const statement of unique.values()) {
      const scanned = sequentialScans(await explainStatement(database.sql, statement)).filter((table) => BIG_TABLES.includes(table));
      if (scanned.length > 0) offenders.push({ read: statement.label, tables: scanned, query: statement.query.replace(/\s+/g, " ").trim() });
    }
    expect(offenders).toEqual([]);
  });

  it("reads the team views from the per-author rollups by index, never from commits or pull requests (ADR 080)", async () => {
    const teamRecorder = createStatementRecorder();
    const teamConnection = connectPostgres(database.url, { applicationName: "query-plans-test", max: 1, onQuery: teamRecorder.record });
    try {
      const list = await teamRecorder.capture("teams, 365 days", () => getTeamList(teamConnection.db, context.orgId, { now: context.now, days: 365 }));
      const largest = [...list.data].sort((a, b) => b.people - a.people)[0]!;
      await teamRecorder.capture("team, 90 days", () => getTeamPage(teamConnection.db, context.orgId, largest.id, { now: context.now, days: 90 }));
      // The generated people committed: the figures come from somewhere.
      expect(list.data.some((team) => team.figures.commits > 0)).toBe(true);
    } finally {
      await teamConnection.close();
    }
    const statements = teamRecorder.statements.filter(isRead);
    expect(statements.some((statement) => statement.query.includes("author_daily_activity"))).toBe(true);
    expect(statements.filter((statement) => /\b(from|join) (commits|pull_requests)\b/i.test(statement.query)).map((statement) => statement.label)).toEqual([]);
    const scanned: { read: string; tables: string[] }[] = [];
    for (const statement of statements) {
      const tables = sequentialScans(await explainStatement(database.sql, statement)).filter((table) => table.startsWith("author_") || table === "commits" || table === "pull_requests");
      if (tables.length > 0) scanned.push({ read: statement.label, tables });
    }
    expect(scanned).toEqual([]);
  });

  it("reads DORA from the deployment facts and the organisation's day totals by index, never from deployments' commits (ADR 082)", async () => {
    const doraRecorder = createStatementRecorder();
    const doraConnection = connectPostgres(database.url, { applicationName: "query-plans-test", max: 1, onQuery: doraRecorder.record });
    try {
      const organisation = await doraRecorder.capture("organisation DORA, 365 days", () => getOrganizationDora(doraConnection.db, context.orgId, { now: context.now, days: 365 }));
      await doraRecorder.capture("organisation DORA, 90 days", () => getOrganizationDora(doraConnection.db, context.orgId, { now: context.now, days: 90 }));
      await doraRecorder.capture("repository DORA, 90 days", () => getDoraSummary(doraConnection.db, context.orgId, context.repoId, { now: context.now, days: 90 }));
      // The generated organisation deployed: the figures come from somewhere.
      expect(organisation.changeFailureRate.deployments).toBeGreaterThan(0);
      expect(organisation.leadTime.commits).toBeGreaterThan(0);
    } finally {
      await doraConnection.close();
    }
    const statements = doraRecorder.statements.filter(isRead);
    expect(statements.some((statement) => statement.query.includes("org_daily_deployments"))).toBe(true);
    expect(statements.filter((statement) => /\b(from|join) (commits|code_attribution|pull_requests|deployments)\b/i.test(statement.query)).map((statement) => statement.label)).toEqual([]);
    // This organisation's facts and day totals are a few hundred rows, which a sequential scan reads cheapest; what
    // matters at 100 repositories is that every table the read touches has an index path, so the plans are made with
    // sequential scans priced out (one still shows where no index serves).
    const scanned: { read: string; tables: string[] }[] = [];
    for (const statement of statements) {
      const plan = await database.sql.begin(async (tx) => {
        await tx`set local enable_seqscan = off`;
        return explainStatement(tx as unknown as typeof database.sql, statement);
      });
      const tables = sequentialScans(plan).filter((table) => ["deployment_facts", "org_daily_deployments", "org_daily_lead_times", "org_weekly_lead_times"].includes(table));
      if (tables.length > 0) scanned.push({ read: statement.label, tables });
    }
    expect(scanned).toEqual([]);
  });

  it("reads the pull-request lens from pull_request_lines and the pull requests' indexes, never a range's attribution (ADR 079)", async () => {
    const pullsRecorder = createStatementRecorder();
    const pullsConnection = connectPostgres(database.url, { applicationName: "query-plans-test", max: 1, onQuery: pullsRecorder.record });
    const day = 86_400_000;
    try {
      const organisation = await pullsRecorder.capture("pull requests, 90 days", () =>
        listPullRequests(pullsConnection.db, { orgId: context.orgId, from: new Date(context.now.getTime() - 90 * day), to: context.now, kind: "all", page: 1, limit: 50 }),
      );
      await pullsRecorder.capture("AI-assisted, one repository, 365 days, second page", () =>
        listPullRequests(pullsConnection.db, { orgId: context.orgId, repoId: context.repoId, from: new Date(context.now.getTime() - 365 * day), to: context.now, kind: "ai", page: 2, limit: 50 }),
      );
      // Above the exact limit, the comparison reads the day histograms (ADR 084); this organisation is small, so lower it.
      const histograms = await pullsRecorder.capture("pull requests, 365 days, from the day histograms", () =>
        listPullRequests(pullsConnection.db, { orgId: context.orgId, from: new Date(context.now.getTime() - 365 * day), to: context.now, kind: "all", page: 1, limit: 50 }, { exactUpTo: 0 }),
      );
      expect(histograms.summary).toMatchObject({ percentiles: "approximate", ai: { pullRequests: expect.any(Number) } });
      expect(histograms.summary.ai.pullRequests + histograms.summary.human.pullRequests).toBeGreaterThan(1_000);
      const newest = organisation.pullRequests[0]!;
      await pullsRecorder.capture("one pull request", () => getPullRequestDetail(pullsConnection.db, { orgId: context.orgId, repoId: newest.repoId, number: newest.number }));
      // The generated pull requests have commits and AI-written lines: the figures come from somewhere.
      expect(organisation.summary.ai.pullRequests).toBeGreaterThan(0);
      expect(organisation.pullRequests.some((row) => row.writtenLines > 0)).toBe(true);
    } finally {
      await pullsConnection.close();
    }
    const lists = pullsRecorder.statements.filter(isRead).filter((statement) => statement.label.startsWith("pull requests") || statement.label.startsWith("AI-assisted"));
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.some((statement) => statement.query.includes("pull_request_lines"))).toBe(true);
    expect(lists.filter((statement) => statement.query.includes("code_attribution")).map((statement) => statement.label)).toEqual([]);
    expect(lists.some((statement) => statement.label.endsWith("day histograms") && statement.query.includes("org_daily_pull_request_times"))).toBe(true);
    const scanned: { read: string; tables: string[] }[] = [];
    // Tables that grow with the history (the day histograms have two rows per organisation and day, the queue is
    // emptied every minute: scanning those is the planner's right choice at this size).
    const watched = ["pull_request_lines", "commits", "code_attribution", "pull_request_time_facts"];
    for (const statement of pullsRecorder.statements.filter(isRead)) {
      const tables = sequentialScans(await explainStatement(database.sql, statement)).filter((table) => watched.includes(table));
      if (tables.length > 0) scanned.push({ read: statement.label, tables });
    }
    expect(scanned).toEqual([]);
  });

  it("reads the organisation's AI tools from the weekly tool rollups, never from commits, and sums the life tables' columns (ADR 078, 081, 083)", async () => {
    const toolsRecorder = createStatementRecorder();
    const toolsConnection = connectPostgres(database.url, { applicationName: "query-plans-test", max: 1, onQuery: toolsRecorder.record });
    try {
      const card = await toolsRecorder.capture("AI tools card, 90 days", () => getOrganisationAiToolsSummary(toolsConnection.db, context.orgId, { now: context.now, days: 90 }));
      await toolsRecorder.capture("organisation AI tools, 365 days", () => getOrganisationAiToolsSummary(toolsConnection.db, context.orgId, { now: context.now, days: 365 }));
      // The generated agents committed: the figures come from somewhere (no survival run wrote life tables here).
      expect(card.data.some((tool) => tool.commits > 0)).toBe(true);
    } finally {
      await toolsConnection.close();
    }
    const statements = toolsRecorder.statements.filter(isRead);
    expect(statements.some((statement) => statement.query.includes("repo_weekly_tool_activity"))).toBe(true);
    expect(statements.some((statement) => statement.query.includes("repo_weekly_tool_lines") && statement.query.includes("deaths_week_11"))).toBe(true);
    // The chart and the pooled life tables from the organisation's rows, one per week and tool (ADR 083): each of the
    // two calls reads each table once.
    const organisationTables = statements.flatMap((statement) => [...statement.query.matchAll(/\bfrom (org_weekly_tool_(?:activity|lines))\b/g)].map((match) => match[1]));
    expect(organisationTables.sort()).toEqual(["org_weekly_tool_activity", "org_weekly_tool_activity", "org_weekly_tool_lines", "org_weekly_tool_lines"]);
    expect(statements.filter((statement) => /\b(from|join) (commits|code_attribution|line_survival)\b|unnest/i.test(statement.query)).map((statement) => statement.label)).toEqual([]);
  });
});
