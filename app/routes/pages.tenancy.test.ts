import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../application/access/api-keys.server.ts";
import { alerts, apiKeys, codeEvents, commits, deployments, incidentCommits, incidents, notificationChannels, organizationMembers, organizations, repositories, users } from "../../infrastructure/db/schema/index.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";
import { silentLogger } from "../../infrastructure/logging/logger.ts";
import { startFakeChannels, type FakeChannels } from "../../tests/fakes/channels.ts";
import type { Services } from "../../application/services.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as alertsPage from "./alerts.tsx";
import * as dashboardPage from "./dashboard.tsx";
import * as eventPage from "./events.$eventId.tsx";
import * as incidentPage from "./incidents.$incidentId.tsx";
import * as incidentsPage from "./incidents._index.tsx";
import * as newIncidentPage from "./incidents.new.tsx";
import * as switchOrgRoute from "./org.switch.tsx";
import * as repoPage from "./repos.$repoId.tsx";
import * as alertRulesPage from "./settings.alerts.tsx";
import * as apiKeysPage from "./settings.api-keys.tsx";
import * as channelsPage from "./settings.channels.tsx";
import * as membersPage from "./settings.members.tsx";
import * as riskPage from "./settings.risk.tsx";

/**
 * The demo is generated up to this instant and the pages read "the last 90 days" and "the last 12 weeks" back from it,
 * so what they count does not change with the day the suite runs.
 */
const NOW = new Date("2026-06-15T12:00:00Z");

type RouteHandler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let fakes: FakeChannels;
let cookieA: string;
let memberCookie: string;
let a: { orgId: string; repoId: string; alertId: string; ownerId: string; memberId: string };
let b: { orgId: string; repoId: string; eventId: number; incidentId: string; alertId: string; keyId: string; channelId: string; memberId: string };

async function signIn(userId: string, orgId: string): Promise<string> {
  const session = await services.sessionStorage.getSession();
  session.set("userId", userId);
  session.set("orgId", orgId);
  return (await services.sessionStorage.commitSession(session)).split(";")[0]!;
}

async function run(
  handler: RouteHandler,
  path: string,
  options: { params?: Record<string, string>; form?: Record<string, string | string[]>; cookie?: string } = {},
): Promise<{ status: number; body: unknown; response: Response | null }> {
  const headers = new Headers({ Cookie: options.cookie ?? cookieA });
  let body: URLSearchParams | undefined;
  if (options.form) {
    body = new URLSearchParams();
    for (const [name, value] of Object.entries(options.form)) for (const item of [value].flat()) body.append(name, item);
  }
  const request = new Request(`http://sentinel.test${path}`, { method: options.form ? "POST" : "GET", headers, body });
  try {
    const result = await handler({ request, params: options.params ?? {}, context: { services } });
    if (result instanceof Response) return { status: result.status, body: null, response: result };
    // `data(value, init)` from a loader or action.
    if (result && typeof result === "object" && "type" in result && (result as { type: string }).type === "DataWithResponseInit") {
      const wrapped = result as unknown as { data: unknown; init: ResponseInit | null };
      return { status: wrapped.init?.status ?? 200, body: wrapped.data, response: null };
    }
    return { status: 200, body: result, response: null };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: null, response: thrown };
    if (thrown && typeof thrown === "object" && "init" in thrown) return { status: (thrown as { init: ResponseInit }).init.status ?? 500, body: null, response: null };
    throw thrown;
  }
}

const countIncidents = async () => (await database.db.select({ n: sql<number>`count(*)::int` }).from(incidents))[0]!.n;

