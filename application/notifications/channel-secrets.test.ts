/**
 * Channel secrets at rest on the real PostgreSQL: without SENTINEL_SECRET_KEY a Slack webhook URL or a PagerDuty
 * routing key is refused (the form says which variable to set) and nothing is written; with it the stored column
 * holds ciphertext only; a secret an older version stored in clear still delivers and is flagged.
 */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { notificationChannels, organizations } from "../../infrastructure/db/schema/index.ts";
import { addChannel, listChannels } from "./channel-settings.server.ts";
import { parseChannelConfig } from "../../infrastructure/notify/channels.ts";

const SECRET_KEY = "channel-secrets-test-key-0123456789abcdef";
const ROUTING_KEY = "R0UT1NGKEY0000000000000000000002";
const WEBHOOK_URL = "https://hooks.slack.com/services/T0/B0/WEBHOOKSECRET";
// The webhook host's address, so the SSRF check runs without DNS (nothing is sent to it).
const ssrf = { resolve: async () => ["52.84.1.10"] };

let database: TestDatabase;
let orgId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  [{ id: orgId }] = (await database.db.insert(organizations).values({ slug: "initech", name: "Initech" }).returning({ id: organizations.id })) as [{ id: string }];
});

afterAll(async () => {
  await database?.drop();
});

/** The stored config column as text: what a database dump or backup would show. */
const storedConfigs = async () =>
  (await database.db.execute<{ config: string }>(sql`select config::text as config from notification_channels where org_id = ${orgId} order by created_at`)).map((row) => row.config);

describe("channel secrets without SENTINEL_SECRET_KEY", () => {
  it("refuses a Slack webhook URL or a PagerDuty routing key, naming the variable under the field, and writes no row", async () => {
    const noKey = { secretKey: undefined, ssrf };
    const pagerduty = await addChannel(database.db, orgId, { kind: "pagerduty", name: "Pager", routingKey: ROUTING_KEY }, noKey);
    expect(pagerduty).toEqual({ ok: false, code: "INVALID_INPUT", kind: "pagerduty", fieldErrors: { routingKey: expect.stringContaining("Set SENTINEL_SECRET_KEY") } });
    const slack = await addChannel(database.db, orgId, { kind: "slack", name: "#alerts hook", target: WEBHOOK_URL }, noKey);
    expect(slack).toEqual({ ok: false, code: "INVALID_INPUT", kind: "slack", fieldErrors: { target: expect.stringContaining("never in clear") } });
    // With another problem on the form, both are reported at once.
    expect(await addChannel(database.db, orgId, { kind: "pagerduty", name: "", routingKey: ROUTING_KEY }, noKey)).toMatchObject({
      fieldErrors: { name: expect.any(String), routingKey: expect.stringContaining("SENTINEL_SECRET_KEY") },
    });
    expect(await storedConfigs()).toEqual([]);

    // Channels without a secret need no key: a Slack channel id (the bot token is the operator's) and email.
    expect(await addChannel(database.db, orgId, { kind: "slack", name: "#alerts", target: "C0ALERTS02" }, noKey)).toMatchObject({ ok: true });
    expect(await addChannel(database.db, orgId, { kind: "email", name: "On-call", addresses: "oncall@initech.example" }, noKey)).toMatchObject({ ok: true });
    expect(await storedConfigs()).toEqual(['{"channelId": "C0ALERTS02"}', '{"to": ["oncall@initech.example"]}']);
  });
});

describe("channel secrets with SENTINEL_SECRET_KEY", () => {
  it("stores them encrypted: the raw column holds neither the routing key nor the webhook URL", async () => {
    const withKey = { secretKey: SECRET_KEY, ssrf };
    expect(await addChannel(database.db, orgId, { kind: "pagerduty", name: "Pager", routingKey: ROUTING_KEY }, withKey)).toMatchObject({ ok: true });
    expect(await addChannel(database.db, orgId, { kind: "slack", name: "#alerts hook", target: WEBHOOK_URL }, withKey)).toMatchObject({ ok: true });
    const stored = (await storedConfigs()).join("\n");
    expect(stored).not.toContain(ROUTING_KEY);
    expect(stored).not.toContain("WEBHOOKSECRET");
    expect(stored).not.toContain("hooks.slack.com");
    expect(stored.match(/enc:v1:/g)).toHaveLength(2);
    const listed = await listChannels(database.db, orgId, SECRET_KEY);
    expect(listed.filter((channel) => channel.kind === "pagerduty" || channel.name === "#alerts hook").map((channel) => [channel.target, channel.problem, channel.warning])).toEqual([
      ["routing key ending in 0002", null, null],
      ["incoming webhook on hooks.slack.com", null, null],
    ]);
  });
});

describe("a secret stored in clear by an earlier version", () => {
  it("still delivers (its config reads back) and the settings page flags it", async () => {
    const [legacy] = await database.db
      .insert(notificationChannels)
      .values({ orgId, kind: "pagerduty", name: "Legacy pager", config: { routingKey: "L3GACYKEY0000000000000000000000A" } })
      .returning({ id: notificationChannels.id, config: notificationChannels.config });
    expect(parseChannelConfig("pagerduty", legacy!.config, SECRET_KEY)).toEqual({ ok: true, channel: { kind: "pagerduty", config: { routingKey: "L3GACYKEY0000000000000000000000A" } } });
    const view = (await listChannels(database.db, orgId, SECRET_KEY)).find((channel) => channel.id === legacy!.id)!;
    expect(view).toMatchObject({ target: "routing key ending in 000A", problem: null, warning: expect.stringContaining("stored unencrypted by an earlier version") });
    // Channels without a secret are not flagged.
    const plain = (await listChannels(database.db, orgId, SECRET_KEY)).filter((channel) => channel.kind === "email" || channel.target.startsWith("channel "));
    expect(plain.map((channel) => channel.warning)).toEqual([null, null]);
    await database.db.delete(notificationChannels).where(eq(notificationChannels.id, legacy!.id));
  });
});
