/**
 * Settings → Notification channels, weekly digest (issue 18, item 5): Slack and email channels opt in and out,
 * PagerDuty is refused with the reason, bad input is a field error, another organisation's channel is a 404, members
 * cannot change it; "Preview digest" shows this organisation's digest and sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizationMembers, organizations, users } from "../../infrastructure/db/schema/index.ts";
import type { Services } from "../../application/services.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as channelsPage from "./settings.channels.tsx";

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
const ids: Record<string, string> = {};

async function request(user: string, org: string, init: RequestInit = {}, url = "http://sentinel.test/settings/channels"): Promise<Request> {
  const session = await services.sessionStorage.getSession();
  session.set("userId", ids[user]!);
  session.set("orgId", ids[org]!);
  const cookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
  return new Request(url, { ...init, headers: { Cookie: cookie } });
}

async function post(form: Record<string, string>, as = "owner") {
  try {
    const result = (await channelsPage.action({ request: await request(as, "acme", { method: "POST", body: new URLSearchParams(form) }), params: {}, context: { services } })) as unknown;
    if (result instanceof Response) return { status: result.status, body: null };
    const wrapped = result as { data: unknown; init: ResponseInit | null };
    return { status: wrapped.init?.status ?? 200, body: wrapped.data };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: null };
    throw thrown;
  }
}

const optedIn = async () =>
  Object.fromEntries((await database.sql<{ name: string; weekly_digest: boolean }[]>`select name, weekly_digest from notification_channels where org_id = ${ids.acme!}`).map((row) => [row.name, row.weekly_digest]));

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock("2026-12-07T07:30:00Z") }));
  const sql = database.sql;
  for (const slug of ["acme", "globex"]) {
    const [org] = await database.db.insert(organizations).values({ slug, name: slug === "acme" ? "Acme" : "Globex", timezone: "Europe/Berlin" }).returning({ id: organizations.id });
    ids[slug] = org!.id;
  }
  for (const [login, role] of [["owner", "owner"], ["member", "member"]] as const) {
    const [user] = await database.db.insert(users).values({ login, githubId: login === "owner" ? 4001 : 4002 }).returning({ id: users.id });
    ids[login] = user!.id;
    await database.db.insert(organizationMembers).values({ orgId: ids.acme!, userId: user!.id, role });
  }
  const channel = async (org: string, kind: string, name: string, config: object) => {
    const [row] = await sql<{ id: string }[]>`insert into notification_channels (org_id, kind, name, config) values (${ids[org]!}, ${kind}, ${name}, ${JSON.stringify(config)}::jsonb) returning id`;
    ids[name] = row!.id;
  };
  await channel("acme", "slack", "slack", { channelId: "C0DIGEST01" });
  await channel("acme", "email", "email", { to: ["lead@acme.example"] });
  await channel("acme", "pagerduty", "pager", { routingKey: "R0UT1NGKEY0000000000000000000001" });
  await channel("globex", "email", "foreign", { to: ["cto@globex.example"] });
  // Acme's week: one AI commit. Globex's: a repository whose name must never show in Acme's preview.
  for (const [org, repo] of [["acme", "acme/api"], ["globex", "globex/secret-project"]] as const) {
    const [row] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${ids[org]!}, ${repo}) returning id`;
    await sql`insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, written_lines) values (${ids[org]!}, ${row!.id}, ${`${org}1`}, '2026-12-02T10:00:00Z', 'analyzed', 0.99, 50)`;
    await sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at, lines_added)
      values (${ids[org]!}, ${row!.id}, ${`${org}1`}, 'src/auth/session.ts', 'modified', 0.99, 4, 4, 'test', '2026-12-02T10:00:00Z', 50)`;
  }
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("the weekly digest opt-in", () => {
  it("turns Slack and email channels on and off", async () => {
    expect(await post({ intent: "weekly-digest", channelId: ids.slack!, weeklyDigest: "on" })).toEqual({ status: 302, body: null });
    expect(await post({ intent: "weekly-digest", channelId: ids.email!, weeklyDigest: "on" })).toMatchObject({ status: 302 });
    expect(await optedIn()).toEqual({ slack: true, email: true, pager: false });
    expect(await post({ intent: "weekly-digest", channelId: ids.email!, weeklyDigest: "off" })).toMatchObject({ status: 302 });
    expect(await optedIn()).toEqual({ slack: true, email: false, pager: false });
    const loaded = (await channelsPage.loader({ request: await request("owner", "acme"), params: {}, context: { services } })) as { channels: { name: string; weeklyDigest: boolean }[]; digestPreview: unknown };
    expect(loaded.channels.map((channel) => [channel.name, channel.weeklyDigest])).toEqual([["slack", true], ["email", false], ["pager", false]]);
    expect(loaded.digestPreview).toBeNull();
  });

  it("refuses PagerDuty with the reason, and a value other than on/off as a field error", async () => {
    expect(await post({ intent: "weekly-digest", channelId: ids.pager!, weeklyDigest: "on" })).toEqual({
      status: 400,
      body: { intent: "weekly-digest", channelId: ids.pager, fieldErrors: { weeklyDigest: "PagerDuty channels page whoever is on call: the weekly digest goes to Slack and email channels only" } },
    });
    expect(await post({ intent: "weekly-digest", channelId: ids.slack!, weeklyDigest: "yes" })).toEqual({
      status: 400,
      body: { intent: "weekly-digest", channelId: ids.slack, fieldErrors: { weeklyDigest: "choose on or off" } },
    });
    expect((await optedIn()).pager).toBe(false);
  });

  it("another organisation's channel and a malformed id answer 404; a member may not change it", async () => {
    expect(await post({ intent: "weekly-digest", channelId: ids.foreign!, weeklyDigest: "on" })).toMatchObject({ status: 404 });
    expect(await post({ intent: "weekly-digest", channelId: "not-a-uuid", weeklyDigest: "on" })).toMatchObject({ status: 404 });
    expect(await post({ intent: "weekly-digest", channelId: ids.email!, weeklyDigest: "on" }, "member")).toMatchObject({ status: 403 });
    const [foreign] = await database.sql<{ weekly_digest: boolean }[]>`select weekly_digest from notification_channels where id = ${ids.foreign!}`;
    expect(foreign!.weekly_digest).toBe(false);
  });

  it("Preview digest shows this organisation's last week and sends nothing", async () => {
    const loaded = (await channelsPage.loader({ request: await request("member", "acme", {}, "http://sentinel.test/settings/channels?preview=digest"), params: {}, context: { services } })) as {
      digestPreview: { title: string; empty: boolean; sections: { lines: string[] }[] } | null;
    };
    expect(loaded.digestPreview?.title).toBe("Sentinel weekly digest · Acme · 30 Nov – 6 Dec 2026");
    expect(loaded.digestPreview?.empty).toBe(false);
    const text = JSON.stringify(loaded.digestPreview);
    expect(text).toContain("T4 acme/api: src/auth/session.ts (50 AI-written lines)");
    expect(text).not.toContain("globex");
    expect((await database.sql`select 1 from digest_deliveries`).length).toBe(0);
  });
});
