/**
 * Notification delivery on BullMQ (the real Redis) against local fakes of Slack, Resend and PagerDuty: catalogue
 * rows 19–22. Each scenario gets its own organisation with only the channels it exercises.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { AlertCandidate } from "../domain/alerts/rules.ts";
import { DELIVER_ALERT_JOB, enqueueAlertDeliveries } from "../application/alerts/enqueue.ts";
import { recordAlert } from "../application/alerts/record-alert.ts";
import { startFakeChannels, type FakeChannels } from "../tests/fakes/channels.ts";
import { emailIdempotencyKey } from "../infrastructure/notify/email.ts";
import { createNotifier } from "../infrastructure/notify/notifier.ts";
import { sealChannelConfig } from "../infrastructure/notify/secrets.ts";
import { sleep, waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { createAlertJobs } from "./alerts.ts";
import { createJobRouter, defineJob } from "./router.ts";

const SLACK_TIMEOUT_MS = 500;
const SENTINEL_SECRET_KEY = "test-secret-key-0123456789abcdef0123456789";
const RETRY = { attempts: 20, backoff: { type: "fixed" as const, delayMs: 200 } };

let database: TestDatabase;
let services: Services;
let closeServices: () => Promise<void>;
let fakes: FakeChannels;
let sequence = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close: closeServices } = await createTestServices(database, { queue: "bullmq" }));
  fakes = await startFakeChannels();
  const notifier = createNotifier({
    slackApiUrl: fakes.slackApiUrl,
    slackBotToken: "xoxb-test",
    resendBaseUrl: fakes.resendBaseUrl,
    resendApiKey: "re_test",
    emailFrom: "alerts@sentinel.example",
    pagerDutyEventsUrl: fakes.pagerDutyEventsUrl,
    timeoutMs: SLACK_TIMEOUT_MS,
  });
  const jobs = createAlertJobs({ db: services.db, queue: services.queue, logger: services.logger, env: { ...services.env, SENTINEL_SECRET_KEY }, notifier, deliveryRetry: RETRY });
  await services.queue.startWorker("notifications", createJobRouter("notifications", jobs.notifications), { concurrency: 4 });
  // Another queue with its own worker, to show a channel outage never reaches it.
  await services.queue.startWorker(
    "webhooks",
    createJobRouter("webhooks", { ping: defineJob({ schema: z.object({ n: z.number() }), run: async ({ n }) => n }) }),
  );
}, 60_000);

afterAll(async () => {
  await closeServices?.();
  await fakes?.close();
  await database?.drop();
});

type Kind = "slack" | "email" | "pagerduty";
const CONFIG: Record<Kind, Record<string, unknown>> = {
  slack: { channelId: "C0ALERTS01" },
  email: { to: ["oncall@acme.example"] },
  // Stored encrypted, as the settings page saves it when SENTINEL_SECRET_KEY is set.
  pagerduty: sealChannelConfig("pagerduty", { routingKey: "R0UT1NGKEY0000000000000000000001" }, SENTINEL_SECRET_KEY),
};

/** A fresh organisation with the given channels, and one alert enqueued to all of them. */
async function alertTo(kinds: Kind[], retry = RETRY) {
  sequence += 1;
  const sql = database.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values (${`org-${sequence}`}, 'Org') returning id`;
  const [repo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name, source) values (${org!.id}, ${`acme/repo-${sequence}`}, 'local') returning id`;
  const channels: Partial<Record<Kind, string>> = {};
  for (const kind of kinds) {
    const [row] = await sql<{ id: string }[]>`insert into notification_channels (org_id, kind, name, config) values (${org!.id}, ${kind}, ${kind}, ${JSON.stringify(CONFIG[kind])}::jsonb) returning id`;
    channels[kind] = row!.id;
  }
  const candidate: AlertCandidate = {
    rule: "ai_code_critical",
    severity: "critical",
    repoId: repo!.id,
    title: "AI-written critical code",
    message: "95 % of critical code was AI-written (threshold 90 %)",
    details: { aiSharePercent: 95 },
  };
  const recorded = await recordAlert(services.db, org!.id, candidate, new Date());
  if (!recorded.created) throw new Error("fixture alert was deduplicated");
  const startedAt = Date.now();
  await enqueueAlertDeliveries(services.queue, recorded.alertId, recorded.channelIds, retry);
  return { alertId: recorded.alertId, channels: channels as Record<Kind, string>, startedAt };
}

