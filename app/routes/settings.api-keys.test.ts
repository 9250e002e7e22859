import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys, organizationMembers, organizations, users } from "../../infrastructure/db/schema/index.ts";
import type { Services } from "../../application/services.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as apiKeysPage from "./settings.api-keys.tsx";

/** The page's "now": expiry choices count from it and the list's "expires in …" is read against it. */
const NOW = new Date("2026-11-01T09:30:00Z");
const DAY_MS = 86_400_000;

type RouteHandler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let cookie: string;
let orgId: string;

async function run(handler: RouteHandler, form?: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const request = new Request("http://sentinel.test/settings/api-keys", {
    method: form ? "POST" : "GET",
    headers: { Cookie: cookie },
    body: form ? new URLSearchParams(form) : undefined,
  });
  const result = await handler({ request, params: {}, context: { services } });
  // `data(value, init)` from an action.
  if (result && typeof result === "object" && "type" in result && (result as { type: string }).type === "DataWithResponseInit") {
    const wrapped = result as unknown as { data: unknown; init: ResponseInit | null };
    return { status: wrapped.init?.status ?? 200, body: wrapped.data };
  }
  return { status: 200, body: result };
}

const stored = async (name: string) =>
  (await database.db.select({ scope: apiKeys.scope, expiresAt: apiKeys.expiresAt }).from(apiKeys).where(eq(apiKeys.name, name)))[0];

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
  const [org] = await database.db.insert(organizations).values({ slug: "acme", name: "Acme" }).returning({ id: organizations.id });
  const [owner] = await database.db.insert(users).values({ login: "olivia", githubId: 3001 }).returning({ id: users.id });
  orgId = org!.id;
  await database.db.insert(organizationMembers).values({ orgId, userId: owner!.id, role: "owner" });
  const session = await services.sessionStorage.getSession();
  session.set("userId", owner!.id);
  session.set("orgId", orgId);
  cookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("Settings → API keys: scope and expiry (issue 16)", () => {
  it("creates a read-only key that never expires when only a name is given", async () => {
    const created = await run(apiKeysPage.action, { intent: "create", name: "Grafana" });
    expect(created.status).toBe(200);
    expect((created.body as { created: unknown }).created).toMatchObject({ name: "Grafana", scope: "read", expiry: "never expires" });
    expect(await stored("Grafana")).toEqual({ scope: "read", expiresAt: null });
  });

  it("creates a write key expiring in 30 days or on a chosen date, and lists scope and expiry", async () => {
    expect((await run(apiKeysPage.action, { intent: "create", name: "Pager bot", scope: "write", expires: "30d" })).status).toBe(200);
    expect(await stored("Pager bot")).toEqual({ scope: "write", expiresAt: new Date(NOW.getTime() + 30 * DAY_MS) });
    const dated = await run(apiKeysPage.action, { intent: "create", name: "Audit", scope: "read", expires: "date", expiresOn: "2026-11-13" });
    expect(dated.status).toBe(200);
    expect(await stored("Audit")).toEqual({ scope: "read", expiresAt: new Date("2026-11-13T00:00:00Z") });

    const page = await run(apiKeysPage.loader);
    const keys = (page.body as { keys: { name: string; scope: string; expiry: string; expired: boolean }[] }).keys;
    expect(keys.find((key) => key.name === "Pager bot")).toMatchObject({ scope: "write", expiry: "expires in 30 days", expired: false });
    expect(keys.find((key) => key.name === "Audit")).toMatchObject({ scope: "read", expiry: "expires in 11 days" });
    expect((page.body as { earliestExpiryDate: string }).earliestExpiryDate).toBe("2026-11-02");
  });

  it("a key past its expiry is listed as expired", async () => {
    await database.db.insert(apiKeys).values({ orgId, name: "Old CI", displayPrefix: "snt_oldkey", keyHash: "f".repeat(64), scope: "write", expiresAt: new Date(NOW.getTime() - DAY_MS) });
    const keys = ((await run(apiKeysPage.loader)).body as { keys: { name: string; expiry: string; expired: boolean }[] }).keys;
    expect(keys.find((key) => key.name === "Old CI")).toMatchObject({ expiry: "expired", expired: true });
  });

  it("refuses a bad scope, a past date or a missing date with the field named, creating nothing", async () => {
    const before = (await database.db.select({ id: apiKeys.id }).from(apiKeys)).length;
    const cases: Array<[Record<string, string>, Record<string, string>]> = [
      [{ scope: "admin" }, { scope: "choose the scope read or write" }],
      [{ expires: "date", expiresOn: "2026-10-01" }, { expires: expect.stringContaining("2026-10-01 is not in the future") }],
      [{ expires: "date", expiresOn: "" }, { expires: "pick the day the key stops working" }],
      [{ expires: "0d" }, { expires: "expiry in days must be from 1 to 3650, got 0d" }],
    ];
    for (const [fields, fieldErrors] of cases) {
      const outcome = await run(apiKeysPage.action, { intent: "create", name: "Refused", ...fields });
      expect(outcome.status).toBe(400);
      expect((outcome.body as { fieldErrors: Record<string, string> }).fieldErrors).toEqual(fieldErrors);
    }
    expect((await database.db.select({ id: apiKeys.id }).from(apiKeys)).length).toBe(before);
  });
});
