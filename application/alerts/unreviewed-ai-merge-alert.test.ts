/**
 * ai_high_risk_merged_without_review on the real PostgreSQL: off by default, and once switched on it fires after a
 * repository's daily metrics for a pull request with AI-written T3/T4 lines merged unreviewed, once per 24 h.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import type { Services } from "../services.ts";
import { evaluateRepositoryAlerts, type AlertEvaluationDeps } from "./evaluate.ts";

const NOW = new Date("2026-03-15T09:00:00Z");
const daily = { source: "compute-metrics-daily" as const, period: "2026-03-14" };

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let optedIn: { orgId: string; repoId: string };
let byDefault: { orgId: string; repoId: string };

async function organisationWithAnUnreviewedAiMerge(slug: string, settings: unknown) {
  const sql = database.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name, settings) values (${slug}, ${slug}, ${JSON.stringify(settings)}::jsonb) returning id`;
  const [repo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${org!.id}, ${`${slug}/api`}) returning id`;
  const pr = (number: number, reviewedAt: string | null) =>
    sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at, first_review_at, merged_at)
        values (${org!.id}, ${repo!.id}, ${number}, ${`PR ${number}`}, 'merged', 'main', '2026-03-13T09:00:00Z', ${reviewedAt}, '2026-03-14T15:00:00Z')`;
  // 7 merged unreviewed with AI-written code in a T4 file; 8 the same but reviewed.
  for (const [number, reviewedAt] of [[7, null], [8, "2026-03-14T10:00:00Z"]] as const) {
    await pr(number, reviewedAt);
    await sql`insert into commits (org_id, repo_id, sha, authored_at, pr_number) values (${org!.id}, ${repo!.id}, ${`sha${number}`}, '2026-03-13T08:00:00Z', ${number})`;
    await sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at, written_lines)
              values (${org!.id}, ${repo!.id}, ${`sha${number}`}, 'src/auth/session.ts', 'modified', 0.9, 4, 4, 'test', '2026-03-13T08:00:00Z', 12)`;
  }
  return { orgId: org!.id, repoId: repo!.id };
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database));
  optedIn = await organisationWithAnUnreviewedAiMerge("opted-in", { alerts: { ai_high_risk_merged_without_review: { enabled: true } } });
  byDefault = await organisationWithAnUnreviewedAiMerge("by-default", {});
}, 60_000);

afterAll(async () => {
  await close?.();
  await database?.drop();
});

const deps = (): AlertEvaluationDeps => ({ db: services.db, queue: services.queue, logger: services.logger, now: () => NOW });

describe("ai_high_risk_merged_without_review evaluation", () => {
  it("fires once per repository and day for an organisation that switched it on, naming the unreviewed pull request", async () => {
    const first = await evaluateRepositoryAlerts(deps(), { ...daily, repoId: optedIn.repoId });
    expect(first.created.map((created) => created.rule)).toEqual(["ai_high_risk_merged_without_review"]);
    const again = await evaluateRepositoryAlerts(deps(), { ...daily, repoId: optedIn.repoId });
    expect(again.created).toEqual([]);
    expect(again.deduplicated.map((dedup) => dedup.rule)).toEqual(["ai_high_risk_merged_without_review"]);
    const rows = await database.sql<{ details: Record<string, unknown> }[]>`select details from alerts where org_id = ${optedIn.orgId} and rule = 'ai_high_risk_merged_without_review'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toMatchObject({ unreviewed: 1, aiHighRiskMerged: 2, pullRequests: [{ number: 7, aiHighRiskFiles: 1 }] });
  });

  it("stays silent where nobody switched it on", async () => {
    const result = await evaluateRepositoryAlerts(deps(), { ...daily, repoId: byDefault.repoId });
    expect(result.candidates).not.toContain("ai_high_risk_merged_without_review");
  });

  it("looks only at the window's merges: the next week's evaluation finds nothing", async () => {
    const later = await evaluateRepositoryAlerts({ ...deps(), now: () => new Date("2026-03-22T09:00:00Z") }, { ...daily, period: "2026-03-21", repoId: optedIn.repoId });
    expect(later.candidates).not.toContain("ai_high_risk_merged_without_review");
  });
});
