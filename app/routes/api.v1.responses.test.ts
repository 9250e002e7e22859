import { readdirSync } from "node:fs";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { createApiKey } from "../../application/access/api-keys.server.ts";
import { CSV_LISTS, csvColumns, type CsvList } from "../api/csv.server.ts";
import {
  alertAckResponse,
  alertListResponse,
  type alertSchema,
  eventDetailResponse,
  eventListResponse,
  feedEventSchema,
  type highRiskFileSchema,
  highRiskFilesResponse,
  incidentDetailResponse,
  incidentListResponse,
  type incidentSummarySchema,
  type metricsDaySchema,
  repoListResponse,
  repoMetricsResponse,
  type repositorySummarySchema,
} from "../api/responses.server.ts";
import { aiToolsResponseSchema, organisationAiToolsResponseSchema } from "../presenters/ai-tools.server.ts";
import { unreviewedAiMergesResponseSchema } from "../presenters/unreviewed-ai-merges.server.ts";
import type { AlertSummary, AlertView } from "../presenters/alerts.server.ts";
import { doraResponseSchema } from "../presenters/dora.server.ts";
import { pullRequestDetailResponse, pullRequestListResponse } from "../presenters/pulls.server.ts";
import type { RepositorySummary } from "../presenters/dashboard.server.ts";
import type { EventDetail, FeedEvent } from "../presenters/events.server.ts";
import type { IncidentDetail, IncidentSummary } from "../presenters/incidents.server.ts";
import type { HighRiskFile, RepoMetricsPoint, RepoShareEstimate, RepositoryRef } from "../presenters/repository.server.ts";
import { alerts, codeAttribution, codeEvents, incidentCommits, incidents, organizations, repoMetrics, repositories } from "../../infrastructure/db/schema/index.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";
import { silentLogger } from "../../infrastructure/logging/logger.ts";
import type { Services } from "../../application/services.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as alertAck from "./api.v1.alerts.$alertId.ack.ts";
import * as alertList from "./api.v1.alerts._index.ts";
import * as organizationDora from "./api.v1.dora.ts";
import * as eventDetail from "./api.v1.events.$eventId.ts";
import * as eventList from "./api.v1.events._index.ts";
import * as incidentDetail from "./api.v1.incidents.$incidentId.ts";
import * as incidentList from "./api.v1.incidents._index.ts";
import * as openapi from "./api.v1.openapi[.]json.ts";
import * as repoDora from "./api.v1.repos.$repoId.dora.ts";
import * as highRiskFiles from "./api.v1.repos.$repoId.high-risk-files.ts";
import * as repoMetricsRoute from "./api.v1.repos.$repoId.metrics.ts";
import * as repoTools from "./api.v1.repos.$repoId.tools.ts";
import * as organizationTools from "./api.v1.tools.ts";
import * as teamList from "./api.v1.teams._index.ts";
import * as teamDetail from "./api.v1.teams.$teamId.ts";
import { teamDetailResponse, teamListResponse } from "../presenters/teams.server.ts";
import * as repoUnreviewedAiMerges from "./api.v1.repos.$repoId.unreviewed-ai-merges.ts";
import * as repoList from "./api.v1.repos._index.ts";
import * as pullList from "./api.v1.pulls.ts";
import * as pullDetail from "./api.v1.repos.$repoId.pulls.$number.ts";

/**
 * The API's contract: every endpoint's 200 body parses with its strict response schema (a field a presenter adds
 * without the schema fails here), the OpenAPI document shows exactly those schemas, and each list answers
 * `?format=csv` with the same items.
 */

const NOW = new Date("2026-11-01T00:00:00Z");
/** Text a spreadsheet would run, with a comma, quotes and a line break: every CSV rule at once. */
const HOSTILE = '=HYPERLINK("http://evil.test","click"), then\nmore';

type Handler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
/** The demo organisation: natural data for the contract. */
let demo: { key: string; orgId: string; repoId: string; commitEventId: number; otherEventId: number; incidentId: string; alertId: string };
/** A small organisation whose texts are hostile to spreadsheets: one row for every list. */
let hostile: { key: string; repoId: string };

