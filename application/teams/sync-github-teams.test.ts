import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubInstallations, githubOrgMembers, organizations, teamMembers, teams } from "../../infrastructure/db/schema/index.ts";
import type { GitHubApi } from "../../infrastructure/github/github-api.ts";
import type { FakeGitHub } from "../../tests/fakes/github.ts";
import { startTestGitHub } from "../../tests/fakes/github-client.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { captureLogger } from "../../tests/support/logs.ts";
import { organizationsWithGitHubTeams, syncGitHubTeams } from "./sync-github-teams.ts";

let database: TestDatabase;
let fake: FakeGitHub;
let api: GitHubApi;
let installationSeq = 7_000;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fake, api } = await startTestGitHub());
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await database?.drop();
});

const NOW = new Date("2026-12-07T12:00:00Z");

async function organizationWithInstallation(login: string, accountType = "Organization") {
  const [org] = await database.db.insert(organizations).values({ slug: `${login}-${randomUUID().slice(0, 8)}`, name: login }).returning({ id: organizations.id });
  installationSeq += 1;
  await database.db.insert(githubInstallations).values({ id: installationSeq, orgId: org!.id, accountId: installationSeq, accountLogin: login, accountType });
  return org!.id;
}

/** 120 members (past one page of 100) and a team of 45 (past GitHub's default page of 30). */
function bigOrganization() {
  const members = Array.from({ length: 120 }, (_, index) => ({ id: 1_000 + index, login: `dev-${index}` }));
  return {
    members,
    teams: [
      { id: 11, slug: "platform", name: "Platform", members: members.slice(0, 45).map((member) => member.login) },
      { id: 12, slug: "web", name: "Web", members: ["dev-50", "dev-51", "dev-52"] },
    ],
  };
}

const sync = (orgId: string, logger = captureLogger().logger) => syncGitHubTeams({ db: database.db, github: api, logger, now: () => NOW }, orgId);

async function teamsOf(orgId: string) {
  const rows = await database.db.select({ id: teams.id, slug: teams.slug, name: teams.name, source: teams.source }).from(teams).where(eq(teams.orgId, orgId));
  return rows.sort((a, b) => a.slug.localeCompare(b.slug));
}

describe("syncGitHubTeams", () => {
  it("reads every page of teams, team members and org members and keeps a team's id across syncs and renames", async () => {
    const orgId = await organizationWithInstallation("acme-sync");
    fake.setOrganization("acme-sync", bigOrganization());
    const [manual] = await database.db.insert(teams).values({ orgId, slug: "manual/ops", name: "Ops", source: "manual" }).returning({ id: teams.id });
    await database.db.insert(teamMembers).values({ teamId: manual!.id, orgId, login: "dev-1", source: "manual" });

    expect(await sync(orgId)).toEqual({ status: "synced", teams: 2, memberships: 48, orgMembers: 120 });
    const first = await teamsOf(orgId);
    expect(first.map((team) => [team.slug, team.source])).toEqual([
      ["manual/ops", "manual"],
      ["platform", "github"],
      ["web", "github"],
    ]);
    const platform = first.find((team) => team.slug === "platform")!;
    expect(await database.db.$count(teamMembers, eq(teamMembers.teamId, platform.id))).toBe(45);
    expect(await database.db.$count(githubOrgMembers, eq(githubOrgMembers.orgId, orgId))).toBe(120);

    // Renamed, one team swapped slugs with the other, one member left, a team deleted on GitHub.
    const changed = bigOrganization();
    fake.setOrganization("acme-sync", {
      members: changed.members.slice(1),
      teams: [{ id: 11, slug: "web", name: "Web platform", members: ["dev-2", "dev-3", "dev-4"] }],
    });
    expect((await sync(orgId)).status).toBe("synced");
    const second = await teamsOf(orgId);
    expect(second).toEqual([
      { id: manual!.id, slug: "manual/ops", name: "Ops", source: "manual" },
      { id: platform.id, slug: "web", name: "Web platform", source: "github" },
    ]);
    expect(await database.db.$count(teamMembers, eq(teamMembers.teamId, manual!.id))).toBe(1);
    expect(await database.db.$count(githubOrgMembers, eq(githubOrgMembers.orgId, orgId))).toBe(119);
  });

  it("leaves the previous state when GitHub fails midway, and says what to do once when Members: read is missing", async () => {
    const orgId = await organizationWithInstallation("acme-refused");
    fake.setOrganization("acme-refused", bigOrganization());
    await sync(orgId);
    const before = await teamsOf(orgId);

    // A server error on the second team's members: thrown for the job's backoff, nothing replaced.
    fake.fail({ path: /^\/orgs\/acme-refused\/teams\/web\/members$/, times: 1, status: 500 });
    const smaller = bigOrganization();
    fake.setOrganization("acme-refused", { members: smaller.members.slice(0, 10), teams: [{ ...smaller.teams[0]!, name: "Renamed" }, smaller.teams[1]!] });
    await expect(sync(orgId)).rejects.toThrow();
    expect(await teamsOf(orgId)).toEqual(before);
    expect(await database.db.$count(githubOrgMembers, eq(githubOrgMembers.orgId, orgId))).toBe(120);

    fake.fail({ path: /^\/orgs\/acme-refused\/teams$/, times: 1, status: 403, body: { message: "Resource not accessible by integration" } });
    const capture = captureLogger();
    const refused = await sync(orgId, capture.logger);
    expect(refused.status).toBe("refused");
    expect(refused.status === "refused" && refused.reason).toMatch(/Members: read/);
    const warnings = capture.lines().filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.msg)).toMatch(/accepts the new permission/);
    expect(await teamsOf(orgId)).toEqual(before);
  });

  it("the daily tick picks organisations with an active installation on a GitHub organisation, never the demo's simulated one", async () => {
    const real = await organizationWithInstallation("tick-real");
    const personal = await organizationWithInstallation("tick-personal", "User");
    const demo = await organizationWithInstallation("tick-demo");
    await database.db.update(organizations).set({ isDemo: true }).where(eq(organizations.id, demo));
    const picked = await organizationsWithGitHubTeams(database.db);
    expect(picked).toContain(real);
    expect(picked).not.toContain(personal);
    expect(picked).not.toContain(demo);
  });

  it("skips a personal account and an organisation without an installation", async () => {
    const personal = await organizationWithInstallation("someone", "User");
    expect((await sync(personal)).status).toBe("skipped");
    const [bare] = await database.db.insert(organizations).values({ slug: `bare-${randomUUID().slice(0, 8)}`, name: "bare" }).returning({ id: organizations.id });
    expect((await sync(bare!.id)).status).toBe("skipped");
    expect(await database.db.$count(teams, and(eq(teams.orgId, bare!.id)))).toBe(0);
  });
});