beforeAll(async () => {
  database = await createTestDatabase();
  // Slack, Resend and PagerDuty are local fakes: "Send test" on the channels page goes through the real senders.
  fakes = await startFakeChannels();
  ({ services, close } = await createTestServices(database, {
    env: {
      SLACK_API_URL: fakes.slackApiUrl,
      SLACK_BOT_TOKEN: "xoxb-test",
      RESEND_BASE_URL: fakes.resendBaseUrl,
      RESEND_API_KEY: "re_test",
      ALERT_EMAIL_FROM: "Sentinel <alerts@sentinel.example>",
      PAGERDUTY_EVENTS_URL: fakes.pagerDutyEventsUrl,
      SENTINEL_SECRET_KEY: "pages-test-secret-key-0123456789abcdef",
    },
    clock: fixedClock(NOW),
  }));
  const seeded = await seedDemoOrganization(
    { db: database.db, queue: services.queue, logger: silentLogger },
    { seed: 5, now: NOW, days: 10, analysis: "inline" },
  );
  const db = database.db;
  const [repoA] = await db.select({ id: repositories.id }).from(repositories).where(eq(repositories.orgId, seeded.orgId)).orderBy(repositories.fullName).limit(1);
  const [alertA] = await db
    .insert(alerts)
    .values({ orgId: seeded.orgId, repoId: repoA!.id, rule: "ai_share_high", severity: "warning", title: "AI share high", triggeredAt: NOW })
    .returning({ id: alerts.id });
  const [userA] = await db.insert(users).values({ login: "alice", githubId: 1001 }).returning({ id: users.id });
  const [member] = await db.insert(users).values({ login: "mallory", githubId: 1002 }).returning({ id: users.id });
  a = { orgId: seeded.orgId, repoId: repoA!.id, alertId: alertA!.id, ownerId: userA!.id, memberId: member!.id };
  await db.insert(organizationMembers).values([
    { orgId: a.orgId, userId: userA!.id, role: "owner" },
    { orgId: a.orgId, userId: member!.id, role: "member" },
  ]);

  const [orgB] = await db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning({ id: organizations.id });
  const [repoB] = await db.insert(repositories).values({ orgId: orgB!.id, fullName: "globex/secret", githubId: 4242 }).returning({ id: repositories.id });
  const [eventB] = await db
    .insert(codeEvents)
    .values({ orgId: orgB!.id, repoId: repoB!.id, type: "pr_opened", eventKey: "pr/1/opened", prNumber: 1, timestamp: NOW, payload: { title: "secret" } })
    .returning({ id: codeEvents.id });
  const [incidentB] = await db
    .insert(incidents)
    .values({ orgId: orgB!.id, repoId: repoB!.id, title: "Globex outage", severity: "sev1", startedAt: new Date("2026-10-01T00:00:00Z") })
    .returning({ id: incidents.id });
  const [alertB] = await db
    .insert(alerts)
    .values({ orgId: orgB!.id, repoId: repoB!.id, rule: "ai_share_high", severity: "critical", title: "Globex alert", triggeredAt: NOW })
    .returning({ id: alerts.id });
  const keyB = await createApiKey(db, orgB!.id, { name: "Globex CI" }, null, NOW);
  if (!keyB.ok) throw new Error("key");
  const [channelB] = await db
    .insert(notificationChannels)
    .values({ orgId: orgB!.id, kind: "email", name: "Globex on-call", config: { to: ["oncall@globex.example"] } })
    .returning({ id: notificationChannels.id });
  const [memberB] = await db.insert(users).values({ login: "gina", githubId: 2001 }).returning({ id: users.id });
  await db.insert(organizationMembers).values({ orgId: orgB!.id, userId: memberB!.id, role: "member" });
  b = { orgId: orgB!.id, repoId: repoB!.id, eventId: eventB!.id, incidentId: incidentB!.id, alertId: alertB!.id, keyId: keyB.id, channelId: channelB!.id, memberId: memberB!.id };

  cookieA = await signIn(userA!.id, a.orgId);
  memberCookie = await signIn(member!.id, a.orgId);
});

afterAll(async () => {
  await close?.();
  await fakes?.close();
  await database?.drop();
});

