import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizations, repositories } from "../../infrastructure/db/schema/index.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";
import { silentLogger } from "../../infrastructure/logging/logger.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { createIncident } from "../../application/incidents/create-incident.server.ts";
import { eventFeedQuery, getEventDetail, listEvents } from "./events.server.ts";
import { getIncidentDetail } from "./incidents.server.ts";

describe("events presenter", () => {
  let database: TestDatabase;
  let orgId: string;
  let otherOrgId: string;
  let otherRepoId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const { services, close } = await createTestServices(database);
    const seeded = await seedDemoOrganization(
      { db: database.db, queue: services.queue, logger: silentLogger },
      { seed: 3, now: new Date("2026-11-01T00:00:00Z"), days: 10, analysis: "inline" },
    );
    await close();
    orgId = seeded.orgId;
    const [other] = await database.db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning({ id: organizations.id });
    otherOrgId = other!.id;
    const [repo] = await database.db
      .insert(repositories)
      .values({ orgId: otherOrgId, fullName: "globex/secret", githubId: 999 })
      .returning({ id: repositories.id });
    otherRepoId = repo!.id;
  });
  afterAll(async () => {
    await database.drop();
  });

  it("pages through the feed newest first without repeating or skipping an event", async () => {
    const [{ total } = { total: 0 }] = await database.sql<{ total: number }[]>`select count(*)::int as total from code_events`;
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await listEvents(database.db, orgId, eventFeedQuery.parse({ cursor, limit: 100 }));
      seen.push(...page.events.map((event) => event.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });

  it("filters by type and minimum AI confidence", async () => {
    const page = await listEvents(database.db, orgId, eventFeedQuery.parse({ type: "commit", minConfidence: "0.8", limit: 200 }));
    expect(page.events.length).toBeGreaterThan(0);
    expect(page.events.every((event) => event.type === "commit" && (event.aiConfidence ?? 0) >= 0.8)).toBe(true);
  });

  it("explains a flagged commit with its signals, per file", async () => {
    const page = await listEvents(database.db, orgId, eventFeedQuery.parse({ type: "commit", minConfidence: "0.9", limit: 1 }));
    const detail = await getEventDetail(database.db, orgId, page.events[0]!.id);
    expect(detail?.commit?.aiConfidence).toBeGreaterThanOrEqual(0.9);
    expect(detail?.commit?.signals.length).toBeGreaterThan(0);
    expect(detail?.commit?.signals.every((signal) => signal.evidence.length > 0)).toBe(true);
    expect(detail?.files.length).toBeGreaterThan(0);
    expect(detail?.files.every((file) => file.riskTier >= 1 && file.riskTier <= 4)).toBe(true);
    // Written lines as the engine counted them, and the commit's sum of its counted files' (ADR 033).
    const counted = detail!.files.filter((file) => file.countsTowardShare);
    expect(counted.every((file) => file.writtenLines <= file.linesAdded)).toBe(true);
    expect(detail?.commit?.writtenLines).toBe(counted.reduce((sum, file) => sum + file.writtenLines, 0));
  });

  it("says why a file's added lines were not counted as written", async () => {
    const page = await listEvents(database.db, orgId, eventFeedQuery.parse({ type: "commit", limit: 1 }));
    const detail = await getEventDetail(database.db, orgId, page.events[0]!.id);
    const file = detail!.files[0]!;
    await database.sql`update code_attribution set written_lines = 0, exclusion = 'whitespace-only change: not counted'
      where org_id = ${orgId} and commit_sha = ${detail!.commit!.sha} and file_path = ${file.path}`;
    const again = await getEventDetail(database.db, orgId, page.events[0]!.id);
    expect(again!.files.find((row) => row.path === file.path)).toMatchObject({ writtenLines: 0, exclusion: "whitespace-only change: not counted" });
  });

  it("never shows another organisation's events, even given their ids", async () => {
    const page = await listEvents(database.db, orgId, eventFeedQuery.parse({ limit: 1 }));
    const eventId = page.events[0]!.id;
    expect(await getEventDetail(database.db, otherOrgId, eventId)).toBeNull();
    const foreignFeed = await listEvents(database.db, otherOrgId, eventFeedQuery.parse({ limit: 50 }));
    expect(foreignFeed.events).toEqual([]);
    const nested = await listEvents(database.db, orgId, eventFeedQuery.parse({ repo: otherRepoId }));
    expect(nested.events).toEqual([]);
  });

  it("shows an incident's AI attribution by risk tier and the strongest signal behind each suspect", async () => {
    const [suspect] = await database.sql<{ sha: string; repo_id: string; lines: number; ai_lines: number }[]>`
      select c.sha, c.repo_id, sum(ca.lines_added)::int as lines,
        coalesce(sum(ca.lines_added) filter (where ca.ai_confidence >= 0.5), 0)::int as ai_lines
      from commits c join code_attribution ca on ca.repo_id = c.repo_id and ca.commit_sha = c.sha and ca.counts_toward_share
      where c.org_id = ${orgId} and c.ai_confidence >= 0.9
      group by c.sha, c.repo_id order by c.sha limit 1`;
    const created = await createIncident(
      database.db,
      orgId,
      { repoId: suspect!.repo_id, title: "Checkout errors", severity: "sev2", startedAt: "2026-10-31T10:00:00Z", suspectedCommitShas: [suspect!.sha] },
      null,
    );
    expect(created.ok).toBe(true);
    const detail = await getIncidentDetail(database.db, orgId, created.ok ? created.incidentId : "");
    expect(detail!.byTier.reduce((sum, tier) => sum + tier.lines, 0)).toBe(suspect!.lines);
    expect(detail!.byTier.reduce((sum, tier) => sum + tier.aiLines, 0)).toBe(suspect!.ai_lines);
    expect(detail!.suspects[0]!.topSignal?.evidence).toBeTruthy();
    expect(await getIncidentDetail(database.db, otherOrgId, created.ok ? created.incidentId : "")).toBeNull();
  });

  it("rejects malformed filters with the field named", () => {
    const result = eventFeedQuery.safeParse({ minConfidence: "2", type: "push" });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      expect.stringContaining("type must be one of"),
      "minConfidence is between 0 and 1",
    ]);
  });
});
