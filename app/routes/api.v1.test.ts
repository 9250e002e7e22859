import { readdirSync } from "node:fs";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, hashApiKey, revokeApiKey } from "../../application/access/api-keys.server.ts";
import { requireApiKey } from "../api/guard.server.ts";
import { getSuspectCandidates } from "../presenters/incidents.server.ts";
import { alerts, apiKeys, codeEvents, incidents, organizations, repoMetrics, repositories } from "../../infrastructure/db/schema/index.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";
import { silentLogger } from "../../infrastructure/logging/logger.ts";
import type { Services } from "../../application/services.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as notFoundRoute from "./api.v1.$.ts";
import * as alertAck from "./api.v1.alerts.$alertId.ack.ts";
import * as alertList from "./api.v1.alerts._index.ts";
import * as eventDetail from "./api.v1.events.$eventId.ts";
import * as eventList from "./api.v1.events._index.ts";
import * as incidentDetail from "./api.v1.incidents.$incidentId.ts";
import * as incidentList from "./api.v1.incidents._index.ts";
import * as openapi from "./api.v1.openapi[.]json.ts";
import * as highRiskFiles from "./api.v1.repos.$repoId.high-risk-files.ts";
import * as repoMetricsRoute from "./api.v1.repos.$repoId.metrics.ts";
import * as repoList from "./api.v1.repos._index.ts";

/** The demo is generated up to this instant, and the routes' "now" (metrics range, alert summary) is the same one. */
const NOW = new Date("2026-11-01T00:00:00Z");

type Handler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
/** Org A is the seeded demo organisation; org B ("Globex") has one repository, event, incident and alert. */
let a: { orgId: string; key: string; repoId: string; eventId: number };
let b: { orgId: string; key: string; repoId: string; eventId: number; incidentId: string; alertId: string };
let alertIdA: string;