describe("catalogue row 31: org A's user opens org B's URLs", () => {
  it("repository, event, incident and alert pages and their actions answer 404, and change nothing", async () => {
    const outcomes = await Promise.all([
      run(repoPage.loader, `/repos/${b.repoId}`, { params: { repoId: b.repoId } }),
      run(repoPage.loader, "/repos/not-a-uuid", { params: { repoId: "not-a-uuid" } }),
      run(eventPage.loader, `/events/${b.eventId}`, { params: { eventId: String(b.eventId) } }),
      run(incidentPage.loader, `/incidents/${b.incidentId}`, { params: { incidentId: b.incidentId } }),
      run(incidentPage.action, `/incidents/${b.incidentId}`, { params: { incidentId: b.incidentId }, form: { intent: "resolve" } }),
      run(alertsPage.action, "/alerts", { form: { intent: "acknowledge", alertId: b.alertId } }),
      run(apiKeysPage.action, "/settings/api-keys", { form: { intent: "revoke", keyId: b.keyId } }),
      run(riskPage.action, "/settings/risk", { form: { intent: "add", repoId: b.repoId, pattern: "src/**", tier: "1" } }),
      run(riskPage.action, "/settings/risk", { form: { intent: "remove", repoId: b.repoId, pattern: "src/**" } }),
      run(channelsPage.action, "/settings/channels", { form: { intent: "test", channelId: b.channelId } }),
      run(channelsPage.action, "/settings/channels", { form: { intent: "remove", channelId: b.channelId } }),
      run(channelsPage.action, "/settings/channels", { form: { intent: "disable", channelId: b.channelId } }),
      run(membersPage.action, "/settings/members", { form: { intent: "role", userId: b.memberId, role: "owner" } }),
      run(membersPage.action, "/settings/members", { form: { intent: "remove", userId: b.memberId } }),
      run(switchOrgRoute.action, "/org/switch", { form: { orgId: b.orgId, redirectTo: "/dashboard" } }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]);
    // Nothing was sent to B's channel, and it is still there, enabled; B's member kept their role.
    expect(fakes.resend.emails).toEqual([]);
    const [channelB] = await database.db.select({ enabled: notificationChannels.enabled }).from(notificationChannels).where(eq(notificationChannels.id, b.channelId));
    expect(channelB).toEqual({ enabled: true });
    const [memberB] = await database.db.select({ role: organizationMembers.role }).from(organizationMembers).where(eq(organizationMembers.userId, b.memberId));
    expect(memberB).toEqual({ role: "member" });
    const [repoB] = await database.db.select({ riskOverrides: repositories.riskOverrides }).from(repositories).where(eq(repositories.id, b.repoId));
    expect(repoB!.riskOverrides).toEqual([]);
    const [incidentB] = await database.db.select({ resolvedAt: incidents.resolvedAt }).from(incidents).where(eq(incidents.id, b.incidentId));
    expect(incidentB!.resolvedAt).toBeNull();
    const [alertB] = await database.db.select({ acknowledgedAt: alerts.acknowledgedAt }).from(alerts).where(eq(alerts.id, b.alertId));
    expect(alertB!.acknowledgedAt).toBeNull();
    const [keyB] = await database.db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, b.keyId));
    expect(keyB!.revokedAt).toBeNull();
  });

  it("a session whose org id is B's, for a user who is not B's member, still acts in A", async () => {
    const session = await services.sessionStorage.getSession(cookieA);
    session.set("orgId", b.orgId);
    const forged = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
    const outcome = await run(repoPage.loader, `/repos/${b.repoId}`, { params: { repoId: b.repoId }, cookie: forged });
    expect(outcome.status).toBe(404);
    const list = await run(incidentsPage.loader, "/incidents", { cookie: forged });
    expect((list.body as { incidents: { repoFullName: string }[] }).incidents.every((incident) => incident.repoFullName.startsWith("acme-demo/"))).toBe(true);
  });
});