async function call(handler: Handler, path: string, options: { key: string; params?: Record<string, string>; method?: string; body?: unknown }) {
  const headers = new Headers({ Authorization: `Bearer ${options.key}` });
  if (options.body !== undefined) headers.set("Content-Type", "application/json");
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const request = new Request(`http://sentinel.test/api/v1${path}`, { method: options.method ?? "GET", headers, body });
  try {
    return (await handler({ request, params: options.params ?? {}, context: { services } })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function keyOf(orgId: string): Promise<string> {
  const created = await createApiKey(database.db, orgId, { name: "contract", scope: "write" }, null, NOW);
  if (!created.ok) throw new Error("key");
  return created.key;
}

async function seedDemo(): Promise<typeof demo> {
  const seeded = await seedDemoOrganization(
    { db: database.db, queue: services.queue, logger: silentLogger },
    { seed: 3, now: NOW, days: 10, analysis: "inline" },
  );
  const orgId = seeded.orgId;
  // The repository with the most AI-changed T3/T4 files, so its high-risk list is not empty.
  const [riskiest] = await database.sql<{ repo_id: string }[]>`
    select repo_id from code_attribution
    where org_id = ${orgId} and risk_tier >= 3 and ai_confidence >= 0.5 and counts_toward_share
    group by repo_id order by count(distinct file_path) desc limit 1`;
  // A commit event with per-file verdicts (one whose signals carry a fitted tell's odds when there is one), and another.
  const [commitEvent] = await database.sql<{ id: number; repo_id: string; commit_sha: string }[]>`
    select e.id, e.repo_id, e.commit_sha from code_events e join commits c on c.repo_id = e.repo_id and c.sha = e.commit_sha
    where e.org_id = ${orgId} and e.type = 'commit' and c.analysis_status = 'analyzed'
      and exists (select 1 from code_attribution ca where ca.repo_id = c.repo_id and ca.commit_sha = c.sha)
    order by jsonb_path_exists(c.signals, '$[*].odds') desc, jsonb_array_length(c.signals) desc, e.id limit 1`;
  const [otherEvent] = await database.db
    .select({ id: codeEvents.id })
    .from(codeEvents)
    .where(and(eq(codeEvents.orgId, orgId), sql`${codeEvents.type} <> 'commit'`))
    .limit(1);
  // An incident suspecting that commit (the demo's ten days have none with suspects).
  const [incident] = await database.db
    .insert(incidents)
    .values({ orgId, repoId: commitEvent!.repo_id, title: "Checkout 500s", severity: "sev2", startedAt: NOW })
    .returning({ id: incidents.id });
  await database.db.insert(incidentCommits).values({ incidentId: incident!.id, repoId: commitEvent!.repo_id, commitSha: commitEvent!.commit_sha });
  const [alert] = await database.db
    .insert(alerts)
    .values({ orgId, repoId: riskiest!.repo_id, rule: "ai_share_high", severity: "warning", title: "AI share 95 %", details: { threshold: 50, value: 95 }, triggeredAt: NOW })
    .returning({ id: alerts.id });
  await database.db.insert(alerts).values({ orgId, repoId: null, rule: "digest", severity: "info", title: "Organisation-wide", triggeredAt: NOW });
  return {
    key: await keyOf(orgId),
    orgId,
    repoId: riskiest!.repo_id,
    commitEventId: commitEvent!.id,
    otherEventId: otherEvent!.id,
    incidentId: incident!.id,
    alertId: alert!.id,
  };
}

async function seedHostile(): Promise<typeof hostile> {
  const db = database.db;
  const [org] = await db.insert(organizations).values({ slug: "hostile", name: "Hostile" }).returning({ id: organizations.id });
  const orgId = org!.id;
  const [repo] = await db.insert(repositories).values({ orgId, fullName: HOSTILE, githubId: 777 }).returning({ id: repositories.id });
  const repoId = repo!.id;
  const yesterday = new Date(NOW.getTime() - 86_400_000);
  await db
    .insert(codeEvents)
    .values({ orgId, repoId, type: "pr_opened", eventKey: "pr/1/opened", prNumber: 1, actor: "@mallory", timestamp: yesterday, payload: { title: HOSTILE } });
  const sha = "c0ffee".padEnd(40, "0");
  await db.insert(codeAttribution).values({
    orgId,
    repoId,
    commitSha: sha,
    filePath: HOSTILE,
    changeType: "added",
    aiConfidence: 0.9,
    riskTier: 4,
    baseRiskTier: 4,
    riskReasons: ["-payments", "auth, session"],
    linesAdded: 12,
    writtenLines: 12,
    detectorVersion: "test",
    authoredAt: yesterday,
  });
  const [incident] = await db
    .insert(incidents)
    .values({ orgId, repoId, title: HOSTILE, severity: "sev1", startedAt: yesterday })
    .returning({ id: incidents.id });
  await db.insert(incidentCommits).values({ incidentId: incident!.id, repoId, commitSha: sha });
  await db.insert(alerts).values({ orgId, repoId, rule: "ai_share_high", severity: "critical", title: HOSTILE, details: { note: "+1" }, triggeredAt: yesterday });
  await db.insert(repoMetrics).values({
    orgId,
    repoId,
    date: "2026-10-31",
    commits: 3,
    aiPercentage: 40,
    aiTax: 0.1,
    detectorVersion: HOSTILE,
    linesByTier: { t1: 1, t2: 2, t3: 3, t4: 4 },
    aiLinesByTier: { t1: 0, t2: 1, t3: 1, t4: 2 },
  });
  return { key: await keyOf(orgId), repoId };
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
  demo = await seedDemo();
  hostile = await seedHostile();
}, 120_000);

afterAll(async () => {
  await close?.();
  await database?.drop();
});

async function jsonOf(response: Response): Promise<unknown> {
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return response.json();
}

describe("response schemas (issue 18)", () => {
  it("every endpoint's body parses with its strict schema, on the demo's data and on the hostile organisation's", async () => {
    for (const org of [
      { key: demo.key, repoId: demo.repoId },
      { key: hostile.key, repoId: hostile.repoId },
    ]) {
      const { key, repoId } = org;
      const repos = repoListResponse.parse(await jsonOf(await call(repoList.loader, "/repos", { key })));
      expect(repos.data.length).toBeGreaterThan(0);
      const metrics = repoMetricsResponse.parse(await jsonOf(await call(repoMetricsRoute.loader, `/repos/${repoId}/metrics`, { key, params: { repoId } })));
      expect(metrics.data.length).toBeGreaterThan(0);
      const files = highRiskFilesResponse.parse(await jsonOf(await call(highRiskFiles.loader, `/repos/${repoId}/high-risk-files`, { key, params: { repoId } })));
      expect(files.data.length).toBeGreaterThan(0);
      aiToolsResponseSchema.parse(await jsonOf(await call(repoTools.loader, `/repos/${repoId}/tools`, { key, params: { repoId } })));
      unreviewedAiMergesResponseSchema.parse(await jsonOf(await call(repoUnreviewedAiMerges.loader, `/repos/${repoId}/unreviewed-ai-merges`, { key, params: { repoId } })));
      doraResponseSchema.parse(await jsonOf(await call(repoDora.loader, `/repos/${repoId}/dora`, { key, params: { repoId } })));
      doraResponseSchema.parse(await jsonOf(await call(organizationDora.loader, "/dora", { key })));
      organisationAiToolsResponseSchema.parse(await jsonOf(await call(organizationTools.loader, "/tools", { key })));
      const teams = teamListResponse.parse(await jsonOf(await call(teamList.loader, "/teams", { key })));
      for (const team of teams.data) teamDetailResponse.parse(await jsonOf(await call(teamDetail.loader, `/teams/${team.id}`, { key, params: { teamId: team.id } })));
      const events = eventListResponse.parse(await jsonOf(await call(eventList.loader, "/events", { key })));
      expect(events.data.length).toBeGreaterThan(0);
      const incidentsBody = incidentListResponse.parse(await jsonOf(await call(incidentList.loader, "/incidents", { key })));
      expect(incidentsBody.data.length).toBeGreaterThan(0);
      const alertsBody = alertListResponse.parse(await jsonOf(await call(alertList.loader, "/alerts", { key })));
      expect(alertsBody.data.length).toBeGreaterThan(0);
    }
  });

  it("unreviewed AI merges: a range it does not offer is a 400 naming days, another organisation's repository a 404", async () => {
    const { key, repoId } = demo;
    const invalid = await call(repoUnreviewedAiMerges.loader, `/repos/${repoId}/unreviewed-ai-merges?days=14`, { key, params: { repoId } });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: "invalid query parameters", fieldErrors: { days: "days is 7, 30, 90 or 365" } });
    const foreign = await call(repoUnreviewedAiMerges.loader, `/repos/${hostile.repoId}/unreviewed-ai-merges`, { key, params: { repoId: hostile.repoId } });
    expect(foreign.status).toBe(404);
  });

  it("pull requests: the list and a pull request's page parse with theirs (demo data)", async () => {
    const { key } = demo;
    const list = pullRequestListResponse.parse(await jsonOf(await call(pullList.loader, "/pulls?days=30", { key })));
    expect(list.data.length).toBeGreaterThan(0);
    const { repoId, number } = list.data[0]!;
    pullRequestDetailResponse.parse(await jsonOf(await call(pullDetail.loader, `/repos/${repoId}/pulls/${number}`, { key, params: { repoId, number: String(number) } })));
  });

  it("the detail endpoints, the acknowledgement and the created incident parse with theirs", async () => {
    const { key } = demo;
    const commit = eventDetailResponse.parse(await jsonOf(await call(eventDetail.loader, "/events/x", { key, params: { eventId: String(demo.commitEventId) } })));
    expect(commit.data.commit?.signals.length).toBeGreaterThan(0);
    expect(commit.data.files.length).toBeGreaterThan(0);
    const other = eventDetailResponse.parse(await jsonOf(await call(eventDetail.loader, "/events/x", { key, params: { eventId: String(demo.otherEventId) } })));
    expect(other.data).toMatchObject({ commit: null, files: [] });

    const incident = incidentDetailResponse.parse(await jsonOf(await call(incidentDetail.loader, "/incidents/x", { key, params: { incidentId: demo.incidentId } })));
    expect(incident.data.suspects.length).toBeGreaterThan(0);

    const ack = { key, method: "POST", params: { alertId: demo.alertId } };
    alertAckResponse.parse(await jsonOf(await call(alertAck.action, "/alerts/x/ack", ack)));
    expect(alertAckResponse.parse(await jsonOf(await call(alertAck.action, "/alerts/x/ack", ack))).data.alreadyAcknowledged).toBe(true);
    const acknowledged = alertListResponse.parse(await jsonOf(await call(alertList.loader, "/alerts?status=acknowledged", { key })));
    expect(acknowledged.data.map((alert) => alert.id)).toEqual([demo.alertId]);

    const [commitRow] = await database.sql<{ sha: string }[]>`select sha from commits where repo_id = ${demo.repoId} and analysis_status = 'analyzed' limit 1`;
    const created = await call(incidentList.action, "/incidents", {
      key,
      method: "POST",
      body: { repoId: demo.repoId, title: "Contract", severity: "sev3", startedAt: "2026-10-31T10:00:00Z", suspectedCommitShas: [commitRow!.sha] },
    });
    expect(created.status).toBe(201);
    incidentDetailResponse.parse(await created.json());
  });

  it("a field the schema lacks, or a field of another type, fails the parse", () => {
    const event = {
      id: 1,
      type: "commit",
      repoId: "00000000-0000-4000-8000-000000000000",
      repoFullName: "acme/api",
      timestamp: NOW.toISOString(),
      actor: null,
      commitSha: null,
      prNumber: null,
      summary: "x",
      aiConfidence: 0.5,
      analysisStatus: "analyzed",
    };
    expect(feedEventSchema.safeParse(event).success).toBe(true);
    expect(feedEventSchema.safeParse({ ...event, addedByAPresenter: 1 }).success).toBe(false);
    expect(feedEventSchema.safeParse({ ...event, aiConfidence: "0.5" }).success).toBe(false);
    expect(feedEventSchema.safeParse({ ...event, timestamp: "yesterday" }).success).toBe(false);
    expect(eventListResponse.safeParse({ data: [], nextCursor: null, total: 0 }).success).toBe(false);
  });

  it("each schema's output has every field of the presenter's type (checked by tsc)", () => {
    expectTypeOf<z.output<typeof repositorySummarySchema>>().toExtend<RepositorySummary>();
    expectTypeOf<z.output<typeof repoMetricsResponse>["repository"]>().toExtend<RepositoryRef>();
    expectTypeOf<z.output<typeof repoMetricsResponse>["aiShare"]>().toExtend<RepoShareEstimate>();
    expectTypeOf<z.output<typeof metricsDaySchema>>().toExtend<RepoMetricsPoint>();
    expectTypeOf<z.output<typeof highRiskFileSchema>>().toExtend<HighRiskFile>();
    expectTypeOf<z.output<typeof feedEventSchema>>().toExtend<FeedEvent>();
    expectTypeOf<z.output<typeof eventDetailResponse>["data"]>().toExtend<EventDetail>();
    expectTypeOf<z.output<typeof incidentSummarySchema>>().toExtend<IncidentSummary>();
    expectTypeOf<z.output<typeof incidentDetailResponse>["data"]>().toExtend<IncidentDetail>();
    expectTypeOf<z.output<typeof alertSchema>>().toExtend<AlertView>();
    expectTypeOf<z.output<typeof alertListResponse>["summary"]>().toExtend<AlertSummary>();
  });
});

