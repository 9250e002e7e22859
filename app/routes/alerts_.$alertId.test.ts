import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAlert } from "../../application/alerts/record-alert.ts";
import type { Services } from "../../application/services.ts";
import { evaluateAiShareSpike, evaluateHighRiskDeployed, type DailyRepoMetrics } from "../../domain/alerts/rules.ts";
import { DEFAULT_ALERT_SETTINGS } from "../../domain/alerts/settings.ts";
import { alerts, codeEvents, notificationChannels, organizationMembers, organizations, repositories, users } from "../../infrastructure/db/schema/index.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as alertPage from "./alerts_.$alertId.tsx";
import * as alertsPage from "./alerts.tsx";

/** The alerts fire at this instant (the pages read no "last N days"; an acknowledgement is stamped with the wall clock). */
const NOW = new Date("2026-06-15T12:00:00Z");

type RouteHandler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let cookie: string;
let spikeId: string;
let deployedId: string;
let foreignId: string;
let repoId: string;
let eventId: number;
const HEAD = "b".repeat(40);
const RISKY = "c".repeat(40);

async function run(handler: RouteHandler, path: string, options: { params: Record<string, string>; form?: Record<string, string> }) {
  const request = new Request(`http://sentinel.test${path}`, {
    method: options.form ? "POST" : "GET",
    headers: { Cookie: cookie },
    body: options.form ? new URLSearchParams(options.form) : undefined,
  });
  try {
    const result = await handler({ request, params: options.params, context: { services } });
    if (result instanceof Response) return { status: result.status, body: null as unknown, location: result.headers.get("Location") };
    return { status: 200, body: result, location: null };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: null as unknown, location: thrown.headers.get("Location") };
    throw thrown;
  }
}

const day = (date: string, written: number, ai: number): DailyRepoMetrics => ({
  date,
  linesAdded: written,
  writtenLines: written,
  aiLinesAdded: ai,
  linesDeleted: 0,
  linesByTier: null,
  aiLinesByTier: null,
  aiChurnLines: null,
  humanChurnLines: null,
});

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
  const db = database.db;
  const [org] = await db.insert(organizations).values({ slug: "acme", name: "Acme" }).returning({ id: organizations.id });
  const [repo] = await db.insert(repositories).values({ orgId: org!.id, fullName: "acme/api", githubId: 101, source: "github" }).returning({ id: repositories.id });
  repoId = repo!.id;
  const [user] = await db.insert(users).values({ login: "alice", githubId: 1001 }).returning({ id: users.id });
  await db.insert(organizationMembers).values({ orgId: org!.id, userId: user!.id, role: "owner" });
  await db.insert(notificationChannels).values({ orgId: org!.id, kind: "email", name: "On-call", config: { to: ["oncall@acme.example"] } });
  // The organisation has since raised the spike threshold: the page shows both.
  await db.update(organizations).set({ settings: { alerts: { ai_share_spike: { increasePoints: 25 } } } }).where(eq(organizations.id, org!.id));

  const repoRef = { id: repoId, fullName: "acme/api" };
  const spike = evaluateAiShareSpike(
    { repo: repoRef, asOf: "2026-06-14", daily: [day("2026-06-05", 1000, 630), day("2026-06-12", 1000, 910)], survival: null, reviewQueue: null },
    DEFAULT_ALERT_SETTINGS.ai_share_spike,
  )!;
  const deployed = evaluateHighRiskDeployed(
    {
      repo: repoRef,
      deployment: { id: "d-1", sha: HEAD, environment: "production", previousSha: "a".repeat(40) },
      files: [{ commitSha: RISKY, filePath: "src/auth/session.ts", aiConfidence: 0.95, riskTier: 4, linesAdded: 40, countsTowardShare: true }],
    },
    DEFAULT_ALERT_SETTINGS.high_risk_deployed,
  )!;
  const recordedSpike = await recordAlert(db, org!.id, spike, NOW);
  const recordedDeployed = await recordAlert(db, org!.id, deployed, NOW);
  if (!recordedSpike.created || !recordedDeployed.created) throw new Error("alerts not recorded");
  spikeId = recordedSpike.alertId;
  deployedId = recordedDeployed.alertId;
  const [event] = await db
    .insert(codeEvents)
    .values({ orgId: org!.id, repoId, type: "commit", eventKey: `commit/${RISKY}`, commitSha: RISKY, timestamp: NOW, payload: {} })
    .returning({ id: codeEvents.id });
  eventId = event!.id;

  const [other] = await db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning({ id: organizations.id });
  const [otherRepo] = await db.insert(repositories).values({ orgId: other!.id, fullName: "globex/secret", githubId: 4242 }).returning({ id: repositories.id });
  const foreign = await recordAlert(db, other!.id, { ...spike, repoId: otherRepo!.id, title: "AI share jumped in globex/secret" }, NOW);
  if (!foreign.created) throw new Error("foreign alert not recorded");
  foreignId = foreign.alertId;

  const session = await services.sessionStorage.getSession();
  session.set("userId", user!.id);
  session.set("orgId", org!.id);
  cookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

type PageData = Awaited<ReturnType<typeof alertPage.loader>>;

