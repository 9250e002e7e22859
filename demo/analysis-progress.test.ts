import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commits, organizations, repositories } from "../infrastructure/db/schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { commitAnalysisProgress } from "./analysis-progress.ts";

const AUTHORED_AT = new Date("2026-12-01T09:00:00Z");

/** What `npm start`'s demo analysis bar counts: the organisation's commits no longer waiting for the workers. */
describe("commitAnalysisProgress", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  async function organisationWith(slug: string, statuses: Array<"pending" | "analyzed" | "skipped" | "failed">) {
    const [org] = await database.db.insert(organizations).values({ slug, name: slug, isDemo: true }).returning({ id: organizations.id });
    const [repo] = await database.db.insert(repositories).values({ orgId: org!.id, fullName: `${slug}/app`, source: "demo" }).returning({ id: repositories.id });
    if (statuses.length > 0) {
      await database.db.insert(commits).values(
        statuses.map((analysisStatus, index) => ({
          orgId: org!.id,
          repoId: repo!.id,
          sha: index.toString(16).padStart(40, "a"),
          authoredAt: AUTHORED_AT,
          analysisStatus,
        })),
      );
    }
    return org!.id;
  }

  it("counts analysed, skipped and failed commits as done, pending ones as not, in that organisation only", async () => {
    const demo = await organisationWith("demo-progress", ["analyzed", "analyzed", "skipped", "failed", "pending", "pending"]);
    await organisationWith("other-progress", ["pending", "pending", "pending"]);
    expect(await commitAnalysisProgress(database.db, demo)).toEqual({ done: 4, total: 6 });
  });

  it("is 0 of 0 for an organisation without commits yet", async () => {
    const empty = await organisationWith("empty-progress", []);
    expect(await commitAnalysisProgress(database.db, empty)).toEqual({ done: 0, total: 0 });
  });
});