describe("catalogue row 32: org B's ids nested under org A's pages", () => {
  it("filters by B's repository show nothing; the incident form finds no suspects and refuses to log against it", async () => {
    const incidentList = await run(incidentsPage.loader, `/incidents?repo=${b.repoId}`);
    expect((incidentList.body as { incidents: unknown[] }).incidents).toEqual([]);
    const alertList = await run(alertsPage.loader, `/alerts?repo=${b.repoId}`);
    expect((alertList.body as { alerts: unknown[] }).alerts).toEqual([]);
    const form = await run(newIncidentPage.loader, `/incidents/new?repo=${b.repoId}&startedAt=2026-10-31T10:00`);
    expect((form.body as { candidates: unknown[] }).candidates).toEqual([]);
    const before = await countIncidents();
    const posted = await run(newIncidentPage.action, "/incidents/new", {
      form: { repo: b.repoId, title: "Planted", severity: "sev2", startedAt: "2026-10-31T10:00" },
    });
    expect(posted.status).toBe(404);
    expect(await countIncidents()).toBe(before);
  });
});

describe("catalogue row 40: the incident form", () => {
  it("bad fields answer 400 with a message per field, and nothing is written", async () => {
    const before = await countIncidents();
    const posted = await run(newIncidentPage.action, "/incidents/new", {
      form: { repo: a.repoId, title: "x", severity: "sev0", startedAt: "", suspect: ["not-a-sha"] },
    });
    expect(posted.status).toBe(400);
    expect(posted.body).toEqual({
      fieldErrors: {
        title: "give the incident a title of at least 3 characters",
        severity: "choose a severity from sev1 to sev4",
        startedAt: "enter when the incident started",
        suspectedCommitShas: "commit shas are 7 to 40 hex characters",
      },
    });
    expect(await countIncidents()).toBe(before);
  });
});

describe("incident pages", () => {
  it("suggests the T3/T4 commits shipped by the last production deployments, logs the incident with them, and resolves it", async () => {
    const db = database.db;
    const recent = await db
      .select({
        sha: commits.sha,
        at: sql<string>`coalesce(${commits.committedAt}, ${commits.authoredAt})`,
        // What the suspects list keeps (issue 19): analysed commits that wrote lines (merges are skipped, never analysed).
        candidate: sql<boolean>`${commits.analysisStatus} = 'analyzed' and ${commits.writtenLines} > 0 and ${commits.aiConfidence} is not null`,
      })
      .from(commits)
      .where(and(eq(commits.repoId, a.repoId), eq(commits.onDefaultBranch, true)))
      .orderBy(desc(sql`coalesce(${commits.committedAt}, ${commits.authoredAt})`))
      .limit(8);
    expect(recent.length).toBeGreaterThanOrEqual(8);
    const newest = new Date(recent[0]!.at);
    const older = new Date(new Date(recent[7]!.at).getTime());
    await db.delete(deployments).where(eq(deployments.repoId, a.repoId));
    await db.insert(deployments).values([
      { orgId: a.orgId, repoId: a.repoId, githubId: 1, sha: recent[7]!.sha, environment: "production", isProduction: true, status: "success", createdAt: older },
      { orgId: a.orgId, repoId: a.repoId, githubId: 2, sha: recent[0]!.sha, environment: "production", isProduction: true, status: "success", createdAt: newest },
      // Staging and failed deployments do not count.
      { orgId: a.orgId, repoId: a.repoId, githubId: 3, sha: recent[0]!.sha, environment: "staging", isProduction: false, status: "success", createdAt: newest },
    ]);
    const startedAt = new Date(newest.getTime() + 3_600_000).toISOString().slice(0, 16);
    const form = await run(newIncidentPage.loader, `/incidents/new?repo=${a.repoId}&startedAt=${startedAt}`);
    const candidates = (form.body as { candidates: { sha: string; suggested: boolean; score: number }[] }).candidates;
    const shipped = recent.slice(0, 7).filter((commit) => commit.candidate);
    expect(shipped.length).toBeGreaterThan(0);
    expect(candidates.map((candidate) => candidate.sha).sort()).toEqual(shipped.map((commit) => commit.sha).sort());
    // Best first, and the ones pre-ticked are the first few of that order (at most 3).
    expect(candidates.map((candidate) => candidate.score)).toEqual([...candidates.map((candidate) => candidate.score)].sort((x, y) => y - x));
    const ticked = candidates.filter((candidate) => candidate.suggested).length;
    expect(ticked).toBeLessThanOrEqual(3);
    expect(candidates.slice(0, ticked).every((candidate) => candidate.suggested)).toBe(true);
    const suggested = candidates.filter((candidate) => candidate.suggested).map((candidate) => candidate.sha);
    const picked = suggested.length > 0 ? suggested : [candidates[0]!.sha];

    const posted = await run(newIncidentPage.action, "/incidents/new", {
      form: { repo: a.repoId, title: "Checkout returns 500", severity: "sev1", startedAt, description: "after the deploy", suspect: picked },
    });
    expect(posted.status).toBe(302);
    const location = posted.response!.headers.get("Location")!;
    const incidentId = location.split("/").pop()!;
    const links = await db.select({ sha: incidentCommits.commitSha }).from(incidentCommits).where(eq(incidentCommits.incidentId, incidentId));
    expect(links.map((link) => link.sha).sort()).toEqual([...picked].sort());

    const detail = await run(incidentPage.loader, location, { params: { incidentId } });
    const incident = (detail.body as { incident: { suspects: { sha: string; eventId: number | null }[]; aiAttribution: number | null; resolvedAt: string | null } }).incident;
    expect(incident.suspects.map((suspect) => suspect.sha).sort()).toEqual([...picked].sort());
    expect(incident.suspects.every((suspect) => suspect.eventId !== null)).toBe(true);
    expect(incident.resolvedAt).toBeNull();

    const resolved = await run(incidentPage.action, location, { params: { incidentId }, form: { intent: "resolve" } });
    expect(resolved.status).toBe(302);
    const [row] = await db.select({ resolvedAt: incidents.resolvedAt }).from(incidents).where(eq(incidents.id, incidentId));
    expect(row!.resolvedAt).toBeInstanceOf(Date);
  });
});