async function call(handler: Handler, path: string, options: { key?: string | null; params?: Record<string, string>; method?: string; body?: unknown } = {}) {
  const headers = new Headers();
  const key = options.key === undefined ? a.key : options.key;
  if (key) headers.set("Authorization", `Bearer ${key}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    headers.set("Content-Type", "application/json");
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  const request = new Request(`http://sentinel.test/api/v1${path}`, { method: options.method ?? "GET", headers, body });
  try {
    return (await handler({ request, params: options.params ?? {}, context: { services } })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function count(table: typeof incidents | typeof apiKeys): Promise<number> {
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(table);
  return row!.n;
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
  const seeded = await seedDemoOrganization(
    { db: database.db, queue: services.queue, logger: silentLogger },
    { seed: 3, now: NOW, days: 10, analysis: "inline", metrics: false },
  );
  const db = database.db;
  const [repoA] = await db.select({ id: repositories.id }).from(repositories).where(eq(repositories.orgId, seeded.orgId)).limit(1);
  const [eventA] = await db.select({ id: codeEvents.id }).from(codeEvents).where(eq(codeEvents.orgId, seeded.orgId)).limit(1);
  const keyA = await createApiKey(db, seeded.orgId, { name: "CI", scope: "write" }, null, NOW);
  if (!keyA.ok) throw new Error("key A");
  a = { orgId: seeded.orgId, key: keyA.key, repoId: repoA!.id, eventId: eventA!.id };
  await db.insert(repoMetrics).values([
    { orgId: a.orgId, repoId: a.repoId, date: "2026-10-30", commits: 4, aiCommits: 2, linesAdded: 100, aiLinesAdded: 40, aiPercentage: 40, aiTax: 0.1 },
    { orgId: a.orgId, repoId: a.repoId, date: "2026-10-31", commits: 2, aiCommits: 1, linesAdded: 50, aiLinesAdded: 25, aiPercentage: 50, aiTax: 0.2 },
  ]);
  await db.insert(incidents).values({ orgId: a.orgId, repoId: a.repoId, title: "Checkout 500s", severity: "sev2", startedAt: new Date("2026-10-30T12:00:00Z") });
  [{ id: alertIdA }] = (await db
    .insert(alerts)
    .values({ orgId: a.orgId, repoId: a.repoId, rule: "ai_share_high", severity: "warning", title: "AI share 95 %", triggeredAt: NOW })
    .returning({ id: alerts.id })) as [{ id: string }];

  const [orgB] = await db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning({ id: organizations.id });
  const [repoB] = await db.insert(repositories).values({ orgId: orgB!.id, fullName: "globex/secret", githubId: 4242 }).returning({ id: repositories.id });
  const [eventB] = await db
    .insert(codeEvents)
    .values({ orgId: orgB!.id, repoId: repoB!.id, type: "pr_opened", eventKey: "pr/1/opened", prNumber: 1, timestamp: NOW, payload: { title: "secret" } })
    .returning({ id: codeEvents.id });
  const [incidentB] = await db
    .insert(incidents)
    .values({ orgId: orgB!.id, repoId: repoB!.id, title: "Globex outage", severity: "sev1", startedAt: NOW })
    .returning({ id: incidents.id });
  const [alertB] = await db
    .insert(alerts)
    .values({ orgId: orgB!.id, repoId: repoB!.id, rule: "ai_share_high", severity: "critical", title: "Globex alert", triggeredAt: NOW })
    .returning({ id: alerts.id });
  await db.insert(repoMetrics).values({ orgId: orgB!.id, repoId: repoB!.id, date: "2026-10-31", aiPercentage: 99 });
  const keyB = await createApiKey(db, orgB!.id, { name: "Globex CI" }, null, NOW);
  if (!keyB.ok) throw new Error("key B");
  b = { orgId: orgB!.id, key: keyB.key, repoId: repoB!.id, eventId: eventB!.id, incidentId: incidentB!.id, alertId: alertB!.id };
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("API keys (catalogue row 38)", () => {
  it("stores only a SHA-256 hash and a display prefix; the key itself is nowhere in the table", async () => {
    const [row] = await database.db.select().from(apiKeys).where(eq(apiKeys.orgId, a.orgId));
    expect(row!.keyHash).toBe(hashApiKey(a.key));
    expect(row!.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.key.startsWith(row!.displayPrefix)).toBe(true);
    expect(row!.displayPrefix.length).toBeLessThan(12);
    const [dump] = await database.sql<{ text: string }[]>`select string_agg(t::text, ' ') as text from api_keys t`;
    expect(dump!.text).not.toContain(a.key);
    expect(dump!.text).not.toContain(a.key.slice(10));
  });

  it("answers 401 without a key, with a malformed or mistyped key, and records last use of a good one", async () => {
    const missing = await call(repoList.loader, "/repos", { key: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("WWW-Authenticate")).toContain("Bearer");
    expect(await missing.json()).toEqual({ error: expect.stringContaining("Authorization: Bearer") });
    // One character changed: the checksum no longer matches, so it is refused before any lookup.
    const typo = a.key.slice(0, -1) + (a.key.endsWith("A") ? "B" : "A");
    expect((await call(repoList.loader, "/repos", { key: typo })).status).toBe(401);
    expect((await call(repoList.loader, "/repos", { key: "snt_short" })).status).toBe(401);
    expect((await call(repoList.loader, "/repos")).status).toBe(200);
    const [row] = await database.db.select({ lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.keyHash, hashApiKey(a.key)));
    expect(row!.lastUsedAt).toBeInstanceOf(Date);
  });

  it("a revoked key answers 401 on the very next request", async () => {
    const created = await createApiKey(database.db, a.orgId, { name: "short-lived" }, null, NOW);
    if (!created.ok) throw new Error("create");
    expect((await call(repoList.loader, "/repos", { key: created.key })).status).toBe(200);
    expect(await revokeApiKey(database.db, b.orgId, created.id, new Date())).toEqual({ ok: false, code: "KEY_NOT_FOUND" });
    expect((await call(repoList.loader, "/repos", { key: created.key })).status).toBe(200);
    expect(await revokeApiKey(database.db, a.orgId, created.id, new Date())).toEqual({ ok: true });
    const after = await call(repoList.loader, "/repos", { key: created.key });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: "the API key is invalid or revoked" });
  });
});

describe("GET endpoints", () => {
  it("lists the key's repositories, metrics in a range, high-risk files, events, incidents and alerts", async () => {
    const repos = await (await call(repoList.loader, "/repos")).json();
    expect(repos.data.length).toBe(3);
    expect(repos.data.map((repo: { id: string }) => repo.id)).toContain(a.repoId);

    const metrics = await call(repoMetricsRoute.loader, `/repos/${a.repoId}/metrics?from=2026-10-31&to=2026-11-01`, { params: { repoId: a.repoId } });
    expect(metrics.status).toBe(200);
    const metricsBody = await metrics.json();
    expect(metricsBody.data.map((row: { date: string; aiPercentage: number }) => [row.date, row.aiPercentage])).toEqual([["2026-10-31", 0.5]]);
    expect(metricsBody.data[0]).toMatchObject({ aiShareLow: null, aiShareHigh: null, detectorVersion: null, writtenLines: 0 });
    // The range's share is estimated from the share bins of the demo's analysed commits (ADR 033): over a weekend
    // there are none; over the default 90 days, the demo's ten.
    expect(metricsBody.aiShare).toMatchObject({ aiShare: null, writtenLines: 0, analyzedCommits: 0 });
    const quarter = await (await call(repoMetricsRoute.loader, `/repos/${a.repoId}/metrics`, { params: { repoId: a.repoId } })).json();
    expect(quarter).toMatchObject({ from: "2026-08-04", to: "2026-11-01" });
    expect(quarter.aiShare).toEqual({
      aiShare: expect.any(Number),
      aiShareLow: expect.any(Number),
      aiShareHigh: expect.any(Number),
      writtenLines: expect.any(Number),
      aiLines: expect.any(Number),
      analyzedCommits: expect.any(Number),
      prior: expect.any(Number),
      detectorVersions: [expect.stringMatching(/^sentinel-detector-/)],
    });
    expect(quarter.aiShare.writtenLines).toBeGreaterThan(0);
    expect(quarter.aiShare.aiShareLow).toBeLessThanOrEqual(quarter.aiShare.aiShare);
    expect(quarter.aiShare.aiShareHigh).toBeGreaterThanOrEqual(quarter.aiShare.aiShare);

    const files = await (await call(highRiskFiles.loader, `/repos/${a.repoId}/high-risk-files`, { params: { repoId: a.repoId } })).json();
    expect(Array.isArray(files.data)).toBe(true);
    expect(files.data.every((file: { riskTier: number; maxAiConfidence: number }) => file.riskTier >= 3 && file.maxAiConfidence >= 0.5)).toBe(true);

    const page = await (await call(eventList.loader, "/events?type=commit&limit=5")).json();
    expect(page.data).toHaveLength(5);
    expect(page.nextCursor).toMatch(/^\d+$/);
    const next = await (await call(eventList.loader, `/events?type=commit&limit=5&cursor=${page.nextCursor}`)).json();
    expect(next.data[0].id).toBeLessThan(page.data[4].id);

    const event = await call(eventDetail.loader, `/events/${a.eventId}`, { params: { eventId: String(a.eventId) } });
    expect(event.status).toBe(200);

    const incidentsBody = await (await call(incidentList.loader, "/incidents")).json();
    expect(incidentsBody.data.length).toBeGreaterThan(0);
    expect(incidentsBody.data.every((incident: { repoFullName: string }) => incident.repoFullName.startsWith("acme-demo/"))).toBe(true);

    const alertsBody = await (await call(alertList.loader, "/alerts?status=open")).json();
    expect(alertsBody.data.map((alert: { id: string }) => alert.id)).toEqual([alertIdA]);
    expect(alertsBody.summary).toMatchObject({ open: 1, openBySeverity: { warning: 1 } });
  });

  it("bad query parameters answer 400 with the fields named", async () => {
    const response = await call(eventList.loader, "/events?type=push&cursor=abc");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid query parameters",
      fieldErrors: { cursor: "cursor must come from a previous page", type: expect.stringContaining("type must be one of") },
    });
    const range = await call(repoMetricsRoute.loader, `/repos/${a.repoId}/metrics?from=2026-11-02&to=2026-11-01`, { params: { repoId: a.repoId } });
    expect(range.status).toBe(400);
    expect((await range.json()).fieldErrors).toEqual({ to: "to must not be before from" });
  });

  it("acknowledges an alert once; a second call keeps the first time", async () => {
    const first = await call(alertAck.action, `/alerts/${alertIdA}/ack`, { method: "POST", params: { alertId: alertIdA } });
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    const second = await (await call(alertAck.action, `/alerts/${alertIdA}/ack`, { method: "POST", params: { alertId: alertIdA } })).json();
    expect(second.data).toEqual({ id: alertIdA, acknowledgedAt: firstBody.data.acknowledgedAt, alreadyAcknowledged: true });
  });

  it("unknown API paths answer a JSON 404", async () => {
    const response = await call(notFoundRoute.loader as Handler, "/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.stringContaining("openapi.json") });
  });
});

describe("tenant isolation through the API (catalogue rows 32, 33)", () => {
  it("org A's key on org B's repository, event, incident and alert answers 404", async () => {
    const responses = await Promise.all([
      call(repoMetricsRoute.loader, `/repos/${b.repoId}/metrics`, { params: { repoId: b.repoId } }),
      call(highRiskFiles.loader, `/repos/${b.repoId}/high-risk-files`, { params: { repoId: b.repoId } }),
      call(eventDetail.loader, `/events/${b.eventId}`, { params: { eventId: String(b.eventId) } }),
      call(incidentDetail.loader, `/incidents/${b.incidentId}`, { params: { incidentId: b.incidentId } }),
      call(alertAck.action, `/alerts/${b.alertId}/ack`, { method: "POST", params: { alertId: b.alertId } }),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/not found$/) });
    }
    const [alertB] = await database.db.select({ acknowledgedAt: alerts.acknowledgedAt }).from(alerts).where(eq(alerts.id, b.alertId));
    expect(alertB!.acknowledgedAt).toBeNull();
  });

  it("org B's ids nested in org A's filters and bodies match nothing and write nothing (row 32)", async () => {
    const events = await (await call(eventList.loader, `/events?repo=${b.repoId}`)).json();
    expect(events.data).toEqual([]);
    const incidentsBody = await (await call(incidentList.loader, `/incidents?repo=${b.repoId}`)).json();
    expect(incidentsBody.data).toEqual([]);
    const alertsBody = await (await call(alertList.loader, `/alerts?repo=${b.repoId}`)).json();
    expect(alertsBody.data).toEqual([]);
    const before = await count(incidents);
    const created = await call(incidentList.action, "/incidents", {
      method: "POST",
      body: { repoId: b.repoId, title: "Planted in Globex", severity: "sev2", startedAt: "2026-10-31T10:00:00Z" },
    });
    expect(created.status).toBe(404);
    expect(await count(incidents)).toBe(before);
  });

  it("org B's key sees only org B", async () => {
    const repos = await (await call(repoList.loader, "/repos", { key: b.key })).json();
    expect(repos.data.map((repo: { fullName: string }) => repo.fullName)).toEqual(["globex/secret"]);
    const events = await (await call(eventList.loader, "/events", { key: b.key })).json();
    expect(events.data.map((event: { id: number }) => event.id)).toEqual([b.eventId]);
    const metrics = await call(repoMetricsRoute.loader, `/repos/${a.repoId}/metrics`, { key: b.key, params: { repoId: a.repoId } });
    expect(metrics.status).toBe(404);
  });
});

describe("POST /incidents (catalogue row 40)", () => {
  it("bad fields answer 400 with a message per field, and nothing is written", async () => {
    const before = await count(incidents);
    const response = await call(incidentList.action, "/incidents", {
      method: "POST",
      body: { repoId: "not-a-uuid", title: "x", severity: "sev9", startedAt: "yesterday-ish", suspectedCommitShas: ["zzz"] },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid incident",
      fieldErrors: {
        repoId: "choose a repository",
        title: "give the incident a title of at least 3 characters",
        severity: "choose a severity from sev1 to sev4",
        startedAt: "enter when the incident started",
        suspectedCommitShas: "commit shas are 7 to 40 hex characters",
      },
    });
    const notJson = await call(incidentList.action, "/incidents", { method: "POST", body: "{oops" });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).fieldErrors).toEqual({ request: "the body must be a JSON object" });
    const unknownSha = await call(incidentList.action, "/incidents", {
      method: "POST",
      body: { repoId: a.repoId, title: "Checkout down", severity: "sev2", startedAt: "2026-10-31T10:00:00Z", suspectedCommitShas: ["deadbeef00"] },
    });
    expect(unknownSha.status).toBe(400);
    expect((await unknownSha.json()).fieldErrors).toEqual({ suspectedCommitShas: "commit deadbeef00 is not recorded in this repository" });
    expect(await count(incidents)).toBe(before);
  });

  it("a valid incident is created with its suspects (short shas resolved) and source api", async () => {
    const [commit] = await database.sql<{ sha: string }[]>`select sha from commits where repo_id = ${a.repoId} and analysis_status = 'analyzed' limit 1`;
    const response = await call(incidentList.action, "/incidents", {
      method: "POST",
      body: { repoId: a.repoId, title: "Checkout down", severity: "sev2", startedAt: "2026-10-31T10:00:00Z", suspectedCommitShas: [commit!.sha.slice(0, 10)], source: "demo" },
    });
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body.data).toMatchObject({ title: "Checkout down", source: "api", suspectedCommits: 1, suspects: [{ sha: commit!.sha }] });
    // A share is a fraction 0–1 like every share the API answers (issue 19), not the percent it was until 2026-12-07.
    expect(body.data.aiAttribution === null || (body.data.aiAttribution >= 0 && body.data.aiAttribution <= 1)).toBe(true);
    expect(response.headers.get("Location")).toBe(`/api/v1/incidents/${body.data.id}`);
  });
});

