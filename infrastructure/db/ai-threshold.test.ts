import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";

/**
 * SQL that a migration fixed cannot interpolate AI_CONFIDENCE_THRESHOLD: the partial index on code_attribution and the
 * rollup trigger functions say the number literally. Read back from the migrated database, every such cutoff must be
 * the constant; changing the constant means a migration that rebuilds them (and the index in schema/activity.ts).
 */
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

/** Every number compared with `ai_confidence >=` in a piece of SQL ("(0.5)::double precision" included). */
function cutoffs(sqlText: string): number[] {
  return [...sqlText.matchAll(/ai_confidence\)?\s*>=\s*\(?\s*([0-9.]+)/g)].map((match) => Number(match[1]));
}

describe("the AI confidence cutoff written into the schema", () => {
  it("is the constant in the high-risk files' partial index", async () => {
    const [index] = await database.sql<{ indexdef: string }[]>`
      select indexdef from pg_indexes where schemaname = current_schema() and indexname = 'code_attribution_repo_high_risk_idx'`;
    expect(index, "code_attribution_repo_high_risk_idx is missing").toBeDefined();
    expect(cutoffs(index!.indexdef)).toEqual([AI_CONFIDENCE_THRESHOLD]);
  });

  it("is the constant in every rollup trigger function", async () => {
    const functions = await database.sql<{ name: string; source: string }[]>`
      select p.proname as name, p.prosrc as source from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = current_schema() and p.prosrc like '%ai_confidence%'`;
    const found = functions.flatMap((fn) => cutoffs(fn.source).map((cutoff) => ({ name: fn.name, cutoff })));
    expect(found.length).toBeGreaterThan(0);
    expect(found.filter((entry) => entry.cutoff !== AI_CONFIDENCE_THRESHOLD)).toEqual([]);
  });
});
