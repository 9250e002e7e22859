/**
 * Settings → Notification channels on the real PostgreSQL: validation with field errors (shape and SSRF), secrets
 * sealed at rest and never listed, the last delivery outcome, and tenancy of remove / enable.
 */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { alertDeliveries, alerts, notificationChannels, organizations } from "../../infrastructure/db/schema/index.ts";
import { addChannel, listChannels, removeChannel, setChannelEnabled } from "./channel-settings.server.ts";
import { parseChannelConfig } from "../../infrastructure/notify/channels.ts";

const SECRET_KEY = "channel-settings-test-secret-key-0123456789";
const ROUTING_KEY = "R0UT1NGKEY0000000000000000000001";
// Addresses for the names below, so the SSRF check runs without DNS (nothing is sent to them).
const ssrf = { resolve: async (host: string) => (host === "hooks.slack.com" ? ["52.84.1.10"] : host === "internal.example" ? ["10.0.0.5"] : []) };

let database: TestDatabase;
let acme: string;
let globex: string;

beforeAll(async () => {
  database = await createTestDatabase();
  [acme, globex] = (
    await database.db
      .insert(organizations)
      .values([
        { slug: "acme", name: "Acme" },
        { slug: "globex", name: "Globex" },
      ])
      .returning({ id: organizations.id })
  ).map((row) => row.id) as [string, string];
});

afterAll(async () => {
  await database?.drop();
});

const countChannels = async (orgId: string) =>
  (await database.db.select({ n: sql<number>`count(*)::int` }).from(notificationChannels).where(eq(notificationChannels.orgId, orgId)))[0]!.n;
const add = (input: Record<string, unknown>, orgId = acme) => addChannel(database.db, orgId, input, { secretKey: SECRET_KEY, ssrf });

describe("adding a channel", () => {
  it("answers with what is wrong, per form field, and writes nothing", async () => {
    expect(await add({ kind: "teams", name: "x" })).toEqual({ ok: false, code: "INVALID_INPUT", kind: null, fieldErrors: { kind: "choose Slack, email or PagerDuty" } });
    expect(await add({ kind: "slack", name: " ", target: "#alerts" })).toEqual({
      ok: false,
      code: "INVALID_INPUT",
      kind: "slack",
      fieldErrors: { name: "name the channel, e.g. #alerts or On-call", target: expect.stringContaining("must be a Slack channel id such as C0123456789") },
    });
    expect(await add({ kind: "email", name: "On-call", addresses: "oncall@acme.example, not-an-address" })).toMatchObject({ fieldErrors: { addresses: "must be email addresses" } });
    expect(await add({ kind: "email", name: "On-call", addresses: "  " })).toMatchObject({ fieldErrors: { addresses: "add at least one address" } });
    expect(await add({ kind: "pagerduty", name: "Pager", routingKey: "short" })).toMatchObject({
      fieldErrors: { routingKey: "must be the 32-character integration key of an Events API v2 integration" },
    });
    expect(await countChannels(acme)).toBe(0);
  });

  it("refuses a webhook URL off Slack's hosts, reaching a private address or not https (SSRF guard)", async () => {
    expect(await add({ kind: "slack", name: "Hook", target: "https://internal.example/hook" })).toMatchObject({
      fieldErrors: { target: "webhook URL must be a Slack incoming-webhook URL on hooks.slack.com or hooks.slack-gov.com, not internal.example" },
    });
    const privateSlack = { resolve: async () => ["10.0.0.5"] };
    expect(await addChannel(database.db, acme, { kind: "slack", name: "Hook", target: "https://hooks.slack.com/services/T0/B0/X" }, { secretKey: SECRET_KEY, ssrf: privateSlack })).toMatchObject({
      fieldErrors: { target: "webhook URL host hooks.slack.com resolves to a private or reserved address (10.0.0.5)" },
    });
    expect(await add({ kind: "slack", name: "Hook", target: "https://127.0.0.1:9/hook" })).toMatchObject({ fieldErrors: { target: "webhook URL address 127.0.0.1 is private or reserved" } });
    expect(await add({ kind: "slack", name: "Hook", target: "http://hooks.slack.com/hook" })).toMatchObject({ fieldErrors: { target: "webhook URL must use https" } });
    // An operator can allow an internal gateway by name.
    const allowed = await addChannel(database.db, globex, { kind: "slack", name: "Gateway", target: "https://internal.example/hook" }, { secretKey: SECRET_KEY, ssrf: { ...ssrf, allowedHosts: ["internal.example"] } });
    expect(allowed).toMatchObject({ ok: true });
    expect(await countChannels(acme)).toBe(0);
  });

  it("stores secrets encrypted, lists every channel without them, and delivery can read them back", async () => {
    expect(await add({ kind: "pagerduty", name: "Pager", routingKey: ROUTING_KEY })).toMatchObject({ ok: true });
    expect(await add({ kind: "slack", name: "#alerts webhook", target: "https://hooks.slack.com/services/T0/B0/SECRETPATH" })).toMatchObject({ ok: true });
    expect(await add({ kind: "slack", name: "#alerts", target: "C0ALERTS01" })).toMatchObject({ ok: true });
    expect(await add({ kind: "email", name: "On-call", addresses: "oncall@acme.example\nlead@acme.example, oncall@acme.example" })).toMatchObject({ ok: true });

    const rows = await database.db.select({ kind: notificationChannels.kind, config: notificationChannels.config }).from(notificationChannels).where(eq(notificationChannels.orgId, acme));
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(ROUTING_KEY);
    expect(stored).not.toContain("SECRETPATH");
    expect(stored).toContain("enc:v1:");
    // What the delivery job reads: the same values, decrypted with the key.
    const pagerduty = rows.find((row) => row.kind === "pagerduty")!;
    expect(parseChannelConfig("pagerduty", pagerduty.config, SECRET_KEY)).toEqual({ ok: true, channel: { kind: "pagerduty", config: { routingKey: ROUTING_KEY } } });

    const listed = await listChannels(database.db, acme, SECRET_KEY);
    expect(listed.map((channel) => [channel.kind, channel.name, channel.target, channel.enabled, channel.problem])).toEqual([
      ["pagerduty", "Pager", "routing key ending in 0001", true, null],
      ["slack", "#alerts webhook", "incoming webhook on hooks.slack.com", true, null],
      ["slack", "#alerts", "channel C0ALERTS01", true, null],
      ["email", "On-call", "oncall@acme.example, lead@acme.example", true, null],
    ]);
    expect(JSON.stringify(listed)).not.toContain(ROUTING_KEY);
    expect(JSON.stringify(listed)).not.toContain("SECRETPATH");
    // With another key the secrets cannot be read: the page says so instead of failing.
    const wrongKey = await listChannels(database.db, acme, "another-secret-key-of-at-least-32-characters");
    expect(wrongKey[0]!.problem).toContain("cannot be decrypted");
  });
});

