import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldSmallGroups, parseTeamPrivacy } from "../../domain/teams/privacy.ts";
import { commits, githubOrgMembers, organizations, pullRequests, repositories, teamMembers, teams } from "../../infrastructure/db/schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createManualTeam, deleteManualTeam, updateManualTeam } from "./manual-teams.ts";
import { readTeamPrivacy, setPerPersonFigures } from "./privacy.ts";
import { getTeamDetail, getTeamsOverview } from "./team-figures.ts";

let database: TestDatabase;
const NOW = new Date("2026-12-07T12:00:00Z");
const RANGE = { from: new Date("2026-11-07T12:00:00Z"), to: NOW };
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

async function organization() {
  const [org] = await database.db.insert(organizations).values({ slug: `org-${randomUUID().slice(0, 8)}`, name: "org" }).returning({ id: organizations.id });
  const [repo] = await database.db.insert(repositories).values({ orgId: org!.id, fullName: `org/${randomUUID().slice(0, 6)}`, source: "demo" }).returning({ id: repositories.id });
  return { orgId: org!.id, repoId: repo!.id };
}

let shaSeq = 0;
function commit(scope: { orgId: string; repoId: string }, login: string, options: { ai?: boolean; lines?: number; daysAgo?: number; tool?: string } = {}) {
  shaSeq += 1;
  const signals = options.ai ? [{ id: "trailer-co-authored-by", agent: options.tool ?? "Claude Code" }] : [];
  return {
    ...scope,
    sha: shaSeq.toString(16).padStart(40, "a"),
    authorLogin: login,
    authoredAt: new Date(NOW.getTime() - (options.daysAgo ?? 1) * DAY),
    analysisStatus: "analyzed" as const,
    aiConfidence: options.ai ? 0.97 : 0.05,
    signals,
    writtenLines: options.lines ?? 10,
  };
}

async function team(orgId: string, name: string, members: string[], source: "github" | "manual" = "github") {
  const [row] = await database.db.insert(teams).values({ orgId, slug: name.toLowerCase(), name, source }).returning({ id: teams.id });
  await database.db.insert(teamMembers).values(members.map((login) => ({ teamId: row!.id, orgId, login, source })));
  return row!.id;
}

describe("team figures", () => {
  it("counts each team's people's commits, AI commits by tool, written lines, AI share and merged PRs; small teams fold into Others", async () => {
    const scope = await organization();
    const other = await organization();
    await database.db.insert(commits).values([
      commit(scope, "ana", { ai: true, lines: 100 }),
      commit(scope, "ana", { ai: true, lines: 50, tool: "Cursor" }),
      commit(scope, "bo", { lines: 40 }),
      commit(scope, "cy", { lines: 10 }),
      commit(scope, "cy", { lines: 999, daysAgo: 45 }), // before the range
      commit(scope, "dee", { ai: true, lines: 5 }),
      commit(other, "ana", { ai: true, lines: 1_000 }), // another organisation's
    ]);
    await database.db.insert(pullRequests).values([
      { ...scope, number: 1, authorLogin: "ana", state: "merged", openedAt: new Date(NOW.getTime() - 3 * DAY), mergedAt: new Date(NOW.getTime() - 2 * DAY), reviewCount: 1 },
      { ...scope, number: 2, authorLogin: "bo", state: "merged", openedAt: new Date(NOW.getTime() - 3 * DAY), mergedAt: new Date(NOW.getTime() - 2 * DAY) },
      { ...scope, number: 3, authorLogin: "bo", state: "open", openedAt: new Date(NOW.getTime() - 3 * DAY) },
    ]);
    const core = await team(scope.orgId, "Core", ["ana", "bo", "cy"]);
    await team(scope.orgId, "Duo", ["dee", "eve"]);

    const overview = await getTeamsOverview(database.db, scope.orgId, RANGE);
    expect(overview.teams.map((row) => row.team.name)).toEqual(["Core"]);
    const figures = overview.teams[0]!.figures;
    expect(figures).toMatchObject({ activePeople: 3, commits: 4, aiCommits: 2, writtenLines: 200, prsMerged: 2, prsMergedWithoutReview: 1 });
    expect(figures.aiCommitsByTool).toEqual([
      { tool: "Claude Code", commits: 1 },
      { tool: "Cursor", commits: 1 },
    ]);
    expect(figures.aiShare).toBeGreaterThan(0.5);
    expect(figures.aiShare).toBeLessThanOrEqual(1);
    // The team of two is not shown, and two people are too few for "Others" as well.
    expect(overview.others).toBeNull();
    expect(overview.foldedTeams).toBe(1);

    // A third small team brings "Others" to three people: shown together, never one team alone.
    await team(scope.orgId, "Solo", ["fay"]);
    const withOthers = await getTeamsOverview(database.db, scope.orgId, RANGE);
    expect(withOthers.others).toMatchObject({ people: 3, teams: 2 });
    expect(withOthers.others!.figures.commits).toBe(1);

    // Person rows only when per-person figures are on.
    const off = await getTeamDetail(database.db, scope.orgId, core, RANGE, { perPerson: false });
    expect(off.status === "shown" && off.people).toBeNull();
    const on = await getTeamDetail(database.db, scope.orgId, core, RANGE, { perPerson: true });
    expect(on.status === "shown" && on.people?.map((person) => [person.login, person.commits])).toEqual([
      ["ana", 2],
      ["bo", 1],
      ["cy", 1],
    ]);
    expect((await getTeamDetail(database.db, other.orgId, core, RANGE, { perPerson: true })).status).toBe("not-found");
    expect((await getTeamDetail(database.db, scope.orgId, "not-a-uuid", RANGE, { perPerson: true })).status).toBe("not-found");
  });

  it("folds with the union of the small teams' people", () => {
    const folded = foldSmallGroups([{ members: ["a", "b"] }, { members: ["b", "c"] }, { members: ["x", "y", "z"] }]);
    expect(folded.shown).toHaveLength(1);
    expect(folded.others).toEqual({ members: ["a", "b", "c"], teams: 2 });
  });
});