async function openApiDocument() {
  const request = new Request("http://sentinel.test/api/v1/openapi.json");
  return ((await openapi.loader({ request, params: {}, context: { services } })) as Response).json();
}

/** What the document must show for a zod schema: its output JSON Schema, without the dialect line. */
function outputJsonSchema(schema: z.ZodType) {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: "output" });
  return json;
}

describe("the OpenAPI document's responses", () => {
  const documented: Record<string, z.ZodType> = {
    "get /repos 200": repoListResponse,
    "get /repos/{id}/metrics 200": repoMetricsResponse,
    "get /repos/{id}/high-risk-files 200": highRiskFilesResponse,
    "get /repos/{id}/tools 200": aiToolsResponseSchema,
    "get /repos/{id}/unreviewed-ai-merges 200": unreviewedAiMergesResponseSchema,
    "get /repos/{id}/dora 200": doraResponseSchema,
    "get /dora 200": doraResponseSchema,
    "get /pulls 200": pullRequestListResponse,
    "get /repos/{id}/pulls/{number} 200": pullRequestDetailResponse,
    "get /tools 200": organisationAiToolsResponseSchema,
    "get /teams 200": teamListResponse,
    "get /teams/{id} 200": teamDetailResponse,
    "get /events 200": eventListResponse,
    "get /events/{id} 200": eventDetailResponse,
    "get /incidents 200": incidentListResponse,
    "post /incidents 201": incidentDetailResponse,
    "get /incidents/{id} 200": incidentDetailResponse,
    "get /alerts 200": alertListResponse,
    "post /alerts/{id}/ack 200": alertAckResponse,
  };

  it("shows each success response as the JSON Schema of its zod schema, and no shapeless {data: {}} is left", async () => {
    const document = await openApiDocument();
    const successes: Record<string, unknown> = {};
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (status.startsWith("2")) successes[`${method} ${path} ${status}`] = response.content?.["application/json"]?.schema;
        }
      }
    }
    expect(Object.keys(successes).sort()).toEqual(Object.keys(documented).sort());
    for (const [operation, schema] of Object.entries(documented)) expect(successes[operation], operation).toEqual(outputJsonSchema(schema));
    expect(JSON.stringify(document)).not.toContain('"data":{}');
    expect(document.components.schemas).not.toHaveProperty("RepoMetricsDay");
  });

  it("documents every API route module: a new endpoint is not done until the document shows it", async () => {
    const document = await openApiDocument();
    const modules = readdirSync(new URL(".", import.meta.url)).filter(
      (file) => /^api\.v1\..+\.ts$/.test(file) && !file.endsWith(".test.ts") && !["api.v1.$.ts", "api.v1.openapi[.]json.ts"].includes(file),
    );
    // Remix's flat route names: dots are slashes, _index is the folder itself, $param is a path parameter ({id}).
    const pathOf = (file: string) =>
      `/${file
        .slice("api.v1.".length, -".ts".length)
        .split(".")
        .filter((segment) => segment !== "_index")
        .map((segment) => (segment === "$number" ? "{number}" : segment.startsWith("$") ? "{id}" : segment))
        .join("/")}`;
    expect(Object.keys(document.paths).sort()).toEqual([...new Set(modules.map(pathOf))].sort());
  });

  it("documents format on every list, with a text/csv answer naming its columns", async () => {
    const document = await openApiDocument();
    const lists: Record<string, CsvList> = {
      "/repos": "repos",
      "/repos/{id}/metrics": "metrics",
      "/repos/{id}/high-risk-files": "high-risk-files",
      "/events": "events",
      "/incidents": "incidents",
      "/alerts": "alerts",
      "/pulls": "pulls",
      "/tools": "tools",
      "/teams": "teams",
    };
    for (const [path, list] of Object.entries(lists)) {
      const operation = document.paths[path].get;
      const format = operation.parameters.find((parameter: { name: string }) => parameter.name === "format");
      expect(format, path).toMatchObject({ in: "query", required: false, schema: { enum: ["json", "csv"], default: "json" } });
      const csv = operation.responses["200"].content["text/csv"];
      expect(csv.schema.type, path).toBe("string");
      expect(csv.schema.description, path).toContain(csvColumns(CSV_LISTS[list]).map((column) => column.header).join(", "));
      expect(operation.responses["200"].headers["Content-Disposition"].description).toContain(`sentinel-${list}-YYYY-MM-DD.csv`);
      expect(operation.responses["400"], path).toBeDefined();
    }
  });

  it("describes one unit: every share, rate and confidence is a 0–1 fraction and says so, and the document says it up front", async () => {
    const document = await openApiDocument();
    const itemOf = (path: string) => document.paths[path].get.responses["200"].content["application/json"].schema.properties.data.items;
    const repository = itemOf("/repos");
    expect(document.info.description).toContain("every share, rate and confidence");
    expect(document.info.description).toContain("fraction between 0 and 1");
    expect(repository.properties.aiShare.description).toContain("fraction 0–1");
    expect(repository.properties.aiShareLow.description).toContain("fraction 0–1");
    expect(repository.properties.aiTax.description).toContain("fraction 0–1");
    expect(itemOf("/incidents").properties.aiAttribution.description).toContain("fraction 0–1");
    expect(itemOf("/repos/{id}/metrics").properties.aiPercentage.description).toContain("fraction 0–1");
    expect(itemOf("/pulls").properties.aiShare.description).toContain("fraction 0–1");
    expect(itemOf("/events").properties.aiConfidence.description).toContain("fraction 0–1");
    // Strict: a client generated from the document rejects fields it was not told about, as the contract test does.
    expect(repository.additionalProperties).toBe(false);
  });
});