describe("repository page, alerts and API keys", () => {
  it("the overview has a 12-week AI share sparkline for each of the org's repositories and none of another org's", async () => {
    const outcome = await run(dashboardPage.loader, "/dashboard");
    const body = outcome.body as { dashboard: { repositories: { id: string }[] }; sparklines: { weeks: string[]; aiShare: Record<string, (number | null)[]> } };
    const repoIds = body.dashboard.repositories.map((repo) => repo.id);
    expect(body.sparklines.weeks).toHaveLength(12);
    expect(Object.keys(body.sparklines.aiShare).every((id) => repoIds.includes(id))).toBe(true);
    expect(body.sparklines.aiShare[b.repoId]).toBeUndefined();
    const series = body.sparklines.aiShare[a.repoId]!;
    expect(series).toHaveLength(12);
    expect(series.some((share) => share !== null)).toBe(true);
    expect(series.every((share) => share === null || (share >= 0 && share <= 100))).toBe(true);
  });

  it("the repository page loads its cards, tiers and high-risk files for the org's own repository", async () => {
    const outcome = await run(repoPage.loader, `/repos/${a.repoId}`, { params: { repoId: a.repoId } });
    expect(outcome.status).toBe(200);
    const body = outcome.body as { overview: { cards: { aiShare: number | null }; linesByTier: unknown[] }; highRiskFiles: { riskTier: number }[]; recentEvents: unknown[] };
    expect(body.overview.cards.aiShare).not.toBeNull();
    expect(body.overview.linesByTier).toHaveLength(4);
    expect(body.highRiskFiles.every((file) => file.riskTier >= 3)).toBe(true);
    expect(body.recentEvents.length).toBeGreaterThan(0);
  });

  it("acknowledges the org's own alert and records who", async () => {
    const outcome = await run(alertsPage.action, "/alerts?status=open", { form: { intent: "acknowledge", alertId: a.alertId } });
    expect(outcome.status).toBe(302);
    expect(outcome.response!.headers.get("Location")).toBe("/alerts?status=open");
    const [row] = await database.db.select({ by: alerts.acknowledgedBy }).from(alerts).where(eq(alerts.id, a.alertId));
    expect(row!.by).not.toBeNull();
  });

  it("creates an API key shown once (never in the list) and revokes it; members cannot manage keys", async () => {
    const created = await run(apiKeysPage.action, "/settings/api-keys", { form: { intent: "create", name: "Grafana" } });
    const key = (created.body as { created: { key: string } }).created.key;
    expect(key).toMatch(/^snt_/);
    const list = await run(apiKeysPage.loader, "/settings/api-keys");
    expect(JSON.stringify(list.body)).not.toContain(key);
    const keys = (list.body as { keys: { id: string; name: string }[] }).keys;
    const grafana = keys.find((row) => row.name === "Grafana")!;
    expect((await run(apiKeysPage.action, "/settings/api-keys", { form: { intent: "revoke", keyId: grafana.id } })).status).toBe(200);
    const [row] = await database.db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, grafana.id));
    expect(row!.revokedAt).toBeInstanceOf(Date);
    expect((await run(apiKeysPage.action, "/settings/api-keys", { form: { intent: "create", name: "x" }, cookie: memberCookie })).status).toBe(403);
    const empty = await run(apiKeysPage.action, "/settings/api-keys", { form: { intent: "create", name: " " } });
    expect(empty.status).toBe(400);
  });
});

