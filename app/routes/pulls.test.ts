import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../application/services.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as pullsPage from "./pulls.tsx";
import * as pullPage from "./repos.$repoId_.pulls.$number.tsx";

/** The pull-request pages: another organisation's repository, an unknown number and a malformed one are all 404; a bad filter is a 400. */

const NOW = new Date("2026-03-20T12:00:00Z");
type RouteHandler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let cookie: string;
let repoId: string;
let foreignRepoId: string;

async function status(handler: RouteHandler, path: string, params: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const request = new Request(`http://sentinel.test${path}`, { headers: { Cookie: cookie } });
  try {
    const result = await handler({ request, params, context: { services } });
    return { status: 200, body: result };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: null };
    if (thrown && typeof thrown === "object" && "init" in thrown) return { status: (thrown as { init: ResponseInit }).init.status ?? 500, body: (thrown as unknown as { data: unknown }).data };
    throw thrown;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
  const sql = database.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('acme', 'Acme') returning id`;
  const [globex] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('globex', 'Globex') returning id`;
  const [user] = await sql<{ id: string }[]>`insert into users (github_id, login) values (4242, 'lead') returning id`;
  await sql`insert into organization_members (org_id, user_id, role) values (${org!.id}, ${user!.id}, 'member')`;
  repoId = (await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${org!.id}, 'acme/api') returning id`)[0]!.id;
  foreignRepoId = (await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${globex!.id}, 'globex/api') returning id`)[0]!.id;
  await sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at) values (${org!.id}, ${repoId}, 3, 'Ours', 'open', 'main', '2026-03-10T10:00:00Z')`;
  await sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at) values (${globex!.id}, ${foreignRepoId}, 3, 'Theirs', 'open', 'main', '2026-03-10T10:00:00Z')`;
  const session = await services.sessionStorage.getSession();
  session.set("userId", user!.id);
  session.set("orgId", org!.id);
  cookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
}, 60_000);

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("/pulls", () => {
  it("lists the organisation's pull requests, and none of another organisation's repository", async () => {
    const own = await status(pullsPage.loader as RouteHandler, "/pulls");
    expect(own.status).toBe(200);
    expect((own.body as { list: { total: number } }).list.total).toBe(1);
    const foreign = await status(pullsPage.loader as RouteHandler, `/pulls?repo=${foreignRepoId}`);
    expect((foreign.body as { list: { total: number } }).list.total).toBe(0);
  });

  it("answers a bad filter with a 400 that says what is wrong", async () => {
    const bad = await status(pullsPage.loader as RouteHandler, "/pulls?kind=bots");
    expect(bad).toEqual({ status: 400, body: "kind is all, ai or human" });
  });
});

describe("/repos/:repoId/pulls/:number", () => {
  it("shows the organisation's own pull request", async () => {
    const own = await status(pullPage.loader as RouteHandler, `/repos/${repoId}/pulls/3`, { repoId, number: "3" });
    expect(own.status).toBe(200);
    expect((own.body as { pr: { title: string } }).pr.title).toBe("Ours");
  });

  it.each([
    ["another organisation's repository", () => ({ repoId: foreignRepoId, number: "3" })],
    ["an unknown number", () => ({ repoId, number: "4" })],
    ["a malformed number", () => ({ repoId, number: "3x" })],
    ["a malformed repository id", () => ({ repoId: "nope", number: "3" })],
  ])("answers 404 for %s", async (_, params) => {
    const { repoId: repo, number } = params();
    expect((await status(pullPage.loader as RouteHandler, `/repos/${repo}/pulls/${number}`, { repoId: repo, number })).status).toBe(404);
  });
});
