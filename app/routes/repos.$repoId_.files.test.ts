import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../application/services.ts";
import {
  codeAttribution,
  codeEvents,
  commits,
  incidentCommits,
  incidents,
  organizationMembers,
  organizations,
  repositories,
  users,
} from "../../infrastructure/db/schema/index.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { filePageLink } from "~/utils/file-link.ts";
import { getFileHistory } from "~/presenters/file-history.server.ts";
import * as filePage from "./repos.$repoId_.files.tsx";

/** The page reads the `days` before this instant (a Monday noon, UTC). */
const NOW = new Date("2026-06-15T12:00:00Z");
const FILE = "src/auth/session.ts";
const RECENT = "a".repeat(40);
const OLDER = "b".repeat(40);
const LAST_YEAR = "c".repeat(40);
const ELSEWHERE = "d".repeat(40);

type RouteHandler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;
type PageData = Awaited<ReturnType<typeof filePage.loader>>;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let cookie: string;
let repoId: string;
let foreignRepoId: string;
let eventId: number;
let incidentId: string;

async function open(repo: string, query: Record<string, string>) {
  const request = new Request(`http://sentinel.test/repos/${repo}/files?${new URLSearchParams(query).toString()}`, { headers: { Cookie: cookie } });
  try {
    const result = await (filePage.loader as RouteHandler)({ request, params: { repoId: repo }, context: { services } });
    return { status: 200, body: result as PageData };
  } catch (thrown) {
    const status = thrown instanceof Response ? thrown.status : (thrown as { init?: { status?: number } }).init?.status;
    if (status === undefined) throw thrown;
    return { status, body: null };
  }
}

