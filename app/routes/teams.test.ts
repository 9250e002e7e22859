import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commits, organizationMembers, organizations, repositories, teamMembers, teams, users } from "../../infrastructure/db/schema/index.ts";
import { createApiKey } from "../../application/access/api-keys.server.ts";
import type { Services } from "../../application/services.ts";
import type { MemberRole } from "../../domain/access/roles.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as apiTeam from "./api.v1.teams.$teamId.ts";
import * as apiTeams from "./api.v1.teams._index.ts";
import * as settingsTeams from "./settings.teams.tsx";
import * as teamPage from "./teams.$teamId.tsx";
import * as teamsPage from "./teams._index.tsx";

/** The team pages, settings and API as a browser or a client reaches them: tenancy, roles, privacy, bad input. */

const NOW = new Date("2026-12-07T12:00:00Z");
type Handler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let acme: { orgId: string; teamId: string; smallTeamId: string; cookies: Record<MemberRole, string>; key: string };
let globexTeamId: string;

async function cookieFor(orgId: string, role: MemberRole): Promise<string> {
  const [user] = await database.db.insert(users).values({ login: `${role}-${randomUUID().slice(0, 6)}` }).returning({ id: users.id });
  await database.db.insert(organizationMembers).values({ orgId, userId: user!.id, role });
  const session = await services.sessionStorage.getSession();
  session.set("userId", user!.id);
  session.set("orgId", orgId);
  return (await services.sessionStorage.commitSession(session)).split(";")[0]!;
}

async function organizationWithTeams(slug: string) {
  const [org] = await database.db.insert(organizations).values({ slug, name: slug }).returning({ id: organizations.id });
  const orgId = org!.id;
  const [repo] = await database.db.insert(repositories).values({ orgId, fullName: `${slug}/app`, source: "demo" }).returning({ id: repositories.id });
  const logins = ["ana", "bo", "cy"];
  await database.db.insert(commits).values(
    logins.map((login, index) => ({
      orgId,
      repoId: repo!.id,
      sha: `${slug}${index}`.padEnd(40, "0").replace(/[^0-9a-f]/g, "e"),
      authorLogin: login,
      authoredAt: new Date(NOW.getTime() - 86_400_000),
      analysisStatus: "analyzed" as const,
      aiConfidence: 0.9,
      writtenLines: 10,
    })),
  );
  const [team] = await database.db.insert(teams).values({ orgId, slug: "core", name: "Core", source: "github", githubId: 1 }).returning({ id: teams.id });
  await database.db.insert(teamMembers).values(logins.map((login) => ({ teamId: team!.id, orgId, login, source: "github" as const })));
  const [small] = await database.db.insert(teams).values({ orgId, slug: "duo", name: "Duo", source: "github", githubId: 2 }).returning({ id: teams.id });
  await database.db.insert(teamMembers).values(["ana", "bo"].map((login) => ({ teamId: small!.id, orgId, login, source: "github" as const })));
  return { orgId, teamId: team!.id, smallTeamId: small!.id };
}

