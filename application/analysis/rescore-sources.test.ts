import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DETECTOR_VERSION } from "../../domain/detection/index.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { rewindToOldDetector, snapshotVerdicts } from "../../tests/support/rescore-history.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";
import { silentLogger } from "../../infrastructure/logging/logger.ts";
import { countRescoreWork, rescoreStoredCommits, resolveRescoreScope } from "./rescore.ts";

let database: TestDatabase;
let orgId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const services = await createTestServices(database);
  try {
    const seeded = await seedDemoOrganization(
      { db: database.db, queue: services.services.queue, logger: silentLogger },
      { seed: 11, now: new Date("2026-11-20T12:00:00Z"), days: 5, analysis: "inline", metrics: false },
    );
    orgId = seeded.orgId;
  } finally {
    await services.close();
  }
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

describe("re-scoring the demo organisation's history analysed before inputs were kept", () => {
  it("regenerates each commit from the demo dataset (its 'GitHub'): the rows a fresh analysis writes, input included", async () => {
    const scope = await resolveRescoreScope(database.db, { orgId });
    if (!scope.ok) throw new Error(scope.message);
    const repoIds = scope.repositories.map((repository) => repository.repoId);
    const fresh = await Promise.all(repoIds.map((repoId) => snapshotVerdicts(database.sql, repoId)));
    const analysed = fresh.reduce((sum, snapshot) => sum + snapshot.commits.filter((row) => row.analysis_status === "analyzed").length, 0);
    expect(analysed).toBeGreaterThan(10);

    for (const repoId of repoIds) await rewindToOldDetector(database.sql, repoId);
    await database.sql`delete from commit_detection_inputs where org_id = ${orgId}`;
    expect(await countRescoreWork(database.db, repoIds)).toEqual({ stale: analysed, current: 0, withoutSource: 0 });

    const result = await rescoreStoredCommits(database.db, scope.repositories, { batchSize: 50 });
    expect(result).toMatchObject({ rescored: analysed, rebuilt: { "stored-input": 0, "demo-dataset": analysed, "push-payload": 0 }, unrebuildable: {} });
    expect(await Promise.all(repoIds.map((repoId) => snapshotVerdicts(database.sql, repoId)))).toEqual(fresh);

    const [left] = await database.sql<{ old: number }[]>`
      select count(*)::int as old from commits where org_id = ${orgId} and detector_version <> ${DETECTOR_VERSION}`;
    expect(left!.old).toBe(0);
    expect(await rescoreStoredCommits(database.db, scope.repositories)).toMatchObject({ rescored: 0, current: analysed });
  }, 120_000);
});
