import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeAttribution, commits, deployments, organizations, repositories } from "../../infrastructure/db/schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { getSuspectCandidates } from "./incidents.server.ts";

// A fixed clock (ADR 071): the incident starts at START, an hour after a production deployment at DEPLOYED.
const START = new Date("2026-03-14T12:00:00Z");
const DEPLOYED = new Date("2026-03-14T11:00:00Z");
const hoursBefore = (hours: number) => new Date(DEPLOYED.getTime() - hours * 3_600_000);
const sha = (prefix: string) => prefix.padEnd(40, "0");

type CommitRow = typeof commits.$inferInsert;

describe("getSuspectCandidates", () => {
  let database: TestDatabase;
  let orgId: string;
  let repoId: string;
  let foreignOrgId: string;
  let foreignRepoId: string;

  /** A commit on the default branch, analysed, with one counted file at `tier` written at `fileConfidence`. */
  async function commit(
    orgId: string,
    repoId: string,
    prefix: string,
    fields: Partial<CommitRow> & { landed: Date; tier?: 1 | 2 | 3 | 4; fileConfidence?: number; written?: number },
  ) {
    const { landed, tier = 2, fileConfidence, written = 10, ...rest } = fields;
    const confidence = rest.aiConfidence ?? 0.9;
    await database.db.insert(commits).values({
      orgId,
      repoId,
      sha: sha(prefix),
      authoredAt: landed,
      committedAt: landed,
      messageHeadline: `commit ${prefix}`,
      onDefaultBranch: true,
      analysisStatus: "analyzed",
      aiConfidence: confidence,
      linesAdded: written,
      writtenLines: written,
      ...rest,
    });
    if (rest.analysisStatus && rest.analysisStatus !== "analyzed") return;
    await database.db.insert(codeAttribution).values({
      orgId,
      repoId,
      commitSha: sha(prefix),
      filePath: `src/${prefix}.ts`,
      changeType: "modified",
      aiConfidence: fileConfidence ?? confidence,
      riskTier: tier,
      baseRiskTier: tier,
      linesAdded: written,
      writtenLines: written,
      detectorVersion: "test",
      authoredAt: landed,
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const [acme, globex] = await database.db
      .insert(organizations)
      .values([
        { slug: "acme", name: "Acme" },
        { slug: "globex", name: "Globex" },
      ])
      .returning({ id: organizations.id });
    orgId = acme!.id;
    foreignOrgId = globex!.id;
    const [repo] = await database.db.insert(repositories).values({ orgId, fullName: "acme/api" }).returning({ id: repositories.id });
    const [foreign] = await database.db.insert(repositories).values({ orgId: foreignOrgId, fullName: "globex/api" }).returning({ id: repositories.id });
    repoId = repo!.id;
    foreignRepoId = foreign!.id;
    // Two production deployments: the window is what the later one shipped since the earlier, a day before it.
    await database.db.insert(deployments).values([
      { orgId, repoId, githubId: 1, sha: sha("d1"), environment: "production", isProduction: true, status: "success", createdAt: hoursBefore(24) },
      { orgId, repoId, githubId: 2, sha: sha("d2"), environment: "production", isProduction: true, status: "success", createdAt: DEPLOYED },
    ]);

    // Ranked candidates, in the order the form should show them.
    await commit(orgId, repoId, "a4", { landed: hoursBefore(1), tier: 4, aiConfidence: 0.9 }); // AI-written T4, just before
    await commit(orgId, repoId, "b3", { landed: hoursBefore(3), tier: 3, aiConfidence: 0.85 }); // AI-written T3
    await commit(orgId, repoId, "c2", { landed: hoursBefore(20), tier: 2, aiConfidence: 0.8 }); // AI-written T2, older
    await commit(orgId, repoId, "d1", { landed: hoursBefore(2), tier: 1, aiConfidence: 0.6 }); // AI-written boilerplate
    // A human commit in a critical file, landed just before the deployment: its file is not AI-written.
    await commit(orgId, repoId, "e0", { landed: hoursBefore(0.5), tier: 4, aiConfidence: 0.05 });

    // Left out: a merge commit (the analysis skips merges), a commit not analysed yet, one whose analysis failed,
    // one with only uncounted lines (a lockfile), one off the default branch, and one outside the window.
    await commit(orgId, repoId, "f1", {
      landed: hoursBefore(0.2),
      analysisStatus: "skipped",
      skipReason: "merge commit: its changes are attributed to the commits it merges",
      aiConfidence: null,
      writtenLines: 0,
    });
    await commit(orgId, repoId, "f2", { landed: hoursBefore(0.3), analysisStatus: "pending", aiConfidence: null, writtenLines: 0 });
    await commit(orgId, repoId, "f3", { landed: hoursBefore(0.4), analysisStatus: "failed", aiConfidence: null, writtenLines: 0 });
    await commit(orgId, repoId, "f4", { landed: hoursBefore(0.6), tier: 1, written: 0, aiConfidence: 0.9 });
    await commit(orgId, repoId, "f5", { landed: hoursBefore(0.7), tier: 4, onDefaultBranch: false });
    await commit(orgId, repoId, "f6", { landed: hoursBefore(30), tier: 4 });
    // Another organisation's AI-written T4 commit in the same hour, with a sha of its own and one that collides.
    await commit(foreignOrgId, foreignRepoId, "99", { landed: hoursBefore(1), tier: 4, aiConfidence: 0.99 });
    await commit(foreignOrgId, foreignRepoId, "a4", { landed: hoursBefore(1), tier: 4, aiConfidence: 0.99 });
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("lists the analysed commits with written lines the last deployments shipped, best suspects first", async () => {
    const candidates = await getSuspectCandidates(database.db, orgId, repoId, START);
    expect(candidates.map((candidate) => candidate.sha)).toEqual([sha("a4"), sha("b3"), sha("c2"), sha("d1"), sha("e0")]);
    expect(candidates.map((candidate) => candidate.aiRiskTier)).toEqual([4, 3, 2, 1, null]);
    const scores = candidates.map((candidate) => candidate.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("pre-ticks the top three that score at least the floor, never the human commit", async () => {
    const candidates = await getSuspectCandidates(database.db, orgId, repoId, START);
    expect(candidates.filter((candidate) => candidate.suggested).map((candidate) => candidate.sha)).toEqual([sha("a4"), sha("b3"), sha("c2")]);
    expect(candidates.find((candidate) => candidate.sha === sha("e0"))!.suggested).toBe(false);
  });

  it("leaves out merge commits, unanalysed and failed commits, and commits without written lines", async () => {
    const shas = new Set((await getSuspectCandidates(database.db, orgId, repoId, START)).map((candidate) => candidate.sha));
    for (const left of ["f1", "f2", "f3", "f4", "f5", "f6"]) expect(shas.has(sha(left)), left).toBe(false);
  });

  it("never shows another organisation's commits, and finds nothing through another organisation's repository", async () => {
    const candidates = await getSuspectCandidates(database.db, orgId, repoId, START);
    expect(candidates.some((candidate) => candidate.sha === sha("99"))).toBe(false);
    // The colliding sha is ours, with our confidence, not theirs.
    expect(candidates.find((candidate) => candidate.sha === sha("a4"))!.aiConfidence).toBeCloseTo(0.9, 5);
    expect(await getSuspectCandidates(database.db, orgId, foreignRepoId, START)).toEqual([]);
    expect(await getSuspectCandidates(database.db, foreignOrgId, repoId, START)).toEqual([]);
  });

  it("without a production deployment, ranks the default branch's commits of the 48 hours before the start", async () => {
    const candidates = await getSuspectCandidates(database.db, foreignOrgId, foreignRepoId, START);
    // Equal scores: both landed the same instant, so the smaller sha comes first.
    expect(candidates.map((candidate) => candidate.sha)).toEqual([sha("99"), sha("a4")]);
    expect(candidates.every((candidate) => candidate.suggested)).toBe(true);
  });
});