describe("per-person privacy", () => {
  it("is off by default and when the stored value is unreadable; only an owner turns it on", async () => {
    expect(parseTeamPrivacy({}).privacy.perPerson).toBe(false);
    expect(parseTeamPrivacy({ teams: { perPerson: "yes" } })).toEqual({ privacy: { perPerson: false }, valid: false });
    const { orgId } = await organization();
    expect(await readTeamPrivacy(database.db, orgId)).toEqual({ perPerson: false });
    expect(await setPerPersonFigures(database.db, { orgId, role: "admin" }, true)).toEqual({ ok: false, code: "FORBIDDEN" });
    expect((await setPerPersonFigures(database.db, { orgId, role: "owner" }, true)).ok).toBe(true);
    expect(await readTeamPrivacy(database.db, orgId)).toEqual({ perPerson: true });
    await setPerPersonFigures(database.db, { orgId, role: "owner" }, false);
    expect(await readTeamPrivacy(database.db, orgId)).toEqual({ perPerson: false });
  });
});

describe("manual teams", () => {
  it("accept logins the organisation knows and name the unknown ones as a field error, saving nothing", async () => {
    const scope = await organization();
    await database.db.insert(githubOrgMembers).values({ orgId: scope.orgId, login: "member-only" });
    await database.db.insert(commits).values(commit(scope, "committer"));
    await database.db.insert(pullRequests).values({ ...scope, number: 9, authorLogin: "pr-author", openedAt: NOW });
    const admin = { orgId: scope.orgId, role: "admin" as const };

    const refused = await createManualTeam(database.db, admin, { name: "Platform", members: "member-only, @committer\nghost-1 ghost-2" }, NOW);
    expect(refused).toEqual({ ok: false, code: "INVALID_INPUT", fieldErrors: { members: expect.stringMatching(/ghost-1, ghost-2/) } });
    expect(await database.db.$count(teams, eq(teams.orgId, scope.orgId))).toBe(0);
    expect((await createManualTeam(database.db, admin, { name: " ", members: "bad login!" }, NOW)).ok).toBe(false);
    expect(await createManualTeam(database.db, { ...admin, role: "member" }, { name: "X", members: "committer" }, NOW)).toEqual({ ok: false, code: "FORBIDDEN" });

    const created = await createManualTeam(database.db, admin, { name: "Platform", members: "member-only, @committer pr-author" }, NOW);
    expect(created.ok).toBe(true);
    const teamId = created.ok ? created.teamId : "";
    expect(await createManualTeam(database.db, admin, { name: "platform", members: "committer" }, NOW)).toMatchObject({ ok: false, fieldErrors: { name: expect.any(String) } });
    expect((await updateManualTeam(database.db, admin, teamId, { name: "Platform two", members: "committer" }, NOW)).ok).toBe(true);
    expect(await database.db.$count(teamMembers, eq(teamMembers.teamId, teamId))).toBe(1);

    const other = await organization();
    expect(await updateManualTeam(database.db, { orgId: other.orgId, role: "owner" }, teamId, { name: "Mine", members: "x" }, NOW)).toEqual({ ok: false, code: "TEAM_NOT_FOUND" });
    expect(await deleteManualTeam(database.db, { orgId: other.orgId, role: "owner" }, teamId)).toEqual({ ok: false, code: "TEAM_NOT_FOUND" });
    expect((await deleteManualTeam(database.db, admin, teamId)).ok).toBe(true);
  });
});