async function delivery(alertId: string, channelId: string) {
  const [row] = await database.sql<{ status: string; attempts: number; last_error: string | null; external_id: string | null }[]>`
    select status, attempts, last_error, external_id from alert_deliveries where alert_id = ${alertId} and channel_id = ${channelId}`;
  return row!;
}
const settled = (alertId: string, channelId: string) => async () => {
  const row = await delivery(alertId, channelId);
  return row.status !== "pending" ? row : null;
};
const sentAt = async (alertId: string) => (await database.sql<{ sent_at: Date | null }[]>`select sent_at from alerts where id = ${alertId}`)[0]!.sent_at;
const postsFor = (alertId: string) => fakes.slack.posts.filter((post) => post.metadata?.event_payload?.alert_id === alertId);

describe("row 19: Slack 429 / timeout after acceptance — one retry layer, posted once", () => {
  it("429 with Retry-After waits as told without consuming an attempt, then posts once", async () => {
    fakes.inject("slack.postMessage", { kind: "status", status: 429, headers: { "retry-after": "1" }, body: { ok: false, error: "ratelimited" } }, 2);
    // One attempt only: if a 429 consumed it, the job would fail instead of posting.
    const { alertId, channels, startedAt } = await alertTo(["slack"], { attempts: 1, backoff: RETRY.backoff });
    const row = await waitFor(settled(alertId, channels.slack), { timeoutMs: 10_000, what: "Slack delivery" });
    expect(row).toMatchObject({ status: "sent", attempts: 3, last_error: null });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_000);
    expect(postsFor(alertId)).toHaveLength(1);
    expect(row.external_id).toBe(postsFor(alertId)[0]!.ts);
  });

  it("a timeout after Slack accepted the message: the retry finds it in the channel history and does not post again", async () => {
    fakes.inject("slack.postMessage", { kind: "accept-then-hang" });
    const { alertId, channels } = await alertTo(["slack"]);
    const row = await waitFor(settled(alertId, channels.slack), { timeoutMs: 10_000, what: "Slack delivery" });
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
    expect(postsFor(alertId)).toHaveLength(1);
    expect(row.external_id).toBe(postsFor(alertId)[0]!.ts);
    await sleep(600);
    expect(postsFor(alertId)).toHaveLength(1);
  });

  it("a platform error such as channel_not_found fails at once, not retried", async () => {
    fakes.inject("slack.postMessage", { kind: "slack-error", error: "channel_not_found" });
    const before = fakes.requests.filter((request) => request.route === "slack.postMessage").length;
    const { alertId, channels } = await alertTo(["slack"]);
    const row = await waitFor(settled(alertId, channels.slack), { timeoutMs: 5_000, what: "Slack delivery" });
    expect(row).toMatchObject({ status: "failed", attempts: 1, last_error: "Slack: channel_not_found" });
    await sleep(500);
    expect(fakes.requests.filter((request) => request.route === "slack.postMessage").length - before).toBe(1);
    expect(await sentAt(alertId)).not.toBeNull();
  });
});

describe("row 20: Resend returns { error } — the job fails and retries with the same Idempotency-Key", () => {
  it("500 twice, then accepted: three requests, one key, one email", async () => {
    fakes.inject("resend.emails", { kind: "status", status: 500, body: { name: "internal_server_error", message: "boom", statusCode: 500 } }, 2);
    const before = fakes.resend.requests.length;
    const { alertId, channels } = await alertTo(["email"]);
    const row = await waitFor(settled(alertId, channels.email), { timeoutMs: 10_000, what: "email delivery" });
    expect(row).toMatchObject({ status: "sent", attempts: 3, last_error: null });
    const requests = fakes.resend.requests.slice(before);
    expect(requests.map((request) => request.idempotencyKey)).toEqual(Array(3).fill(emailIdempotencyKey(alertId, channels.email)));
    expect(fakes.resend.emails.filter((email) => email.idempotencyKey === emailIdempotencyKey(alertId, channels.email))).toHaveLength(1);
  });

  it("a 422 validation error fails without a retry", async () => {
    fakes.inject("resend.emails", { kind: "status", status: 422, body: { name: "validation_error", message: "Invalid `to` field", statusCode: 422 } });
    const before = fakes.resend.requests.length;
    const { alertId, channels } = await alertTo(["email"]);
    const row = await waitFor(settled(alertId, channels.email), { timeoutMs: 5_000, what: "email delivery" });
    expect(row.status).toBe("failed");
    expect(row.last_error).toContain("validation_error (HTTP 422)");
    await sleep(500);
    expect(fakes.resend.requests.length - before).toBe(1);
  });
});

