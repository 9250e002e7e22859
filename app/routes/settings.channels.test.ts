/**
 * The channels settings page on a server without SENTINEL_SECRET_KEY: a PagerDuty routing key is refused with the
 * variable to set, shown under the field, and no row is written; the page says which channels can be added.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizationMembers, organizations, users } from "../../infrastructure/db/schema/index.ts";
import type { Services } from "../../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as channelsPage from "./settings.channels.tsx";

const ROUTING_KEY = "R0UT1NGKEY0000000000000000000003";

let database: TestDatabase;
const running: { services: Services; close(): Promise<void> }[] = [];
let userId: string;
let orgId: string;

async function servicesWith(env: Record<string, string>): Promise<Services> {
  const started = await createTestServices(database, { env });
  running.push(started);
  return started.services;
}

/** A request from the organisation's owner, signed in. */
async function signedInRequest(services: Services, init: RequestInit = {}): Promise<Request> {
  const session = await services.sessionStorage.getSession();
  session.set("userId", userId);
  session.set("orgId", orgId);
  const cookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
  return new Request("http://sentinel.test/settings/channels", { ...init, headers: { Cookie: cookie } });
}

async function post(services: Services, form: Record<string, string>) {
  const request = await signedInRequest(services, { method: "POST", body: new URLSearchParams(form) });
  const result = (await channelsPage.action({ request, params: {}, context: { services } })) as unknown;
  if (result instanceof Response) return { status: result.status, body: null };
  // `data(value, init)`.
  const wrapped = result as { data: unknown; init: ResponseInit | null };
  return { status: wrapped.init?.status ?? 200, body: wrapped.data };
}

async function page(services: Services) {
  const request = await signedInRequest(services);
  return (await channelsPage.loader({ request, params: {}, context: { services } })) as { delivery: { secretsEncrypted: boolean } };
}

const storedConfigs = async () =>
  (await database.db.execute<{ config: string }>(sql`select config::text as config from notification_channels where org_id = ${orgId}`)).map((row) => row.config);

beforeAll(async () => {
  database = await createTestDatabase();
  const [org] = await database.db.insert(organizations).values({ slug: "hooli", name: "Hooli" }).returning({ id: organizations.id });
  const [user] = await database.db.insert(users).values({ login: "gavin", githubId: 3001 }).returning({ id: users.id });
  await database.db.insert(organizationMembers).values({ orgId: org!.id, userId: user!.id, role: "owner" });
  orgId = org!.id;
  userId = user!.id;
});

afterAll(async () => {
  for (const started of running) await started.close();
  await database?.drop();
});

describe("Settings → Notification channels and SENTINEL_SECRET_KEY", () => {
  it("without the key, a routing key is refused under its field with the variable to set, and nothing is stored", async () => {
    const services = await servicesWith({});
    expect((await page(services)).delivery.secretsEncrypted).toBe(false);
    const refused = await post(services, { intent: "add", kind: "pagerduty", name: "Pager", routingKey: ROUTING_KEY });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      intent: "add",
      kind: "pagerduty",
      fieldErrors: { routingKey: "Set SENTINEL_SECRET_KEY (at least 32 characters, e.g. `openssl rand -hex 32`) and restart Sentinel to store channel secrets: Sentinel stores them only encrypted, never in clear." },
    });
    expect(await storedConfigs()).toEqual([]);
  });

  it("with the key, the same form saves it encrypted", async () => {
    const services = await servicesWith({ SENTINEL_SECRET_KEY: "settings-channels-test-key-0123456789abcdef" });
    expect((await page(services)).delivery.secretsEncrypted).toBe(true);
    expect((await post(services, { intent: "add", kind: "pagerduty", name: "Pager", routingKey: ROUTING_KEY })).status).toBe(302);
    const stored = await storedConfigs();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatch(/^\{"routingKey": "enc:v1:/);
    expect(stored[0]).not.toContain(ROUTING_KEY);
  });
});
