import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExpressApp, loadRemixBuild } from "../../server/http-server.ts";
import type { Services } from "../../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";

/**
 * Issue 7: pages have helpful empty states that say how to connect GitHub, and a filter naming another
 * organisation's repository shows nothing of it. Rendered by the real web server from the production build (npm test
 * builds it first), as a browser would get them.
 */

let database: TestDatabase;
let services: Services;
let closeServices: () => Promise<void>;
let server: http.Server;
let base: string;

/** Ids of the people and organisations the tests sign in as. */
const ids = { lonelyUser: "", newOrg: "", newOrgOwner: "", busyOrg: "", busyRepo: "", otherOrg: "", otherRepo: "", otherOwner: "" };

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close: closeServices } = await createTestServices(database, { queue: "in-process" }));
  server = http.createServer(createExpressApp(services, await loadRemixBuild()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sql = database.sql;
  const user = async (login: string) => (await sql<{ id: string }[]>`insert into users (login, github_id) values (${login}, ${Math.floor(Math.random() * 1e9)}) returning id`)[0]!.id;
  const org = async (slug: string) => (await sql<{ id: string }[]>`insert into organizations (slug, name) values (${slug}, ${slug}) returning id`)[0]!.id;
  const repo = async (orgId: string, name: string) =>
    (await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${orgId}, ${name}) returning id`)[0]!.id;

  ids.lonelyUser = await user("lonely");
  ids.newOrgOwner = await user("founder");
  ids.newOrg = await org("fresh");
  await sql`insert into organization_members (org_id, user_id, role) values (${ids.newOrg}, ${ids.newOrgOwner}, 'owner')`;

  ids.busyOrg = await org("busy");
  ids.busyRepo = await repo(ids.busyOrg, "busy/api");
  await sql`insert into organization_members (org_id, user_id, role) values (${ids.busyOrg}, ${ids.newOrgOwner}, 'member')`;
  ids.otherOrg = await org("other");
  ids.otherRepo = await repo(ids.otherOrg, "other/secret-service");
  ids.otherOwner = await user("other-owner");
  await sql`insert into organization_members (org_id, user_id, role) values (${ids.otherOrg}, ${ids.otherOwner}, 'owner')`;
  await sql`insert into code_events (org_id, repo_id, type, event_key, timestamp, payload)
    values (${ids.otherOrg}, ${ids.otherRepo}, 'commit', 'other-1', now(), ${JSON.stringify({ message: "rotate the other tenant's keys" })}::jsonb)`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await closeServices?.();
  await database?.drop();
});

async function page(path: string, session: { userId: string; orgId?: string }): Promise<{ status: number; html: string }> {
  const stored = await services.sessionStorage.getSession();
  stored.set("userId", session.userId);
  if (session.orgId) stored.set("orgId", session.orgId);
  const cookie = (await services.sessionStorage.commitSession(stored)).split(";")[0]!;
  const response = await fetch(`${base}${path}`, { headers: { cookie }, redirect: "manual" });
  return { status: response.status, html: await response.text() };
}

describe("empty states", () => {
  it("someone in no organisation is told the three ways in: the GitHub App (with the Setup page), an import, the demo", async () => {
    const { status, html } = await page("/dashboard", { userId: ids.lonelyUser });
    expect(status).toBe(200);
    expect(html).toContain("No organisation yet");
    expect(html).toContain('href="/setup"');
    expect(html).toContain("npx sentinel import &lt;git-dir&gt; --repo owner/name");
    expect(html).toContain("npx sentinel seed-demo");
    // Pages that need an organisation send them to that explanation instead of failing.
    expect((await page("/events", { userId: ids.lonelyUser })).status).toBe(302);
  });

  it("a new organisation without repositories is told how to add some, and its feeds say where data comes from", async () => {
    const overview = await page("/dashboard", { userId: ids.newOrgOwner, orgId: ids.newOrg });
    expect(overview.html).toContain("No repositories tracked yet");
    expect(overview.html).toContain('href="/setup"');
    expect(overview.html).toContain("npx sentinel import");

    const events = await page("/events", { userId: ids.newOrgOwner, orgId: ids.newOrg });
    expect(events.status).toBe(200);
    expect(events.html).toContain("No events match. Events arrive from the GitHub App");

    const incidents = await page("/incidents", { userId: ids.newOrgOwner, orgId: ids.newOrg });
    expect(incidents.status).toBe(200);
    expect(incidents.html).toContain("No incidents. Log one when production breaks");
  });

  it("filtering the events feed by another organisation's repository shows none of its events or names", async () => {
    // Control: the other organisation's own member sees that event and that name on the same page.
    const own = await page(`/events?repo=${ids.otherRepo}`, { userId: ids.otherOwner, orgId: ids.otherOrg });
    expect(own.html).toContain("secret-service");
    expect(own.html).toContain("rotate the other tenant");

    const { status, html } = await page(`/events?repo=${ids.otherRepo}`, { userId: ids.newOrgOwner, orgId: ids.busyOrg });
    expect(status).toBe(200);
    expect(html).toContain("No events match");
    expect(html).not.toContain("secret-service");
    expect(html).not.toContain("rotate the other tenant");
  });
});