describe("listing, enabling and removing", () => {
  it("shows each channel's latest alert delivery", async () => {
    const [pager] = await database.db.select({ id: notificationChannels.id }).from(notificationChannels).where(eq(notificationChannels.name, "Pager"));
    const [older, newer] = await database.db
      .insert(alerts)
      .values([
        { orgId: acme, rule: "ai_code_critical", severity: "critical", title: "a", triggeredAt: new Date("2026-03-01T00:00:00Z") },
        { orgId: acme, rule: "ai_code_critical", severity: "critical", title: "b", triggeredAt: new Date("2026-03-02T00:00:00Z") },
      ])
      .returning({ id: alerts.id });
    await database.db.insert(alertDeliveries).values([
      { alertId: older!.id, channelId: pager!.id, status: "sent", attempts: 1, sentAt: new Date("2026-03-01T00:01:00Z"), updatedAt: new Date("2026-03-01T00:01:00Z") },
      { alertId: newer!.id, channelId: pager!.id, status: "failed", attempts: 3, lastError: "PagerDuty: HTTP 400 invalid routing key", updatedAt: new Date("2026-03-02T00:05:00Z") },
    ]);
    const listed = await listChannels(database.db, acme, SECRET_KEY);
    expect(listed.find((channel) => channel.id === pager!.id)!.lastDelivery).toEqual({ status: "failed", at: "2026-03-02T00:05:00.000Z", error: "PagerDuty: HTTP 400 invalid routing key" });
    expect(listed.filter((channel) => channel.id !== pager!.id).every((channel) => channel.lastDelivery === null)).toBe(true);
  });

  it("another organisation's channel id is not found: it stays, enabled", async () => {
    const [theirs] = await database.db.select({ id: notificationChannels.id }).from(notificationChannels).where(eq(notificationChannels.orgId, globex));
    expect(await removeChannel(database.db, acme, theirs!.id)).toEqual({ ok: false, code: "CHANNEL_NOT_FOUND" });
    expect(await setChannelEnabled(database.db, acme, theirs!.id, false)).toEqual({ ok: false, code: "CHANNEL_NOT_FOUND" });
    expect(await removeChannel(database.db, acme, "not-a-uuid")).toEqual({ ok: false, code: "CHANNEL_NOT_FOUND" });
    const [row] = await database.db.select({ enabled: notificationChannels.enabled }).from(notificationChannels).where(eq(notificationChannels.id, theirs!.id));
    expect(row).toEqual({ enabled: true });
  });

  it("disables, enables and removes the organisation's own channel", async () => {
    const [mine] = await database.db.select({ id: notificationChannels.id }).from(notificationChannels).where(eq(notificationChannels.name, "On-call"));
    expect(await setChannelEnabled(database.db, acme, mine!.id, false)).toEqual({ ok: true });
    expect((await listChannels(database.db, acme, SECRET_KEY)).find((channel) => channel.id === mine!.id)!.enabled).toBe(false);
    expect(await removeChannel(database.db, acme, mine!.id)).toEqual({ ok: true });
    expect((await listChannels(database.db, acme, SECRET_KEY)).map((channel) => channel.name)).not.toContain("On-call");
  });
});