describe("POST /incidents without suspects", () => {
  it("links the suspects Sentinel suggests (the last production deployments' T3/T4 commits)", async () => {
    // An hour after the latest production deployment of the demo's history that shipped T3/T4 commits, in any of its
    // repositories: where one is depends on the generated history, not on a date or repository written here.
    const deployments = await database.sql<{ repo_id: string; created_at: string | Date }[]>`
      select repo_id, created_at from deployments
      where org_id = ${a.orgId} and is_production and status = 'success' order by created_at desc`;
    let startedAt = "";
    let repoId = "";
    let suggested: string[] = [];
    for (const deployment of deployments) {
      repoId = deployment.repo_id;
      startedAt = new Date(new Date(deployment.created_at).getTime() + 3_600_000).toISOString();
      suggested = (await getSuspectCandidates(database.db, a.orgId, repoId, new Date(startedAt)))
        .filter((candidate) => candidate.suggested)
        .map((candidate) => candidate.sha)
        .sort();
      if (suggested.length > 0) break;
    }
    expect(suggested.length, "a production deployment in the demo history shipped T3/T4 commits").toBeGreaterThan(0);
    const response = await call(incidentList.action, "/incidents", {
      method: "POST",
      body: { repoId, title: "Payments timing out", severity: "sev1", startedAt },
    });
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body.data.suspects.map((suspect: { sha: string }) => suspect.sha).sort()).toEqual(suggested);
  });
});

