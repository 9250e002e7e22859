/**
 * Settings → Notification channels against tenant-typed Slack webhook URLs: a URL off Slack's hosts is refused
 * under the field unless the operator allow-listed the host (NOTIFY_ALLOWED_HOSTS), and "Send test" against a
 * server that answers with an internal page shows the status code and Sentinel's explanation, never the page.
 * The "internal service" is a real HTTP server on 127.0.0.1.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationChannels, organizationMembers, organizations, users } from "../../infrastructure/db/schema/index.ts";
import type { Services } from "../../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as channelsPage from "./settings.channels.tsx";

const SECRET_PAGE = "SECRET-INTERNAL-PAGE";

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let internal: http.Server;
let internalPort: number;
let internalRequests = 0;
let userId: string;
let orgId: string;

async function post(form: Record<string, string>) {
  const session = await services.sessionStorage.getSession();
  session.set("userId", userId);
  session.set("orgId", orgId);
  const cookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
  const request = new Request("http://sentinel.test/settings/channels", { method: "POST", body: new URLSearchParams(form), headers: { Cookie: cookie } });
  const result = (await channelsPage.action({ request, params: {}, context: { services } })) as unknown;
  if (result instanceof Response) return { status: result.status, body: null };
  // `data(value, init)`.
  const wrapped = result as { data: unknown; init: ResponseInit | null };
  return { status: wrapped.init?.status ?? 200, body: wrapped.data };
}

const channelCount = async () => (await database.db.select({ n: sql<number>`count(*)::int` }).from(notificationChannels).where(eq(notificationChannels.orgId, orgId)))[0]!.n;

beforeAll(async () => {
  // What an internal service might answer: an error page with something nobody outside should read.
  internal = http.createServer((req, res) => {
    internalRequests += 1;
    req.resume();
    req.on("end", () => res.writeHead(500, { "content-type": "text/html" }).end(`<html><body>${SECRET_PAGE}: db password hunter2</body></html>`));
  });
  await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", resolve));
  internalPort = (internal.address() as AddressInfo).port;
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, {
    env: { SENTINEL_SECRET_KEY: "settings-channels-ssrf-key-0123456789abcdef", NOTIFY_ALLOWED_HOSTS: `127.0.0.1:${internalPort}` },
  }));
  const [org] = await database.db.insert(organizations).values({ slug: "initech", name: "Initech" }).returning({ id: organizations.id });
  const [user] = await database.db.insert(users).values({ login: "peter", githubId: 4001 }).returning({ id: users.id });
  await database.db.insert(organizationMembers).values({ orgId: org!.id, userId: user!.id, role: "owner" });
  orgId = org!.id;
  userId = user!.id;
});

afterAll(async () => {
  await close?.();
  await database?.drop();
  internal?.closeAllConnections();
  await new Promise<void>((resolve) => (internal ? internal.close(() => resolve()) : resolve()));
});

describe("Slack webhook URLs on the channels page", () => {
  it("refuses a webhook URL off Slack's hosts under its field and stores nothing; an allow-listed host:port is accepted", async () => {
    const refused = await post({ intent: "add", kind: "slack", name: "Hook", target: "https://hooks.attacker.example/services/T0/B0/X" });
    expect(refused).toEqual({
      status: 400,
      body: {
        intent: "add",
        kind: "slack",
        fieldErrors: { target: "webhook URL must be a Slack incoming-webhook URL on hooks.slack.com or hooks.slack-gov.com, not hooks.attacker.example" },
      },
    });
    // The allow-list names a port: the same host on another port is still refused.
    const otherPort = await post({ intent: "add", kind: "slack", name: "Hook", target: `https://127.0.0.1:${internalPort + 1}/hook` });
    expect(otherPort).toMatchObject({ status: 400, body: { fieldErrors: { target: "webhook URL address 127.0.0.1 is private or reserved" } } });
    expect(await channelCount()).toBe(0);

    expect(await post({ intent: "add", kind: "slack", name: "Internal gateway", target: `http://127.0.0.1:${internalPort}/hook` })).toEqual({ status: 302, body: null });
    expect(await channelCount()).toBe(1);
  });

  it('"Send test" against a server answering 500 shows the status and Sentinel\'s explanation, not the page it sent', async () => {
    const [channel] = await database.db.select({ id: notificationChannels.id }).from(notificationChannels).where(eq(notificationChannels.orgId, orgId));
    const before = internalRequests;
    const tested = await post({ intent: "test", channelId: channel!.id });
    expect(internalRequests).toBe(before + 1);
    expect(tested).toEqual({
      status: 200,
      body: {
        intent: "test",
        channelId: channel!.id,
        ok: false,
        message: "Not delivered: Slack webhook answered 500: a server error on the receiving side. The service did not answer properly; try again in a moment.",
      },
    });
    expect(JSON.stringify(tested)).not.toContain(SECRET_PAGE);
  });
});