/** One commit's attribution row for one file, as the verdict writer stores it. */
function attribution(orgId: string, repo: string, sha: string, filePath: string, at: string, aiConfidence: number, writtenLines: number, riskTier: number) {
  return {
    orgId,
    repoId: repo,
    commitSha: sha,
    filePath,
    changeType: "modified",
    aiConfidence,
    riskTier,
    baseRiskTier: 3,
    riskReasons: [`T3 Core: path names "auth"`],
    linesAdded: writtenLines,
    writtenLines,
    detectorVersion: "test",
    authoredAt: new Date(at),
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
  const db = database.db;
  const [org] = await db.insert(organizations).values({ slug: "acme", name: "Acme" }).returning({ id: organizations.id });
  const orgId = org!.id;
  const [repo] = await db
    .insert(repositories)
    .values({ orgId, fullName: "acme/api", githubId: 101, source: "github", riskOverrides: [{ pattern: "src/billing/**", tier: 4 }] })
    .returning({ id: repositories.id });
  repoId = repo!.id;
  const [user] = await db.insert(users).values({ login: "alice", githubId: 1001 }).returning({ id: users.id });
  await db.insert(organizationMembers).values({ orgId, userId: user!.id, role: "owner" });

  await db.insert(commits).values([
    { orgId, repoId, sha: RECENT, authorName: "Alice", authoredAt: new Date("2026-06-01T09:00:00Z"), messageHeadline: "Refresh sessions" },
    { orgId, repoId, sha: OLDER, authorName: "Bob", authoredAt: new Date("2026-05-20T09:00:00Z"), messageHeadline: "Fix expiry" },
    { orgId, repoId, sha: LAST_YEAR, authorName: "Carol", authoredAt: new Date("2026-01-05T09:00:00Z"), messageHeadline: "Sessions" },
    { orgId, repoId, sha: ELSEWHERE, authorName: "Dan", authoredAt: new Date("2026-06-03T09:00:00Z"), messageHeadline: "Button" },
  ]);
  await db.insert(codeAttribution).values([
    attribution(orgId, repoId, RECENT, FILE, "2026-06-01T09:00:00Z", 0.9, 30, 3),
    // The same commit changed another file: it is that file's history, not this one's.
    { ...attribution(orgId, repoId, RECENT, "src/ui/button.tsx", "2026-06-01T09:00:00Z", 0.9, 500, 2), baseRiskTier: 2 },
    { ...attribution(orgId, repoId, OLDER, FILE, "2026-05-20T09:00:00Z", 0.1, 10, 2), riskReasons: [`T3 Core: path names "auth"`, "lowered to T2"] },
    attribution(orgId, repoId, LAST_YEAR, FILE, "2026-01-05T09:00:00Z", 0.8, 5, 3),
    { ...attribution(orgId, repoId, ELSEWHERE, "src/billing/invoice.ts", "2026-06-03T09:00:00Z", 0.95, 12, 4), baseRiskTier: 4 },
  ]);
  const [event] = await db
    .insert(codeEvents)
    .values({ orgId, repoId, type: "commit", eventKey: `commit/${RECENT}`, commitSha: RECENT, timestamp: new Date("2026-06-01T09:00:00Z"), payload: {} })
    .returning({ id: codeEvents.id });
  eventId = event!.id;
  const [incident, unrelated] = await db
    .insert(incidents)
    .values([
      { orgId, repoId, title: "Sessions expire at once", severity: "sev2", startedAt: new Date("2026-06-02T10:00:00Z") },
      { orgId, repoId, title: "Invoices doubled", severity: "sev3", startedAt: new Date("2026-06-04T10:00:00Z") },
    ])
    .returning({ id: incidents.id });
  incidentId = incident!.id;
  await db.insert(incidentCommits).values([
    { incidentId, repoId, commitSha: RECENT },
    { incidentId: unrelated!.id, repoId, commitSha: ELSEWHERE },
  ]);

  // Another organisation tracks a repository with the same file.
  const [other] = await db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning({ id: organizations.id });
  const [otherRepo] = await db.insert(repositories).values({ orgId: other!.id, fullName: "globex/secret", githubId: 4242 }).returning({ id: repositories.id });
  foreignRepoId = otherRepo!.id;
  await db.insert(codeAttribution).values(attribution(other!.id, foreignRepoId, RECENT, FILE, "2026-06-01T09:00:00Z", 0.9, 30, 3));

  const session = await services.sessionStorage.getSession();
  session.set("userId", user!.id);
  session.set("orgId", orgId);
  cookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("the file page", () => {
  it("shows the file's commits of the last 90 days newest first, its tier and why, and the incidents they were suspected in", async () => {
    const { status, body } = await open(repoId, { path: FILE });
    expect(status).toBe(200);
    const file = body!.file;
    expect(file.repository).toEqual({ id: repoId, fullName: "acme/api" });
    expect(file.days).toBe(90);
    expect(file.tier).toEqual({ tier: 3, reason: 'T3 Core: path names "auth"', fromOverride: false });
    expect(file.commits.map(({ sha, eventId: event, authorName, aiConfidence, writtenLines, riskTier }) => ({ sha, event, authorName, aiConfidence, writtenLines, riskTier }))).toEqual([
      { sha: RECENT, event: eventId, authorName: "Alice", aiConfidence: expect.closeTo(0.9, 5), writtenLines: 30, riskTier: 3 },
      { sha: OLDER, event: null, authorName: "Bob", aiConfidence: expect.closeTo(0.1, 5), writtenLines: 10, riskTier: 2 },
    ]);
    expect(file.incidents).toEqual([{ id: incidentId, title: "Sessions expire at once", severity: "sev2", startedAt: "2026-06-02T10:00:00.000Z", commitShas: [RECENT] }]);
  });

  it("gives every week of the range, a gap (not a zero) where no line was written", async () => {
    const { weeks } = (await open(repoId, { path: FILE })).body!.file;
    expect(weeks[0]!.week).toBe("2026-03-16");
    expect(weeks.at(-1)!.week).toBe("2026-06-15");
    expect(weeks).toHaveLength(14);
    expect(weeks.filter((week) => week.aiShare !== null)).toEqual([
      { week: "2026-05-18", aiShare: 0, writtenLines: 10 },
      { week: "2026-06-01", aiShare: 100, writtenLines: 30 },
    ]);
  });

  it("follows the range: a year finds last January's commit, a week finds none", async () => {
    const year = (await open(repoId, { path: FILE, days: "365" })).body!.file;
    expect(year.commits.map((commit) => commit.sha)).toEqual([RECENT, OLDER, LAST_YEAR]);
    const week = (await open(repoId, { path: FILE, days: "7" })).body!.file;
    expect(week.commits).toEqual([]);
    expect(week.incidents).toEqual([]);
    expect(week.weeks.every((one) => one.aiShare === null)).toBe(true);
  });

  it("lists the newest commits up to its limit and says that there are more", async () => {
    const history = await getFileHistory(database.db, (await open(repoId, { path: FILE })).body!.org!.id, repoId, FILE, { now: NOW, days: 365, limit: 2 });
    expect(history!.commits.map((commit) => commit.sha)).toEqual([RECENT, OLDER]);
    expect(history!.moreCommits).toBe(true);
    expect((await open(repoId, { path: FILE })).body!.file.moreCommits).toBe(false);
  });

  it("says when a repository override decides the tier", async () => {
    const { tier } = (await open(repoId, { path: "src/billing/invoice.ts" })).body!.file;
    expect(tier).toEqual({ tier: 4, reason: 'T4 Critical: repository override "src/billing/**"', fromOverride: true });
  });

  it("answers 404 for another organisation's repository, an unknown path, a malformed id or no path, and 400 for an unknown range", async () => {
    const outcomes = await Promise.all([
      open(foreignRepoId, { path: FILE }),
      open(repoId, { path: "src/nowhere.ts" }),
      open("not-a-uuid", { path: FILE }),
      open(repoId, {}),
      open(repoId, { path: FILE, days: "12" }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([404, 404, 404, 404, 400]);
  });

  it("is linked with the path encoded, slashes and all", () => {
    expect(filePageLink(repoId, "src/a b/#x.ts")).toBe(`/repos/${repoId}/files?path=src%2Fa+b%2F%23x.ts`);
  });
});
