/**
 * The weekly digest on BullMQ (the real Redis) against the local fakes of Slack and Resend: sent once per channel and
 * week however often and however concurrently the job runs, a failing channel retried alone, and opted-out,
 * disabled and PagerDuty channels left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendWeeklyDigest, type DigestDeliveryDeps } from "../application/digest/deliver-digest.ts";
import { SEND_WEEKLY_DIGEST_JOB, SEND_WEEKLY_DIGEST_TICK } from "../application/job-catalog.ts";
import type { Services } from "../application/services.ts";
import { createDigestSender, digestMessageKey } from "../infrastructure/notify/digest-messages.ts";
import { fixedClock } from "../tests/support/clock.ts";
import { startFakeChannels, type FakeChannels } from "../tests/fakes/channels.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { waitFor } from "../tests/support/queue.ts";
import { createTestServices } from "../tests/support/services.ts";
import { createDigestJobs } from "./digest.ts";
import { createJobRouter } from "./router.ts";

/** Monday 7 December 2026, 08:05 in Berlin. */
const NOW = new Date("2026-12-07T07:05:00Z");
const WEEK_START = "2026-11-30";
const RETRY = { attempts: 5, backoff: { type: "fixed" as const, delayMs: 200 } };

let database: TestDatabase;
let services: Services;
let closeServices: () => Promise<void>;
let fakes: FakeChannels;
let deps: DigestDeliveryDeps;
let sequence = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close: closeServices } = await createTestServices(database, { queue: "bullmq", clock: fixedClock(NOW) }));
  fakes = await startFakeChannels();
  const sender = createDigestSender({
    slackApiUrl: fakes.slackApiUrl,
    slackBotToken: "xoxb-test",
    resendBaseUrl: fakes.resendBaseUrl,
    resendApiKey: "re_test",
    emailFrom: "digest@sentinel.example",
    pagerDutyEventsUrl: fakes.pagerDutyEventsUrl,
    timeoutMs: 500,
    publicUrl: "https://sentinel.example",
  });
  const now = () => services.clock.now();
  deps = { db: services.db, sender, now, maxAttempts: RETRY.attempts };
  const jobs = createDigestJobs({ db: services.db, queue: services.queue, env: services.env, now, sender, retry: RETRY });
  await services.queue.startWorker("notifications", createJobRouter("notifications", jobs.notifications), { concurrency: 4 });
  await services.queue.startWorker("scheduled-jobs", createJobRouter("scheduled-jobs", jobs.scheduled), { concurrency: 1 });
}, 60_000);

afterAll(async () => {
  await closeServices?.();
  await fakes?.close();
  await database?.drop();
});

type Channel = { kind: "slack" | "email" | "pagerduty"; digest?: boolean; enabled?: boolean };
const CONFIG = {
  slack: { channelId: "C0DIGEST01" },
  email: { to: ["lead@acme.example"] },
  pagerduty: { routingKey: "R0UT1NGKEY0000000000000000000001" },
};

/** A fresh organisation in Berlin with one repository, one AI commit last week, and the given channels. */
async function organizationWith(channels: Channel[]) {
  sequence += 1;
  const sql = database.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name, timezone) values (${`digest-${sequence}`}, ${`Org ${sequence}`}, 'Europe/Berlin') returning id`;
  const orgId = org!.id;
  const [repo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${orgId}, ${`acme/repo-${sequence}`}) returning id`;
  await sql`insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, written_lines)
    values (${orgId}, ${repo!.id}, ${`c${sequence}`}, '2026-12-02T10:00:00Z', 'analyzed', 0.99, 120)`;
  const ids: string[] = [];
  for (const channel of channels) {
    const [row] = await sql<{ id: string }[]>`insert into notification_channels (org_id, kind, name, config, enabled, weekly_digest)
      values (${orgId}, ${channel.kind}, ${channel.kind}, ${JSON.stringify(CONFIG[channel.kind])}::jsonb, ${channel.enabled ?? true}, ${channel.digest ?? true}) returning id`;
    ids.push(row!.id);
  }
  return { orgId, channelIds: ids };
}

