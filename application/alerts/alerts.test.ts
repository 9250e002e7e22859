/**
 * Alerts on the real PostgreSQL with the in-process queue and local fakes for Slack, Resend and PagerDuty:
 * the 24 h dedup under concurrency (catalogue row 27), the event rules' hooks, acknowledgement and tenancy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAlertJobs } from "../../jobs/alerts.ts";
import { createJobRouter } from "../../jobs/router.ts";
import { createWebhookJobs, PROCESS_DELIVERY_JOB } from "../../jobs/webhooks.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { createIncident } from "../incidents/create-incident.server.ts";
import { startFakeChannels, type FakeChannels } from "../../tests/fakes/channels.ts";
import { createNotifier } from "../../infrastructure/notify/notifier.ts";
import { waitFor } from "../../tests/support/queue.ts";
import type { Services } from "../services.ts";
import { acknowledgeAlert } from "./acknowledge.server.ts";
import { evaluateRepositoryAlerts, type AlertEvaluationDeps } from "./evaluate.ts";
import { sendTestNotification } from "./test-notification.ts";

const T0 = new Date("2026-03-15T09:00:00Z");
const HOUR = 3_600_000;
const ROUTING_KEY = "R0UT1NGKEY0000000000000000000001";

let database: TestDatabase;
let services: Services;
let closeServices: () => Promise<void>;
let fakes: FakeChannels;
let orgId: string;
let otherOrgId: string;
let repoId: string;
let otherChannelId: string;
let clock = T0;
const channelIds: Record<"slack" | "email" | "pagerduty", string> = { slack: "", email: "", pagerduty: "" };

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close: closeServices } = await createTestServices(database));
  fakes = await startFakeChannels();
  const sql = database.sql;
  orgId = (await sql<{ id: string }[]>`insert into organizations (slug, name, timezone) values ('acme', 'Acme', 'UTC') returning id`)[0]!.id;
  otherOrgId = (await sql<{ id: string }[]>`insert into organizations (slug, name) values ('globex', 'Globex') returning id`)[0]!.id;
  // An untrusted repository name: it must reach every channel escaped.
  repoId = (await sql<{ id: string }[]>`insert into repositories (org_id, full_name, source) values (${orgId}, 'acme/<!channel>-api', 'local') returning id`)[0]!.id;
  for (const [kind, config] of [
    ["slack", { channelId: "C0ALERTS01" }],
    ["email", { to: ["oncall@acme.example"] }],
    ["pagerduty", { routingKey: ROUTING_KEY }],
  ] as const) {
    const [row] = await sql<{ id: string }[]>`insert into notification_channels (org_id, kind, name, config) values (${orgId}, ${kind}, ${kind}, ${JSON.stringify(config)}::jsonb) returning id`;
    channelIds[kind] = row!.id;
  }
  otherChannelId = (await sql<{ id: string }[]>`insert into notification_channels (org_id, kind, name, config) values (${otherOrgId}, 'email', 'theirs', ${JSON.stringify({ to: ["x@globex.example"] })}::jsonb) returning id`)[0]!.id;
  // 95 of 100 critical lines AI-written in the week up to 2026-03-14.
  await sql`insert into repo_metrics (org_id, repo_id, date, lines_added, ai_lines_added, lines_by_tier, ai_lines_by_tier)
            values (${orgId}, ${repoId}, '2026-03-14', 100, 95, ${JSON.stringify({ t1: 0, t2: 0, t3: 0, t4: 100 })}::jsonb, ${JSON.stringify({ t1: 0, t2: 0, t3: 0, t4: 95 })}::jsonb)`;

  const notifier = createNotifier({
    slackApiUrl: fakes.slackApiUrl,
    slackBotToken: "xoxb-test",
    resendBaseUrl: fakes.resendBaseUrl,
    resendApiKey: "re_test",
    emailFrom: "Sentinel <alerts@sentinel.example>",
    pagerDutyEventsUrl: fakes.pagerDutyEventsUrl,
    timeoutMs: 2_000,
  });
  const jobs = createAlertJobs({
    db: services.db,
    queue: services.queue,
    logger: services.logger,
    env: { ...services.env, PUBLIC_URL: "https://sentinel.example.com" },
    notifier,
    deliveryRetry: { attempts: 3, backoff: { type: "fixed", delayMs: 50 } },
    now: () => clock,
  });
  await services.queue.startWorker("notifications", createJobRouter("notifications", jobs.notifications), { concurrency: 4 });
  await services.queue.startWorker(
    "scheduled-jobs",
    createJobRouter("scheduled-jobs", jobs.scheduled),
    { concurrency: 2 },
  );
}, 60_000);

afterAll(async () => {
  await closeServices?.();
  await fakes?.close();
  await database?.drop();
});

beforeEach(() => {
  fakes.slack.posts.length = 0;
  fakes.resend.emails.length = 0;
  fakes.pagerDuty.events.length = 0;
  fakes.pagerDuty.requests.length = 0;
});

const deps = (): AlertEvaluationDeps => ({
  db: services.db,
  queue: services.queue,
  logger: services.logger,
  now: () => clock,
  deliveryRetry: { attempts: 3, backoff: { type: "fixed", delayMs: 50 } },
});
const daily = { repoId: "", source: "compute-metrics-daily" as const, period: "2026-03-14" };

async function alertsOf(rule: string) {
  return database.sql<{ id: string; sent_at: Date | null; delivery_status: Record<string, { status: string; attempts: number }>; details: Record<string, unknown> }[]>`
    select id, sent_at, delivery_status, details from alerts where org_id = ${orgId} and rule = ${rule} order by triggered_at`;
}

describe("24 h dedup in the database (catalogue row 27)", () => {
  it("ten concurrent evaluations of the same rule and repository create one alert and one notification per channel", async () => {
    clock = T0;
    const results = await Promise.all(Array.from({ length: 10 }, () => evaluateRepositoryAlerts(deps(), { ...daily, repoId })));
    expect(results.flatMap((result) => result.created)).toHaveLength(1);
    expect(results.flatMap((result) => result.deduplicated)).toHaveLength(9);
    const [alert, ...more] = await alertsOf("ai_code_critical");
    expect(more).toHaveLength(0);
    expect(alert!.details).toMatchObject({ aiSharePercent: 95, thresholdPercent: 90, message: "95 % of critical code was AI-written (threshold 90 %)" });

    await waitFor(async () => (await alertsOf("ai_code_critical"))[0]?.sent_at, { what: "every channel settled", timeoutMs: 10_000 });
    expect(fakes.slack.posts).toHaveLength(1);
    expect(fakes.resend.emails).toHaveLength(1);
    expect(fakes.pagerDuty.events).toHaveLength(1);
    expect(fakes.pagerDuty.events[0]).toMatchObject({ event_action: "trigger", dedup_key: alert!.id, payload: { severity: "critical" } });
    // The repository's name arrives escaped: no @channel ping.
    expect(fakes.slack.posts[0]!.text).toContain("acme/&lt;!channel&gt;-api");
    expect(fakes.slack.posts[0]!.text).toContain(`<https://sentinel.example.com/alerts/${alert!.id}|Open in Sentinel>`);
    expect(String(fakes.resend.emails[0]!.body.html)).toContain("acme/&lt;!channel&gt;-api");
    const [settled] = await alertsOf("ai_code_critical");
    expect(Object.values(settled!.delivery_status).map((entry) => [entry.status, entry.attempts])).toEqual([
      ["sent", 1],
      ["sent", 1],
      ["sent", 1],
    ]);
  });

  it("stays quiet for 24 hours, then alerts again", async () => {
    clock = new Date(T0.getTime() + 23 * HOUR);
    const quiet = await evaluateRepositoryAlerts(deps(), { ...daily, repoId });
    expect(quiet.created).toHaveLength(0);
    expect(quiet.deduplicated).toEqual([{ rule: "ai_code_critical", alertId: (await alertsOf("ai_code_critical"))[0]!.id }]);
    clock = new Date(T0.getTime() + 24 * HOUR);
    const again = await Promise.all([evaluateRepositoryAlerts(deps(), { ...daily, repoId }), evaluateRepositoryAlerts(deps(), { ...daily, repoId })]);
    expect(again.flatMap((result) => result.created)).toHaveLength(1);
    expect(await alertsOf("ai_code_critical")).toHaveLength(2);
    await waitFor(async () => (await alertsOf("ai_code_critical"))[1]?.sent_at, { what: "second alert settled", timeoutMs: 10_000 });
    expect(fakes.slack.posts).toHaveLength(1);
  });
});

describe("acknowledging an alert", () => {
  it("is tenant-scoped, records who and when once, and acknowledges the PagerDuty incident with the same dedup_key", async () => {
    const [alert] = await alertsOf("ai_code_critical");
    const userId = (await database.sql<{ id: string }[]>`insert into users (login) values ('oncall') returning id`)[0]!.id;
    expect(await acknowledgeAlert({ db: services.db, queue: services.queue }, otherOrgId, alert!.id, userId)).toEqual({ ok: false, code: "ALERT_NOT_FOUND" });
    expect(await acknowledgeAlert({ db: services.db, queue: services.queue }, orgId, "not-a-uuid", userId)).toEqual({ ok: false, code: "ALERT_NOT_FOUND" });
    const first = await acknowledgeAlert({ db: services.db, queue: services.queue, now: () => clock }, orgId, alert!.id, userId);
    expect(first).toMatchObject({ ok: true, alreadyAcknowledged: false, acknowledgedBy: userId, pagerDutyAcknowledgements: 1 });
    const second = await acknowledgeAlert({ db: services.db, queue: services.queue }, orgId, alert!.id, null);
    expect(second).toMatchObject({ ok: true, alreadyAcknowledged: true, acknowledgedBy: userId, pagerDutyAcknowledgements: 0 });
    await waitFor(() => fakes.pagerDuty.events.find((event) => event.event_action === "acknowledge"), { what: "PagerDuty acknowledge" });
    expect(fakes.pagerDuty.events).toEqual([{ routing_key: ROUTING_KEY, event_action: "acknowledge", dedup_key: alert!.id }]);
  });
});

describe("event rules", () => {
  const sha = (c: string) => c.repeat(40);
  beforeAll(async () => {
    const sql = database.sql;
    // Three commits: a human one deployed before, then an AI-written change to a critical file, then docs.
    for (const [c, at] of [
      ["a", "2026-03-10T10:00:00Z"],
      ["b", "2026-03-11T10:00:00Z"],
      ["c", "2026-03-12T10:00:00Z"],
    ] as const) {
      await sql`insert into commits (org_id, repo_id, sha, authored_at, message_headline, analysis_status, on_default_branch)
                values (${orgId}, ${repoId}, ${sha(c)}, ${at}, ${"fix <@U1> & <script>"}, 'analyzed', true)`;
    }
    const file = (c: string, path: string, confidence: number, tier: number, lines: number) =>
      sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, lines_added, detector_version, authored_at)
          values (${orgId}, ${repoId}, ${sha(c)}, ${path}, 'modified', ${confidence}, ${tier}, ${tier}, ${lines}, 'test', '2026-03-11T10:00:00Z')`;
    await file("a", "src/auth/session.ts", 0.1, 4, 50);
    await file("b", "src/auth/token.ts", 0.92, 4, 80);
    await file("c", "docs/readme.md", 0.95, 1, 10);
  });

  it("high_risk_deployed runs when a webhook delivery marks a production deployment successful", async () => {
    const sql = database.sql;
    await sql`insert into deployments (org_id, repo_id, github_id, sha, environment, is_production, status, created_at)
              values (${orgId}, ${repoId}, 1, ${sha("a")}, 'production', true, 'success', '2026-03-10T12:00:00Z')`;
    // Delivery 2: deployment 2 (sha c) reported successful; recorded as already applied so the job only re-applies it.
    const payload = {
      deployment_status: { id: 77, state: "success", created_at: "2026-03-12T12:05:00Z", environment: "production" },
      deployment: { id: 2, sha: sha("c"), ref: "main", environment: "production", production_environment: true, created_at: "2026-03-12T12:00:00Z", creator: { login: "deployer", id: 9 } },
      repository: { id: 1, full_name: "acme/<!channel>-api", name: "api", owner: { login: "acme" }, private: true, default_branch: "main" },
      // A GitHub App's deliveries name their installation; one without is not tied to a tenant and is ignored.
      installation: { id: 501 },
    };
    await services.db.insert(webhookDeliveries).values({ deliveryId: "deliv-2", event: "deployment_status", installationId: 501, payload, status: "queued" });
    await sql`insert into github_installations (id, org_id, account_id, account_login, account_type) values (501, ${orgId}, 7001, 'acme', 'Organization')`;
    await sql`update repositories set github_id = 1, installation_id = 501 where id = ${repoId}`;
    // The webhook job itself (its worker is not started here: the ingestion tests own that path).
    const webhookJobs = createWebhookJobs({ db: services.db, queue: services.queue, logger: services.logger, backfillDays: null });
    expect(await webhookJobs[PROCESS_DELIVERY_JOB].run({ deliveryId: "deliv-2" }, { id: "j", name: PROCESS_DELIVERY_JOB, queue: "webhooks", data: {}, attemptsMade: 0, updateProgress: async () => {} })).toBe("processed");
    const [alert] = await waitFor(async () => {
      const rows = await alertsOf("high_risk_deployed");
      return rows.length > 0 ? rows : null;
    }, { what: "high_risk_deployed alert", timeoutMs: 10_000 });
    expect(alert!.details).toMatchObject({ previousSha: sha("a"), sha: sha("c"), riskyFilePaths: ["src/auth/token.ts"], newCommits: 2 });
    expect(alert!.details.message).toBe("1 critical (T4) file with AI confidence ≥ 0.8 went to production in 1 of 2 new commits");
  });

  it("incident_ai_attributed runs after createIncident when it is given the queue", async () => {
    const result = await createIncident(
      services.db,
      orgId,
      { repoId, title: "Logins fail", severity: "sev2", startedAt: "2026-03-12T13:00:00Z", suspectedCommitShas: [sha("b").slice(0, 10), sha("c")] },
      null,
      { queue: services.queue },
    );
    expect(result).toMatchObject({ ok: true, alertEvaluationQueued: true });
    const [alert] = await waitFor(async () => {
      const rows = await alertsOf("incident_ai_attributed");
      return rows.length > 0 ? rows : null;
    }, { what: "incident_ai_attributed alert", timeoutMs: 10_000 });
    expect(alert!.details).toMatchObject({ aiSharePercent: 100, lines: 90, aiLines: 90, byTier: { t4: { lines: 80, aiLines: 80 }, t1: { lines: 10, aiLines: 10 } } });
  });
});

describe("send test notification", () => {
  it("sends through the real senders and is tenant-scoped", async () => {
    const notifier = createNotifier({ slackApiUrl: fakes.slackApiUrl, slackBotToken: "xoxb-test", resendBaseUrl: fakes.resendBaseUrl, resendApiKey: "re_test", emailFrom: "alerts@sentinel.example", pagerDutyEventsUrl: fakes.pagerDutyEventsUrl });
    const testDeps = { db: services.db, notifier, publicUrl: "https://sentinel.example.com" };
    // The previous tests' alerts are still being delivered by the workers; let them settle so their requests
    // neither interleave with these nor take the fault injected below.
    await waitFor(async () => {
      const counts = await services.queue.counts("notifications");
      return counts.waiting + counts.active + counts.delayed === 0;
    }, { what: "earlier notifications delivered", timeoutMs: 15_000 });
    expect(await sendTestNotification(testDeps, orgId, channelIds.email)).toEqual({ ok: true, externalId: expect.any(String) });
    const subjects = fakes.resend.emails.map((email) => String(email.body.subject));
    expect(subjects).toContain("[test] [Sentinel Info] Sentinel test notification for email");
    expect(await sendTestNotification(testDeps, orgId, otherChannelId)).toEqual({ ok: false, code: "CHANNEL_NOT_FOUND" });
    fakes.inject("pagerduty.enqueue", { kind: "status", status: 400, body: { status: "invalid event", errors: ["routing_key invalid"] } });
    expect(await sendTestNotification(testDeps, orgId, channelIds.pagerduty)).toMatchObject({ ok: false, code: "DELIVERY_FAILED", retryable: false });
  });
});