describe("GET /openapi.json", () => {
  it("documents every endpoint with parameters and bodies generated from the routes' zod schemas", async () => {
    const request = new Request("http://sentinel.test/api/v1/openapi.json");
    const response = (await openapi.loader({ request, params: {}, context: { services } })) as Response;
    const document = await response.json();
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths).sort()).toEqual(
      ["/alerts", "/alerts/{id}/ack", "/dora", "/events", "/events/{id}", "/incidents", "/incidents/{id}", "/repos", "/repos/{id}/high-risk-files", "/repos/{id}/dora", "/repos/{id}/metrics", "/repos/{id}/tools", "/repos/{id}/unreviewed-ai-merges", "/teams", "/teams/{id}", "/tools", "/pulls", "/repos/{id}/pulls/{number}"].sort(),
    );
    const eventParameters = document.paths["/events"].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(eventParameters).toEqual(["cursor", "repo", "type", "minConfidence", "limit", "format"]);
    const typeParameter = document.paths["/events"].get.parameters.find((parameter: { name: string }) => parameter.name === "type");
    expect(typeParameter.schema.enum).toContain("commit");
    expect(document.components.schemas.CreateIncident.required).toEqual(expect.arrayContaining(["repoId", "title", "severity", "startedAt"]));
    const metrics = document.paths["/repos/{id}/metrics"].get.responses["200"].content["application/json"].schema;
    expect(Object.keys(metrics.properties.data.items.properties)).toEqual(
      expect.arrayContaining(["aiPercentage", "aiShareLow", "aiShareHigh", "detectorVersion", "writtenLines"]),
    );
    expect(metrics.properties.aiShare.required).toEqual(expect.arrayContaining(["aiShare", "prior", "detectorVersions"]));
    expect(document.servers).toEqual([{ url: "http://sentinel.test/api/v1" }]);

    // Scopes: the scheme explains them; the two writes need write and document the read key's 403; reads do not.
    expect(document.components.securitySchemes.apiKey.description).toMatch(/`read`.*`write`/s);
    for (const write of [document.paths["/incidents"].post, document.paths["/alerts/{id}/ack"].post]) {
      expect(write.security).toEqual([{ apiKey: ["write"] }]);
      expect(write.responses["403"].description).toContain("read-only");
      expect(write.description).toContain("write");
    }
    expect(document.paths["/incidents"].get.security).toBeUndefined();
    expect(document.paths["/incidents"].get.responses["403"]).toBeUndefined();
  });
});