/** RFC 4180 text → rows of cells (quoted cells may hold commas, doubled quotes and line breaks; records end in CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = "";
  };
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at]!;
    const next = text[at + 1];
    if (quoted && char === '"' && next === '"') {
      cell += '"';
      at += 1;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (quoted) {
      cell += char;
    } else if (char === ",") {
      endCell();
    } else if (char === "\r" && next === "\n") {
      endCell();
      rows.push(row);
      row = [];
      at += 1;
    } else {
      cell += char;
    }
  }
  return rows;
}

/** The cell the CSV should hold for a JSON value: written out by the rules docs/api.md states, independently of the code. */
function expectedCell(value: unknown): string {
  const guard = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return guard(value.join(";"));
  if (typeof value === "object") return guard(JSON.stringify(value));
  return guard(String(value));
}

const valueAt = (item: Record<string, unknown>, header: string) =>
  header.split(".").reduce<unknown>((value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), item);

describe("?format=csv on the lists (issue 18)", () => {
  /** Each list: its route, and the JSON field of the hostile organisation's row that holds the hostile text. */
  const lists: Array<{ list: CsvList; handler: Handler; path: string; repo?: true; field: string }> = [
    { list: "repos", handler: repoList.loader, path: "/repos", field: "fullName" },
    { list: "metrics", handler: repoMetricsRoute.loader, path: "/repos/{id}/metrics", repo: true, field: "detectorVersion" },
    { list: "high-risk-files", handler: highRiskFiles.loader, path: "/repos/{id}/high-risk-files", repo: true, field: "path" },
    { list: "events", handler: eventList.loader, path: "/events", field: "summary" },
    { list: "incidents", handler: incidentList.loader, path: "/incidents", field: "title" },
    { list: "alerts", handler: alertList.loader, path: "/alerts", field: "title" },
  ];

  const callList = (entry: (typeof lists)[number], query: string, key = hostile.key) =>
    call(entry.handler, `${entry.path.replace("{id}", hostile.repoId)}${query}`, { key, params: entry.repo ? { repoId: hostile.repoId } : {} });

  it.each(lists)("$list: a text/csv attachment whose rows are the JSON items, quoted and guarded", async (entry) => {
    const json = (await (await callList(entry, "")).json()) as { data: Record<string, unknown>[] };
    const response = await callList(entry, "?format=csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="sentinel-${entry.list}-2026-11-01.csv"`);
    const text = await response.text();
    const [header, ...rows] = parseCsv(text);

    // The header is the JSON's field names, a nested object's fields as parent.child, in the schema's order.
    expect(header).toEqual(csvColumns(CSV_LISTS[entry.list]).map((column) => column.header));
    const item = json.data.find((candidate) => candidate[entry.field] === HOSTILE)!;
    expect(item).toBeDefined();
    for (const key of Object.keys(item)) expect(header!.some((name) => name === key || name.startsWith(`${key}.`)), key).toBe(true);
    expect(new Set(header!.map((name) => name.split(".")[0]))).toEqual(new Set(Object.keys(item)));

    // One row per item, in the JSON's order; the hostile row holds the same values, written by the CSV rules.
    expect(rows).toHaveLength(json.data.length);
    const row = rows[json.data.indexOf(item)]!;
    expect(row).toEqual(header!.map((name) => expectedCell(valueAt(item, name))));
    // The comma, the quotes and the line break are quoted (quotes doubled), and the formula starts with an apostrophe.
    expect(text).toContain(`"'=HYPERLINK(""http://evil.test"",""click""), then\nmore"`);
  });

  it.each(lists)("$list: format=xml answers 400 naming format, like a bad filter", async (entry) => {
    const response = await callList(entry, "?format=xml");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid query parameters", fieldErrors: { format: "format is json or csv" } });
  });

  it.each(lists)("$list: the CSV asks for the same key and tenancy as the JSON", async (entry) => {
    const anonymous = await call(entry.handler, `${entry.path.replace("{id}", hostile.repoId)}?format=csv`, {
      key: "snt_nope",
      params: entry.repo ? { repoId: hostile.repoId } : {},
    });
    expect(anonymous.status).toBe(401);
    const foreign = await callList(entry, "?format=csv", demo.key);
    if (entry.repo) {
      expect(foreign.status).toBe(404);
    } else {
      expect(foreign.status).toBe(200);
      expect(await foreign.text()).not.toContain("evil.test");
    }
  });

  it("names the hostile cells as the rules say: lists joined with ;, nested tiers as columns, objects as JSON", async () => {
    const files = parseCsv(await (await callList(lists[2]!, "?format=csv")).text());
    expect(files[1]![files[0]!.indexOf("riskReasons")]).toBe("'-payments;auth, session");
    const metrics = parseCsv(await (await callList(lists[1]!, "?format=csv&from=2026-10-31&to=2026-10-31")).text());
    expect(Object.fromEntries(metrics[0]!.map((name, index) => [name, metrics[1]![index]]))).toMatchObject({
      date: "2026-10-31",
      aiPercentage: "0.4",
      aiTax: "0.1",
      "linesByTier.t4": "4",
      "aiLinesByTier.t4": "2",
      aiShareLow: "",
    });
    const alertsCsv = parseCsv(await (await callList(lists[5]!, "?format=csv")).text());
    expect(alertsCsv[1]![alertsCsv[0]!.indexOf("details")]).toBe('{"note":"+1"}');
    const eventsCsv = parseCsv(await (await callList(lists[3]!, "?format=csv")).text());
    expect(eventsCsv[1]![eventsCsv[0]!.indexOf("actor")]).toBe("'@mallory");
  });

  it("filters apply to the CSV as to the JSON, and a page of events links to the next one", async () => {
    const json = (await (await call(eventList.loader, "/events?type=commit&limit=3", { key: demo.key })).json()) as { data: { id: number }[]; nextCursor: string };
    const response = await call(eventList.loader, "/events?type=commit&limit=3&format=csv", { key: demo.key });
    const [header, ...rows] = parseCsv(await response.text());
    expect(rows.map((row) => Number(row[header!.indexOf("id")]))).toEqual(json.data.map((event) => event.id));
    expect(response.headers.get("Link")).toBe(`</api/v1/events?type=commit&limit=3&format=csv&cursor=${json.nextCursor}>; rel="next"`);
    const bad = await call(eventList.loader, "/events?format=pdf&type=push", { key: demo.key });
    expect((await bad.json()).fieldErrors).toEqual({ format: "format is json or csv", type: expect.stringContaining("type must be one of") });
  });
});