const postsTo = (channelId: string) => fakes.slack.posts.filter((post) => post.metadata?.event_payload?.alert_id === digestMessageKey(channelId, WEEK_START));
const emailsTo = (channelId: string) => fakes.resend.emails.filter((email) => email.idempotencyKey === `sentinel-${digestMessageKey(channelId, WEEK_START)}`);
const deliveries = (orgId: string) =>
  database.sql<{ channel_id: string; status: string; attempts: number; last_error: string | null }[]>`
    select channel_id, status, attempts, last_error from digest_deliveries where org_id = ${orgId} order by channel_id`;

/** One read per probe: two reads could see no rows, then both rows still pending. */
const allSent = (orgId: string, count: number) => async () => {
  const rows = await deliveries(orgId);
  return rows.length === count && rows.every((row) => row.status === "sent");
};

describe("the weekly digest is sent once", () => {
  it("the tick queues one job per organisation and week; the job runs, and runs again, and posts and mails once", async () => {
    const { orgId, channelIds } = await organizationWith([{ kind: "slack" }, { kind: "email" }]);
    const [slack, email] = channelIds as [string, string];
    await services.queue.enqueue("scheduled-jobs", SEND_WEEKLY_DIGEST_TICK, {}, { jobId: `tick-${orgId}` });
    await waitFor(allSent(orgId, 2), { timeoutMs: 15_000, what: "both deliveries sent" });
    // A second tick in the same hour, and a re-run of the job itself: nothing new.
    await services.queue.enqueue("scheduled-jobs", SEND_WEEKLY_DIGEST_TICK, {}, { jobId: `tick-again-${orgId}` });
    expect(await sendWeeklyDigest(deps, { orgId, weekStart: WEEK_START }, { attemptsMade: 0 })).toEqual({
      weekStart: WEEK_START,
      channels: [],
    });
    expect(postsTo(slack)).toHaveLength(1);
    expect(emailsTo(email)).toHaveLength(1);
    const post = postsTo(slack)[0]!;
    expect(post.text).toContain(`Sentinel weekly digest · Org ${sequence} · 30 Nov – 6 Dec 2026`);
    expect(JSON.stringify(post.blocks)).toContain("https://sentinel.example/dashboard");
    const body = emailsTo(email)[0]!.body;
    expect(body.subject).toBe(`Sentinel weekly digest · Org ${sequence} · 30 Nov – 6 Dec 2026`);
    expect(String(body.text)).toContain("AI share of written lines: ");
    expect(String(body.html)).toContain("<h3");
    expect((await deliveries(orgId)).map((row) => row.attempts)).toEqual([1, 1]);
  });

  it("two runs at the same time send once per channel", async () => {
    const { orgId, channelIds } = await organizationWith([{ kind: "slack" }, { kind: "email" }]);
    const runs = await Promise.all([1, 2, 3].map(() => sendWeeklyDigest(deps, { orgId, weekStart: WEEK_START }, { attemptsMade: 0 })));
    const statuses = runs.flatMap((run) => run.channels.map((channel) => channel.status));
    expect(statuses.filter((status) => status === "sent")).toHaveLength(2);
    expect(postsTo(channelIds[0]!)).toHaveLength(1);
    expect(emailsTo(channelIds[1]!)).toHaveLength(1);
    expect((await deliveries(orgId)).map((row) => row.status)).toEqual(["sent", "sent"]);
  });

  it("a failing email is retried by the job without posting to Slack again", async () => {
    const { orgId, channelIds } = await organizationWith([{ kind: "slack" }, { kind: "email" }]);
    const [slack, email] = channelIds as [string, string];
    fakes.inject("resend.emails", { kind: "status", status: 503, body: { name: "internal_server_error", message: "down" } }, 2);
    await services.queue.enqueue("notifications", SEND_WEEKLY_DIGEST_JOB, { orgId, weekStart: WEEK_START }, { jobId: `digest-retry-${orgId}`, ...RETRY });
    await waitFor(allSent(orgId, 2), { timeoutMs: 15_000, what: "both deliveries sent" });
    expect(postsTo(slack)).toHaveLength(1);
    expect(emailsTo(email)).toHaveLength(1);
    const rows = new Map((await deliveries(orgId)).map((row) => [row.channel_id, row]));
    expect(rows.get(slack)).toMatchObject({ attempts: 1 });
    expect(rows.get(email)).toMatchObject({ attempts: 3, last_error: null });
  });

  it("a channel that keeps failing is marked failed on the last attempt; the others are sent", async () => {
    const { orgId, channelIds } = await organizationWith([{ kind: "slack" }, { kind: "email" }]);
    fakes.outage("resend.emails", { kind: "status", status: 503, body: { name: "internal_server_error", message: "down" } });
    try {
      await services.queue.enqueue("notifications", SEND_WEEKLY_DIGEST_JOB, { orgId, weekStart: WEEK_START }, { jobId: `digest-outage-${orgId}`, ...RETRY });
      await waitFor(async () => { const rows = await deliveries(orgId); return rows.length === 2 && rows.every((row) => row.status !== "pending"); }, { timeoutMs: 20_000, what: "deliveries settled" });
    } finally {
      fakes.clear("resend.emails");
    }
    const rows = new Map((await deliveries(orgId)).map((row) => [row.channel_id, row]));
    expect(rows.get(channelIds[0]!)).toMatchObject({ status: "sent", attempts: 1 });
    expect(rows.get(channelIds[1]!)).toMatchObject({ status: "failed", attempts: RETRY.attempts });
    expect(rows.get(channelIds[1]!)!.last_error).toMatch(/gave up after 5 attempts/);
    expect(postsTo(channelIds[0]!)).toHaveLength(1);
  });

  it("opted-out, disabled and PagerDuty channels get nothing; one opted out or disabled between the rows and the send neither", async () => {
    const { orgId, channelIds } = await organizationWith([
      { kind: "slack", digest: false },
      { kind: "email", enabled: false },
      { kind: "pagerduty" },
      { kind: "email" },
      { kind: "slack" },
    ]);
    const [optedOut, disabled, pager, leaving, switchedOff] = channelIds as [string, string, string, string, string];
    // The rows are created for the channels that take the digest now: the last one only.
    const before = fakes.requests.length;
    await database.sql`insert into digest_deliveries (org_id, channel_id, week_start) values (${orgId}, ${leaving}, ${WEEK_START})`;
    await database.sql`insert into digest_deliveries (org_id, channel_id, week_start) values (${orgId}, ${switchedOff}, ${WEEK_START})`;
    await database.sql`update notification_channels set weekly_digest = false where id = ${leaving}`;
    await database.sql`update notification_channels set enabled = false where id = ${switchedOff}`;
    const result = await sendWeeklyDigest(deps, { orgId, weekStart: WEEK_START }, { attemptsMade: 0 });
    expect(result.channels.sort((a, b) => a.channelId.localeCompare(b.channelId))).toEqual(
      [
        { channelId: leaving, status: "skipped", error: "channel opted out of the weekly digest before delivery" },
        { channelId: switchedOff, status: "skipped", error: "channel disabled before delivery" },
      ].sort((a, b) => a.channelId.localeCompare(b.channelId)),
    );
    expect(fakes.requests.length).toBe(before);
    expect((await deliveries(orgId)).map((row) => row.channel_id).sort()).toEqual([leaving, switchedOff].sort());
    expect(postsTo(switchedOff)).toEqual([]);
    expect(postsTo(optedOut)).toEqual([]);
    expect(emailsTo(disabled)).toEqual([]);
    expect(fakes.pagerDuty.events.filter((event) => JSON.stringify(event).includes(pager))).toEqual([]);
  });

  it("refuses job data that is not an organisation id and a Monday", async () => {
    const router = createJobRouter("notifications", createDigestJobs({ db: services.db, queue: services.queue, env: services.env, now: () => NOW, sender: deps.sender }).notifications);
    await expect(router({ id: "x", name: SEND_WEEKLY_DIGEST_JOB, data: { orgId: "nope", weekStart: "2026-12-01" }, attemptsMade: 0 } as never)).rejects.toThrow("orgId: Invalid UUID; weekStart: must be a Monday, the first day of the week");
  });
});