describe("API key scopes and expiry (issue 16)", () => {
  /** A key of org A made with the given fields, `at` the instant it is created (the pinned NOW unless given). */
  async function keyFor(fields: Record<string, unknown>, at: Date = NOW): Promise<string> {
    const created = await createApiKey(database.db, a.orgId, { name: "scoped", ...fields }, null, at);
    if (!created.ok) throw new Error(JSON.stringify(created.fieldErrors));
    return created.key;
  }

  async function openAlert(title: string): Promise<string> {
    const [row] = await database.db
      .insert(alerts)
      .values({ orgId: a.orgId, repoId: a.repoId, rule: "ai_share_high", severity: "warning", title, triggeredAt: NOW })
      .returning({ id: alerts.id });
    return row!.id;
  }

  const incidentBody = { repoId: "", title: "Scoped incident", severity: "sev3", startedAt: "2026-10-31T10:00:00Z", suspectedCommitShas: [] };

  it("a key is read-only unless made with write scope", async () => {
    const created = await createApiKey(database.db, a.orgId, { name: "default" }, null, NOW);
    if (!created.ok) throw new Error("create");
    expect(created.scope).toBe("read");
    expect(created.expiresAt).toBeNull();
  });

  it("a read key reads (200) but cannot create an incident or acknowledge an alert (403 with the reason, nothing written)", async () => {
    const key = await keyFor({ scope: "read" });
    expect((await call(repoList.loader, "/repos", { key })).status).toBe(200);
    expect((await call(alertList.loader, "/alerts", { key })).status).toBe(200);

    const before = await count(incidents);
    const created = await call(incidentList.action, "/incidents", { key, method: "POST", body: { ...incidentBody, repoId: a.repoId } });
    expect(created.status).toBe(403);
    expect(await created.json()).toEqual({ error: "this API key is read-only; create a key with write scope to create incidents" });
    expect(created.headers.get("WWW-Authenticate")).toContain('error="insufficient_scope"');
    expect(await count(incidents)).toBe(before);

    const alertId = await openAlert("Read key cannot ack");
    const ack = await call(alertAck.action, `/alerts/${alertId}/ack`, { key, method: "POST", params: { alertId } });
    expect(ack.status).toBe(403);
    expect(await ack.json()).toEqual({ error: "this API key is read-only; create a key with write scope to acknowledge alerts" });
    const [alert] = await database.db.select({ acknowledgedAt: alerts.acknowledgedAt }).from(alerts).where(eq(alerts.id, alertId));
    expect(alert!.acknowledgedAt).toBeNull();
  });

  it("a write key reads, creates an incident and acknowledges an alert", async () => {
    const key = await keyFor({ scope: "write" });
    expect((await call(repoList.loader, "/repos", { key })).status).toBe(200);
    const created = await call(incidentList.action, "/incidents", { key, method: "POST", body: { ...incidentBody, repoId: a.repoId } });
    expect(created.status).toBe(201);
    const alertId = await openAlert("Write key acks");
    const ack = await call(alertAck.action, `/alerts/${alertId}/ack`, { key, method: "POST", params: { alertId } });
    expect(ack.status).toBe(200);
    expect((await ack.json()).data).toMatchObject({ id: alertId, alreadyAcknowledged: false });
  });

  it("an expired key answers 401 saying it expired, from the instant it expires on the injected clock", async () => {
    // Made 30 days before NOW with "30d": it expires exactly at NOW, which the routes' clock is pinned to.
    const expired = await keyFor({ scope: "write", expires: "30d" }, new Date(NOW.getTime() - 30 * 86_400_000));
    const response = await call(repoList.loader, "/repos", { key: expired });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: `the API key expired at ${NOW.toISOString()}; create a new one in Settings → API keys` });
    expect(response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    const write = await call(incidentList.action, "/incidents", { key: expired, method: "POST", body: { ...incidentBody, repoId: a.repoId } });
    expect(write.status).toBe(401);
    const [row] = await database.db.select({ lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.keyHash, hashApiKey(expired)));
    expect(row!.lastUsedAt).toBeNull();

    // One minute more to live: still accepted.
    const alive = await keyFor({ expires: new Date(NOW.getTime() + 60_000).toISOString() });
    expect((await call(repoList.loader, "/repos", { key: alive })).status).toBe(200);
  });

  it("another organisation's keys answer as before: a write key gets 404 on org A's alert, a read key 403 without looking it up", async () => {
    const alertId = await openAlert("Org A only");
    const globexWrite = await createApiKey(database.db, b.orgId, { name: "Globex writer", scope: "write" }, null, NOW);
    if (!globexWrite.ok) throw new Error("create");
    const foreign = await call(alertAck.action, `/alerts/${alertId}/ack`, { key: globexWrite.key, method: "POST", params: { alertId } });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: "alert not found" });
    const planted = await call(incidentList.action, "/incidents", { key: globexWrite.key, method: "POST", body: { ...incidentBody, repoId: a.repoId } });
    expect(planted.status).toBe(404);
    // b.key is read-only: refused for its scope before any lookup, so the answer says nothing about org A's alert.
    const readOnly = await call(alertAck.action, `/alerts/${alertId}/ack`, { key: b.key, method: "POST", params: { alertId } });
    expect(readOnly.status).toBe(403);
    const [alert] = await database.db.select({ acknowledgedAt: alerts.acknowledgedAt }).from(alerts).where(eq(alerts.id, alertId));
    expect(alert!.acknowledgedAt).toBeNull();
  });

  it("every API route's action refuses a read key, and a non-GET request needs write even where a route declared read", async () => {
    const key = await keyFor({ scope: "read" });
    // The catch-all answers 404 to everything without looking at keys; every other action changes data.
    const modules = readdirSync(new URL(".", import.meta.url)).filter((file) => /^api\.v1\..+\.ts$/.test(file) && !file.endsWith(".test.ts") && file !== "api.v1.$.ts");
    const withActions: string[] = [];
    for (const file of modules) {
      const route = (await import(/* @vite-ignore */ new URL(file, import.meta.url).href)) as { action?: Handler };
      if (!route.action) continue;
      withActions.push(file);
      const uuid = "00000000-0000-4000-8000-000000000000";
      const response = await call(route.action, "/any", { key, method: "POST", body: {}, params: { alertId: uuid, incidentId: uuid, repoId: uuid, eventId: "1" } });
      expect(response.status, file).toBe(403);
    }
    expect(withActions.sort()).toEqual(["api.v1.alerts.$alertId.ack.ts", "api.v1.incidents._index.ts"]);

    const deleteRequest = new Request("http://sentinel.test/api/v1/repos", { method: "DELETE", headers: { Authorization: `Bearer ${key}` } });
    const refused = await requireApiKey(deleteRequest, { services } as never, "read").catch((thrown: unknown) => thrown as Response);
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(403);
    expect(await (refused as Response).json()).toEqual({ error: "this API key is read-only; create a key with write scope to send DELETE requests" });
  });
});