describe("row 21: PagerDuty 400 / 5xx", () => {
  it("400 is not retried and the channel is marked failed", async () => {
    fakes.inject("pagerduty.enqueue", { kind: "status", status: 400, body: { status: "invalid event", message: "Event object is invalid", errors: ["'routing_key' is invalid"] } });
    const before = fakes.pagerDuty.requests.length;
    const { alertId, channels } = await alertTo(["pagerduty"]);
    const row = await waitFor(settled(alertId, channels.pagerduty), { timeoutMs: 5_000, what: "PagerDuty delivery" });
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    // The stored error (shown on the channels page) is Sentinel's explanation of the status, not the answer's text.
    expect(row.last_error).toBe("PagerDuty answered HTTP 400: the event was refused as invalid (check the routing key)");
    await sleep(800);
    expect(fakes.pagerDuty.requests.length - before).toBe(1);
    expect(await sentAt(alertId)).not.toBeNull();
  });

  it("5xx is retried with the same dedup_key until accepted", async () => {
    fakes.inject("pagerduty.enqueue", { kind: "status", status: 502 }, 2);
    const before = fakes.pagerDuty.requests.length;
    const { alertId, channels } = await alertTo(["pagerduty"]);
    const row = await waitFor(settled(alertId, channels.pagerduty), { timeoutMs: 10_000, what: "PagerDuty delivery" });
    expect(row).toMatchObject({ status: "sent", attempts: 3, external_id: alertId });
    const requests = fakes.pagerDuty.requests.slice(before);
    expect(requests.map((request) => [request.status, request.dedupKey])).toEqual([
      [502, alertId],
      [502, alertId],
      [202, alertId],
    ]);
    expect(fakes.pagerDuty.events.filter((event) => event.dedup_key === alertId)).toHaveLength(1);
    // The routing key is stored encrypted and decrypted only to send.
    expect(JSON.stringify(CONFIG.pagerduty)).not.toContain("R0UT1NGKEY");
    expect(fakes.pagerDuty.events.find((event) => event.dedup_key === alertId)!.routing_key).toBe("R0UT1NGKEY0000000000000000000001");
  });
});

describe("row 22: one channel down — the others and other queues are unaffected", () => {
  it("Slack answers 500 for a while: email and PagerDuty deliver at once, another queue keeps running, Slack catches up", async () => {
    fakes.outage("slack.postMessage", { kind: "status", status: 500, body: { ok: false, error: "internal_error" } });
    try {
      const { alertId, channels, startedAt } = await alertTo(["slack", "email", "pagerduty"]);
      await waitFor(settled(alertId, channels.email), { timeoutMs: 5_000, what: "email" });
      await waitFor(settled(alertId, channels.pagerduty), { timeoutMs: 5_000, what: "PagerDuty" });
      const othersDoneMs = Date.now() - startedAt;
      expect((await delivery(alertId, channels.email)).status).toBe("sent");
      expect((await delivery(alertId, channels.pagerduty)).status).toBe("sent");
      expect(othersDoneMs).toBeLessThan(2_000);

      // Slack keeps failing and retrying meanwhile; the alert is not settled yet.
      await waitFor(async () => (await delivery(alertId, channels.slack)).attempts >= 3, { timeoutMs: 5_000, what: "Slack retries" });
      expect((await delivery(alertId, channels.slack))).toMatchObject({ status: "pending", last_error: "Slack answered HTTP 500" });
      expect(await sentAt(alertId)).toBeNull();

      // Another queue is not held up by the failing channel.
      const pingAt = Date.now();
      await services.queue.enqueue("webhooks", "ping", { n: 1 }, { jobId: `ping-${sequence}` });
      await waitFor(async () => (await services.queue.counts("webhooks")).completed >= 1, { timeoutMs: 3_000, what: "ping job" });
      expect(Date.now() - pingAt).toBeLessThan(1_500);

      fakes.clear("slack.postMessage");
      const slack = await waitFor(settled(alertId, channels.slack), { timeoutMs: 5_000, what: "Slack after the outage" });
      expect(slack.status).toBe("sent");
      expect(postsFor(alertId)).toHaveLength(1);
      expect(await sentAt(alertId)).not.toBeNull();
      const [summary] = await database.sql<{ delivery_status: Record<string, { status: string; kind: string }> }[]>`select delivery_status from alerts where id = ${alertId}`;
      expect(Object.values(summary!.delivery_status).map((entry) => `${entry.kind}:${entry.status}`).sort()).toEqual(["email:sent", "pagerduty:sent", "slack:sent"]);
    } finally {
      fakes.clear("slack.postMessage");
    }
  });
});

it("job names stay stable for queued jobs", () => {
  expect(DELIVER_ALERT_JOB).toBe("deliver-alert");
});