describe("the alert page", () => {
  it("says why, with the numbers against the threshold then and today, and where it was sent", async () => {
    const page = await run(alertPage.loader, `/alerts/${spikeId}`, { params: { alertId: spikeId } });
    expect(page.status).toBe(200);
    const data = page.body as PageData;
    expect(data.alert.reason).toBe("AI-written share rose from 63 % to 91 % week over week, up 28 points (threshold 20 points)");
    expect(data.ruleName).toBe("AI share spike");
    expect(data.figures).toContainEqual({ label: "Rise", value: "28 points", thresholdThen: "more than 20 points", thresholdNow: "more than 25 points" });
    expect(data.figures).toContainEqual({ label: "AI share, last 7 days", value: "91 %", thresholdThen: null, thresholdNow: null });
    expect(data.triggers).toEqual([{ kind: "repository", label: "acme/api", to: `/repos/${repoId}`, github: "https://github.com/acme/api" }]);
    expect(data.alert.deliveries).toMatchObject([{ channelName: "On-call", kind: "email", status: "pending", attempts: 0 }]);
    expect(data.alert.acknowledgedAt).toBeNull();
  });

  it("links a deployment alert to its commits: Sentinel's event page where analysed, GitHub always", async () => {
    const data = (await run(alertPage.loader, `/alerts/${deployedId}`, { params: { alertId: deployedId } })).body as PageData;
    expect(data.alert.reason).toBe("1 critical (T4) file with AI confidence ≥ 0.8 went to production in 1 of 1 new commit");
    expect(data.triggers.map(({ kind, to, github }) => ({ kind, to, github }))).toEqual([
      { kind: "repository", to: `/repos/${repoId}`, github: "https://github.com/acme/api" },
      { kind: "deployment", to: null, github: `https://github.com/acme/api/compare/${"a".repeat(40)}...${HEAD}` },
      { kind: "commit", to: null, github: `https://github.com/acme/api/commit/${HEAD}` },
      { kind: "commit", to: `/events/${eventId}`, github: `https://github.com/acme/api/commit/${RISKY}` },
    ]);
    expect(data.figures).toContainEqual({ label: "Minimum risk tier of a file", value: "T4", thresholdThen: "T4", thresholdNow: "T4" });
  });

  it("answers 404 for another organisation's alert and for a malformed id, and acknowledges neither", async () => {
    const outcomes = await Promise.all([
      run(alertPage.loader, `/alerts/${foreignId}`, { params: { alertId: foreignId } }),
      run(alertPage.loader, "/alerts/not-a-uuid", { params: { alertId: "not-a-uuid" } }),
      run(alertPage.loader, "/alerts/1", { params: { alertId: "1" } }),
      run(alertPage.action, `/alerts/${foreignId}`, { params: { alertId: foreignId }, form: { intent: "acknowledge" } }),
      run(alertPage.action, "/alerts/not-a-uuid", { params: { alertId: "not-a-uuid" }, form: { intent: "acknowledge" } }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([404, 404, 404, 404, 404]);
    const [foreign] = await database.db.select({ acknowledgedAt: alerts.acknowledgedAt }).from(alerts).where(eq(alerts.id, foreignId));
    expect(foreign!.acknowledgedAt).toBeNull();
  });

  it("refuses a form that is not an acknowledgement", async () => {
    const outcome = await run(alertPage.action, `/alerts/${spikeId}`, { params: { alertId: spikeId }, form: { intent: "delete" } });
    expect(outcome.status).toBe(400);
  });

  it("acknowledges once: the status changes, and a second press keeps the first who and when", async () => {
    const first = await run(alertPage.action, `/alerts/${spikeId}`, { params: { alertId: spikeId }, form: { intent: "acknowledge" } });
    expect(first).toMatchObject({ status: 302, location: `/alerts/${spikeId}` });
    const acknowledged = (await run(alertPage.loader, `/alerts/${spikeId}`, { params: { alertId: spikeId } })).body as PageData;
    expect(acknowledged.alert).toMatchObject({ acknowledgedBy: "alice" });
    expect(acknowledged.alert.acknowledgedAt).not.toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await run(alertPage.action, `/alerts/${spikeId}`, { params: { alertId: spikeId }, form: { intent: "acknowledge" } });
    expect(second.status).toBe(302);
    const again = (await run(alertPage.loader, `/alerts/${spikeId}`, { params: { alertId: spikeId } })).body as PageData;
    expect(again.alert).toMatchObject({ acknowledgedAt: acknowledged.alert.acknowledgedAt, acknowledgedBy: "alice" });
  });
});

describe("the alerts list", () => {
  it("gives each alert its reason sentence", async () => {
    const list = (await run(alertsPage.loader, "/alerts", { params: {} })).body as Awaited<ReturnType<typeof alertsPage.loader>>;
    const reasons = Object.fromEntries(list.alerts.map((alert) => [alert.id, alert.reason]));
    expect(reasons).toEqual({
      [spikeId]: "AI-written share rose from 63 % to 91 % week over week, up 28 points (threshold 20 points)",
      [deployedId]: "1 critical (T4) file with AI confidence ≥ 0.8 went to production in 1 of 1 new commit",
    });
  });
});
