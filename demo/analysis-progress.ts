import { eq, sql } from "drizzle-orm";
import type { Database } from "../infrastructure/db/client.ts";
import { commits } from "../infrastructure/db/schema/index.ts";

/**
 * How far the workers are with an organisation's commits: `npm start` hands the demo's analysis to them (ADR 003), so
 * its progress bar asks the database, not the seeding. Done means no longer pending: analysed, skipped or failed.
 */
export async function commitAnalysisProgress(db: Database, orgId: string): Promise<{ done: number; total: number }> {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      done: sql<number>`(count(*) filter (where ${commits.analysisStatus} <> 'pending'))::int`,
    })
    .from(commits)
    .where(eq(commits.orgId, orgId));
  return row ?? { done: 0, total: 0 };
}