async function run(handler: Handler, path: string, options: { cookie?: string; key?: string; form?: Record<string, string>; params?: Record<string, string> }) {
  const headers = new Headers(options.cookie ? { Cookie: options.cookie } : { Authorization: `Bearer ${options.key}` });
  const request = new Request(`http://sentinel.test${path}`, { method: options.form ? "POST" : "GET", headers, body: options.form ? new URLSearchParams(options.form) : undefined });
  const unwrap = (value: unknown, fallback: number): { status: number; body: unknown } => {
    if (value instanceof Response) return { status: value.status, body: value };
    if (value && typeof value === "object" && "type" in value && (value as { type: string }).type === "DataWithResponseInit") {
      const wrapped = value as unknown as { data: unknown; init: ResponseInit | null };
      return { status: wrapped.init?.status ?? fallback, body: wrapped.data };
    }
    return { status: fallback, body: value };
  };
  try {
    return unwrap(await handler({ request, params: options.params ?? {}, context: { services } }), 200);
  } catch (thrown) {
    return unwrap(thrown, 500);
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
  const created = await organizationWithTeams("acme-teams");
  const cookies = { owner: await cookieFor(created.orgId, "owner"), admin: await cookieFor(created.orgId, "admin"), member: await cookieFor(created.orgId, "member") };
  const key = await createApiKey(database.db, created.orgId, { name: "teams", scope: "read" }, null, NOW);
  if (!key.ok) throw new Error("key");
  acme = { ...created, cookies, key: key.key };
  globexTeamId = (await organizationWithTeams("globex-teams")).teamId;
}, 120_000);

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("team pages and API", () => {
  it("answer 404 for another organisation's team, an unknown id and a non-id, on the page and in the API", async () => {
    for (const teamId of [globexTeamId, randomUUID(), "nope"]) {
      expect((await run(teamPage.loader as Handler, `/teams/${teamId}`, { cookie: acme.cookies.member, params: { teamId } })).status).toBe(404);
      expect((await run(apiTeam.loader as Handler, `/api/v1/teams/${teamId}`, { key: acme.key, params: { teamId } })).status).toBe(404);
    }
    expect((await run(teamsPage.loader as Handler, "/teams?days=14", { cookie: acme.cookies.member })).status).toBe(400);
    const invalid = await run(apiTeams.loader as Handler, "/api/v1/teams?days=14", { key: acme.key });
    expect(invalid.status).toBe(400);
  });

  it("show people only while an owner has per-person figures on, and hide them again at once", async () => {
    const teamPath = `/api/v1/teams/${acme.teamId}`;
    const detail = async () => ((await run(apiTeam.loader as Handler, teamPath, { key: acme.key, params: { teamId: acme.teamId } })).body as Response).json();
    expect((await detail()).data.members).toBeNull();
    // An admin may not turn it on; an owner may.
    expect((await run(settingsTeams.action as Handler, "/settings/teams", { cookie: acme.cookies.admin, form: { intent: "privacy", perPerson: "on" } })).status).toBe(403);
    expect((await run(settingsTeams.action as Handler, "/settings/teams", { cookie: acme.cookies.owner, form: { intent: "privacy", perPerson: "on" } })).status).toBe(200);
    const on = await detail();
    expect(on.data.members.map((person: { login: string }) => person.login)).toEqual(["ana", "bo", "cy"]);
    const page = (await run(teamPage.loader as Handler, `/teams/${acme.teamId}`, { cookie: acme.cookies.member, params: { teamId: acme.teamId } })).body as { team: { data: { members: unknown[] } } };
    expect(page.team.data.members).toHaveLength(3);
    await run(settingsTeams.action as Handler, "/settings/teams", { cookie: acme.cookies.owner, form: { intent: "privacy", perPerson: "off" } });
    expect((await detail()).data.members).toBeNull();

    // The team of two: no figures on its own, in the list or on its page.
    const list = await ((await run(apiTeams.loader as Handler, "/api/v1/teams", { key: acme.key })).body as Response).json();
    expect(list.data.map((team: { name: string }) => team.name)).toEqual(["Core"]);
    expect(list.others).toBeNull();
    const small = await ((await run(apiTeam.loader as Handler, `/api/v1/teams/${acme.smallTeamId}`, { key: acme.key, params: { teamId: acme.smallTeamId } })).body as Response).json();
    expect(small.data).toMatchObject({ shownOnItsOwn: false, figures: null, members: null });
    const csv = (await run(apiTeams.loader as Handler, "/api/v1/teams?format=csv", { key: acme.key })).body as Response;
    expect((await csv.text()).split("\r\n")[0]).toContain("aiCommitsByTool");
  });

  it("settings: an unknown login is a field error naming it and nothing is saved; a member cannot make teams", async () => {
    const refused = await run(settingsTeams.action as Handler, "/settings/teams", { cookie: acme.cookies.admin, form: { intent: "create", name: "Crew", members: "ana, ghost-login" } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ ok: false, fieldErrors: { members: expect.stringContaining("ghost-login") } });
    const loaded = (await run(settingsTeams.loader as Handler, "/settings/teams", { cookie: acme.cookies.admin })).body as { manual: unknown[] };
    expect(loaded.manual).toHaveLength(0);
    expect((await run(settingsTeams.action as Handler, "/settings/teams", { cookie: acme.cookies.member, form: { intent: "create", name: "Crew", members: "ana" } })).status).toBe(403);
    expect((await run(settingsTeams.action as Handler, "/settings/teams", { cookie: acme.cookies.admin, form: { intent: "explode" } })).status).toBe(400);
    expect((await run(settingsTeams.action as Handler, "/settings/teams", { cookie: acme.cookies.admin, form: { intent: "delete", teamId: globexTeamId } })).status).toBe(404);
    expect((await run(settingsTeams.action as Handler, "/settings/teams", { cookie: acme.cookies.admin, form: { intent: "create", name: "Crew", members: "ana bo cy" } })).status).toBe(200);
  });
});