describe("risk path settings", () => {
  it("adds, re-tiers and removes a pattern of the org's repository; bad input is a 400 with the field named; members cannot change them", async () => {
    const add = (pattern: string, tier: string) => run(riskPage.action, "/settings/risk", { form: { intent: "add", repoId: a.repoId, pattern, tier } });
    expect((await add("src/billing/**", "4")).status).toBe(302);
    expect((await add("src/billing/**", "3")).status).toBe(302);
    expect((await add("*.sql", "3")).status).toBe(302);
    const page = await run(riskPage.loader, "/settings/risk");
    const repo = (page.body as { repositories: { id: string; riskOverrides: unknown[] }[] }).repositories.find((row) => row.id === a.repoId)!;
    expect(repo.riskOverrides).toEqual([
      { pattern: "src/billing/**", tier: 3 },
      { pattern: "*.sql", tier: 3 },
    ]);
    const bad = await add("/etc/passwd", "9");
    expect(bad.status).toBe(400);
    expect((bad.body as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({
      pattern: "patterns are relative to the repository root: drop the leading /",
      tier: "choose a tier from T1 to T4",
    });
    expect((await run(riskPage.action, "/settings/risk", { form: { intent: "remove", repoId: a.repoId, pattern: "*.sql" } })).status).toBe(302);
    const [row] = await database.db.select({ riskOverrides: repositories.riskOverrides }).from(repositories).where(eq(repositories.id, a.repoId));
    expect(row!.riskOverrides).toEqual([{ pattern: "src/billing/**", tier: 3 }]);
    const asMember = await run(riskPage.action, "/settings/risk", { form: { intent: "add", repoId: a.repoId, pattern: "x/**", tier: "1" }, cookie: memberCookie });
    expect(asMember.status).toBe(403);
  });
});

describe("notification channel settings", () => {
  it("adds an email channel, sends a test through Resend and shows the outcome, then removes it; bad input names the field; members only view", async () => {
    const bad = await run(channelsPage.action, "/settings/channels", { form: { intent: "add", kind: "email", name: "", addresses: "oncall@" } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ intent: "add", kind: "email", fieldErrors: { name: "name the channel, e.g. #alerts or On-call", addresses: "must be email addresses" } });

    const added = await run(channelsPage.action, "/settings/channels", { form: { intent: "add", kind: "email", name: "On-call", addresses: "oncall@acme.example" } });
    expect(added.status).toBe(302);
    const page = await run(channelsPage.loader, "/settings/channels", { cookie: memberCookie });
    const channels = (page.body as { channels: { id: string; name: string; target: string; enabled: boolean }[]; canManage: boolean }).channels;
    const onCall = channels.find((channel) => channel.name === "On-call")!;
    expect(onCall).toMatchObject({ target: "oncall@acme.example", enabled: true });
    expect((page.body as { canManage: boolean }).canManage).toBe(false);

    const tested = await run(channelsPage.action, "/settings/channels", { form: { intent: "test", channelId: onCall.id } });
    expect(tested.body).toEqual({ intent: "test", channelId: onCall.id, ok: true, message: "Test message sent: it should arrive within a minute." });
    expect(fakes.resend.emails.map((email) => [email.body.to, email.body.subject])).toEqual([[["oncall@acme.example"], "[test] [Sentinel Info] Sentinel test notification for On-call"]]);

    // A channel the service refuses: the person sees why.
    await run(channelsPage.action, "/settings/channels", { form: { intent: "add", kind: "pagerduty", name: "Pager", routingKey: "R0UT1NGKEY0000000000000000000001" } });
    const pager = (await run(channelsPage.loader, "/settings/channels")).body as { channels: { id: string; name: string }[] };
    fakes.inject("pagerduty.enqueue", { kind: "status", status: 400, body: { status: "invalid event", message: "Event object is invalid", errors: ["Invalid routing key"] } });
    const refused = await run(channelsPage.action, "/settings/channels", { form: { intent: "test", channelId: pager.channels.find((channel) => channel.name === "Pager")!.id } });
    expect(refused.body).toMatchObject({ intent: "test", ok: false, message: expect.stringMatching(/^Not delivered: .*400.*Check the channel's settings\.$/) });

    const forms: Record<string, string>[] = [
      { intent: "add", kind: "email", name: "x", addresses: "x@acme.example" },
      { intent: "test", channelId: onCall.id },
      { intent: "remove", channelId: onCall.id },
    ];
    for (const form of forms) {
      expect((await run(channelsPage.action, "/settings/channels", { form, cookie: memberCookie })).status).toBe(403);
    }
    expect(fakes.resend.emails).toHaveLength(1);
    expect((await run(channelsPage.action, "/settings/channels", { form: { intent: "remove", channelId: onCall.id } })).status).toBe(302);
    expect(await database.db.select().from(notificationChannels).where(eq(notificationChannels.id, onCall.id))).toEqual([]);
  });
});

describe("alert rule settings", () => {
  const defaultsForm = async () => {
    const page = await run(alertRulesPage.loader, "/settings/alerts");
    const { settings } = page.body as { settings: Record<string, Record<string, number | boolean>> };
    const form: Record<string, string> = { intent: "save" };
    for (const [rule, fields] of Object.entries(settings)) {
      for (const [field, value] of Object.entries(fields)) if (value !== false) form[`${rule}.${field}`] = value === true ? "on" : String(value);
    }
    return form;
  };

  it("shows the defaults, saves a changed threshold, answers bad values per field, and refuses members", async () => {
    const form = await defaultsForm();
    expect(form["ai_code_critical.thresholdPercent"]).toBe("90");
    const saved = await run(alertRulesPage.action, "/settings/alerts", { form: { ...form, "ai_code_critical.thresholdPercent": "85", "survival_drop.enabled": "" } });
    expect(saved).toMatchObject({ status: 200, body: { saved: true } });
    const [org] = await database.db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, a.orgId));
    expect(org!.settings.alerts).toMatchObject({ ai_code_critical: { thresholdPercent: 85, enabled: true }, survival_drop: { enabled: false } });

    const bad = await run(alertRulesPage.action, "/settings/alerts", { form: { ...form, "ai_code_critical.thresholdPercent": "101", "review_queue_saturated.maxWaiting": "many" } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ saved: false, fieldErrors: { "ai_code_critical.thresholdPercent": "must be 0–100", "review_queue_saturated.maxWaiting": "enter a number" } });
    expect(((await run(alertRulesPage.loader, "/settings/alerts")).body as { settings: { ai_code_critical: { thresholdPercent: number } } }).settings.ai_code_critical.thresholdPercent).toBe(85);

    expect((await run(alertRulesPage.action, "/settings/alerts", { form: { ...form }, cookie: memberCookie })).status).toBe(403);
    expect((await run(alertRulesPage.action, "/settings/alerts", { form: { intent: "reset" } })).body).toEqual({ saved: true });
  });
});

describe("members and the organisation switcher", () => {
  it("lists members with roles; the last owner cannot demote themselves; members cannot manage", async () => {
    const page = await run(membersPage.loader, "/settings/members", { cookie: memberCookie });
    expect((page.body as { members: { login: string; role: string }[] }).members.map((member) => [member.login, member.role])).toEqual([
      ["alice", "owner"],
      ["mallory", "member"],
    ]);
    const lastOwner = await run(membersPage.action, "/settings/members", { form: { intent: "role", userId: a.ownerId, role: "member" } });
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body).toMatchObject({ error: "alice is the organisation's last owner and cannot be demoted: make someone else owner first." });
    expect((await run(membersPage.action, "/settings/members", { form: { intent: "role", userId: a.ownerId, role: "member" }, cookie: memberCookie })).status).toBe(403);
    expect((await run(membersPage.action, "/settings/members", { form: { intent: "role", userId: a.memberId, role: "sudo" } })).status).toBe(400);

    expect((await run(membersPage.action, "/settings/members", { form: { intent: "role", userId: a.memberId, role: "admin" } })).status).toBe(302);
    const [row] = await database.db.select({ role: organizationMembers.role }).from(organizationMembers).where(and(eq(organizationMembers.orgId, a.orgId), eq(organizationMembers.userId, a.memberId)));
    expect(row).toEqual({ role: "admin" });
    await database.db.update(organizationMembers).set({ role: "member" }).where(and(eq(organizationMembers.orgId, a.orgId), eq(organizationMembers.userId, a.memberId)));
  });

  it("a user in two organisations sees the switcher and switches; the choice is kept in the session", async () => {
    const one = await run(dashboardPage.loader, "/dashboard", { cookie: memberCookie });
    expect((one.body as { org: { switchable: unknown[] } }).org.switchable).toEqual([]);

    const [second] = await database.db.insert(organizations).values({ slug: "initech", name: "Initech" }).returning({ id: organizations.id });
    await database.db.insert(organizationMembers).values({ orgId: second!.id, userId: a.ownerId, role: "member" });
    const before = await run(membersPage.loader, "/settings/members");
    expect((before.body as { org: { id: string; switchable: { name: string }[] } }).org).toMatchObject({ id: a.orgId, switchable: [{ name: "Acme (demo)" }, { name: "Initech" }] });

    const switched = await run(switchOrgRoute.action, "/org/switch", { form: { orgId: second!.id, redirectTo: "/settings/members" } });
    expect(switched.status).toBe(302);
    expect(switched.response!.headers.get("Location")).toBe("/settings/members");
    const cookie = switched.response!.headers.get("Set-Cookie")!.split(";")[0]!;
    const after = await run(membersPage.loader, "/settings/members", { cookie });
    expect((after.body as { org: { id: string } }).org.id).toBe(second!.id);
    expect((after.body as { members: { login: string; role: string }[] }).members).toMatchObject([{ login: "alice", role: "member" }]);
    // As a plain member of Initech, alice manages nothing there.
    expect((await run(membersPage.action, "/settings/members", { form: { intent: "remove", userId: a.ownerId }, cookie })).status).toBe(403);
    // A page about one record of the old organisation sends the user to the list instead.
    const fromIncident = await run(switchOrgRoute.action, "/org/switch", { form: { orgId: a.orgId, redirectTo: `/incidents/${b.incidentId}` }, cookie });
    expect(fromIncident.response!.headers.get("Location")).toBe("/incidents");
  });
});
