/**
 * Settings → Members on the real PostgreSQL: role changes and removals by owners and admins, the last-owner rule
 * (also when two owners demote each other at once), tenancy, and how removals and role changes survive the next
 * GitHub sign-in (upsertGitHubUser).
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { githubInstallations, organizationMemberRemovals, organizationMembers, organizations, users } from "../../infrastructure/db/schema/index.ts";
import { upsertGitHubUser } from "../../infrastructure/auth/github-oauth.ts";
import { changeMemberRole, listMembers, removeMember, restoreMember, type MemberRole } from "./members.server.ts";

let database: TestDatabase;
let acme: string;
let globex: string;
const people: Record<"olivia" | "oscar" | "ada" | "max" | "gus", { id: string; githubId: number }> = {} as never;
const ACME_GITHUB_ORG = 9001;
const NOW = new Date("2026-04-01T12:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  [acme, globex] = (
    await db
      .insert(organizations)
      .values([
        { slug: "acme", name: "Acme", githubAccountId: ACME_GITHUB_ORG },
        { slug: "globex", name: "Globex" },
      ])
      .returning({ id: organizations.id })
  ).map((row) => row.id) as [string, string];
  let githubId = 100;
  for (const login of ["olivia", "oscar", "ada", "max", "gus"] as const) {
    githubId += 1;
    const [row] = await db.insert(users).values({ login, githubId }).returning({ id: users.id });
    people[login] = { id: row!.id, githubId };
  }
  // olivia installed the App on the acme GitHub organisation.
  await db.insert(githubInstallations).values({ id: 1, orgId: acme, accountId: ACME_GITHUB_ORG, accountLogin: "acme", accountType: "Organization", installedByGithubId: people.olivia.githubId });
  await db.insert(organizationMembers).values({ orgId: globex, userId: people.gus.id, role: "owner" });
});

afterAll(async () => {
  await database?.drop();
});

const roleOf = async (orgId: string, userId: string) =>
  (await database.db.select({ role: organizationMembers.role }).from(organizationMembers).where(and(eq(organizationMembers.orgId, orgId), eq(organizationMembers.userId, userId))))[0]?.role ?? null;

async function setRoles(roles: Partial<Record<keyof typeof people, MemberRole>>) {
  await database.db.delete(organizationMembers).where(eq(organizationMembers.orgId, acme));
  await database.db.delete(organizationMemberRemovals).where(eq(organizationMemberRemovals.orgId, acme));
  await database.db.insert(organizationMembers).values(Object.entries(roles).map(([login, role]) => ({ orgId: acme, userId: people[login as keyof typeof people].id, role })));
}

const as = (login: keyof typeof people) => ({ userId: people[login].id });

describe("role changes", () => {
  beforeEach(() => setRoles({ olivia: "owner", oscar: "owner", ada: "admin", max: "member" }));

  it("an owner promotes and demotes; the list shows roles owners first", async () => {
    expect(await changeMemberRole(database.db, acme, as("olivia"), { userId: people.max.id, role: "admin" })).toEqual({ ok: true });
    expect(await changeMemberRole(database.db, acme, as("olivia"), { userId: people.oscar.id, role: "member" })).toEqual({ ok: true });
    const { members } = await listMembers(database.db, acme);
    expect(members.map((member) => [member.login, member.role])).toEqual([
      ["olivia", "owner"],
      ["ada", "admin"],
      ["max", "admin"],
      ["oscar", "member"],
    ]);
  });

  it("the last owner can be neither demoted nor removed, with a message that says what to do", async () => {
    await changeMemberRole(database.db, acme, as("olivia"), { userId: people.oscar.id, role: "admin" });
    const demote = await changeMemberRole(database.db, acme, as("olivia"), { userId: people.olivia.id, role: "admin" });
    expect(demote).toEqual({ ok: false, code: "LAST_OWNER", message: "olivia is the organisation's last owner and cannot be demoted: make someone else owner first." });
    const remove = await removeMember(database.db, acme, as("olivia"), { userId: people.olivia.id }, NOW);
    expect(remove).toMatchObject({ ok: false, code: "LAST_OWNER", message: expect.stringContaining("cannot be removed") });
    expect(await roleOf(acme, people.olivia.id)).toBe("owner");
  });

  it("two owners demoting each other at the same moment leave one owner", async () => {
    const results = await Promise.all([
      changeMemberRole(database.db, acme, as("olivia"), { userId: people.oscar.id, role: "member" }),
      changeMemberRole(database.db, acme, as("oscar"), { userId: people.olivia.id, role: "member" }),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const roles = [await roleOf(acme, people.olivia.id), await roleOf(acme, people.oscar.id)];
    expect(roles.filter((role) => role === "owner")).toHaveLength(1);
  });

  it("admins manage admins and members but cannot make, demote or remove an owner; members change nothing", async () => {
    expect(await changeMemberRole(database.db, acme, as("ada"), { userId: people.max.id, role: "admin" })).toEqual({ ok: true });
    expect(await changeMemberRole(database.db, acme, as("ada"), { userId: people.max.id, role: "owner" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(await changeMemberRole(database.db, acme, as("ada"), { userId: people.olivia.id, role: "member" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(await removeMember(database.db, acme, as("ada"), { userId: people.oscar.id }, NOW)).toMatchObject({ ok: false, code: "FORBIDDEN" });
    await changeMemberRole(database.db, acme, as("olivia"), { userId: people.max.id, role: "member" });
    expect(await changeMemberRole(database.db, acme, as("max"), { userId: people.max.id, role: "admin" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(await roleOf(acme, people.max.id)).toBe("member");
    expect(await roleOf(acme, people.olivia.id)).toBe("owner");
  });

  it("bad input names the field; another organisation's member is not found and is left alone", async () => {
    expect(await changeMemberRole(database.db, acme, as("olivia"), { userId: "nope", role: "root" })).toEqual({
      ok: false,
      code: "INVALID_INPUT",
      fieldErrors: { userId: "choose a member", role: "choose owner, admin or member" },
    });
    expect(await changeMemberRole(database.db, acme, as("olivia"), { userId: people.gus.id, role: "member" })).toEqual({ ok: false, code: "MEMBER_NOT_FOUND" });
    expect(await removeMember(database.db, acme, as("olivia"), { userId: people.gus.id }, NOW)).toEqual({ ok: false, code: "MEMBER_NOT_FOUND" });
    expect(await roleOf(globex, people.gus.id)).toBe("owner");
    // An owner of another organisation has no say here.
    expect(await changeMemberRole(database.db, acme, as("gus"), { userId: people.max.id, role: "admin" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
  });
});

describe("removal and the next GitHub sign-in", () => {
  beforeEach(() => setRoles({ olivia: "owner", max: "member" }));
  const signIn = (login: keyof typeof people) => upsertGitHubUser(database.db, { id: people[login].githubId, login }, [ACME_GITHUB_ORG], NOW);

  it("a member of the GitHub organisation joins as member when signing in", async () => {
    await database.db.delete(organizationMembers).where(eq(organizationMembers.userId, people.ada.id));
    await signIn("ada");
    expect(await roleOf(acme, people.ada.id)).toBe("member");
  });

  it("a removed member is not added back by signing in, until restored", async () => {
    expect(await removeMember(database.db, acme, as("olivia"), { userId: people.max.id }, NOW)).toEqual({ ok: true });
    expect(await roleOf(acme, people.max.id)).toBeNull();
    await signIn("max");
    expect(await roleOf(acme, people.max.id)).toBeNull();
    const { removed } = await listMembers(database.db, acme);
    expect(removed).toEqual([{ userId: people.max.id, login: "max", name: null, removedAt: NOW.toISOString(), removedByLogin: "olivia" }]);

    expect(await restoreMember(database.db, acme, as("olivia"), { userId: people.max.id })).toEqual({ ok: true });
    expect(await roleOf(acme, people.max.id)).toBe("member");
    expect((await listMembers(database.db, acme)).removed).toEqual([]);
    expect(await restoreMember(database.db, acme, as("olivia"), { userId: people.max.id })).toEqual({ ok: false, code: "MEMBER_NOT_FOUND" });
  });

  it("the installer keeps a role given on this page when signing in again, and gets owner back only if nobody owns the organisation", async () => {
    await changeMemberRole(database.db, acme, as("olivia"), { userId: people.max.id, role: "owner" });
    expect(await changeMemberRole(database.db, acme, as("max"), { userId: people.olivia.id, role: "admin" })).toEqual({ ok: true });
    await signIn("olivia");
    expect(await roleOf(acme, people.olivia.id)).toBe("admin");

    // An organisation left without an owner (e.g. the owner's account was deleted) is reclaimed by its installer.
    await database.db.delete(users).where(eq(users.id, people.max.id));
    await signIn("olivia");
    expect(await roleOf(acme, people.olivia.id)).toBe("owner");
    const [max] = await database.db.insert(users).values({ login: "max", githubId: people.max.githubId }).returning({ id: users.id });
    people.max.id = max!.id;
  });
});
