import { sql } from "drizzle-orm";
import type { Executor } from "../../infrastructure/db/client.ts";

/**
 * `metrics_stale_ranges`: repositories whose stored verdicts changed under their metrics, with the authored-time
 * range that changed. A re-score marks the range before it writes the verdicts and clears it after the recompute, so
 * a run stopped anywhere in between leaves a mark that the next run (CLI or worker) recomputes.
 */

export interface StaleRange {
  orgId: string;
  repoId: string;
  firstAuthoredAt: Date;
  lastAuthoredAt: Date;
  /** timestamptz as PostgreSQL prints it: handed back unchanged to clear exactly this mark. */
  markedAt: string;
}

/** Widens the repository's mark to cover [first, last] (authored times, ISO 8601). */
export async function markMetricsStale(db: Executor, mark: { orgId: string; repoId: string; first: string; last: string }): Promise<void> {
  // clock_timestamp(), not now(): two marks in one transaction must still differ (see clearStaleRange).
  await db.execute(sql`
    insert into metrics_stale_ranges (org_id, repo_id, first_authored_at, last_authored_at, marked_at)
    values (${mark.orgId}, ${mark.repoId}, ${mark.first}, ${mark.last}, clock_timestamp())
    on conflict (repo_id) do update set
      first_authored_at = least(metrics_stale_ranges.first_authored_at, excluded.first_authored_at),
      last_authored_at = greatest(metrics_stale_ranges.last_authored_at, excluded.last_authored_at),
      marked_at = clock_timestamp()`);
}

export async function listStaleRanges(db: Executor, repoIds: readonly string[]): Promise<StaleRange[]> {
  if (repoIds.length === 0) return [];
  const rows = await db.execute<{ org_id: string; repo_id: string; first_authored_at: string; last_authored_at: string; marked_at: string }>(sql`
    select org_id, repo_id, first_authored_at::text, last_authored_at::text, marked_at::text
    from metrics_stale_ranges
    where repo_id in (${sql.join(repoIds.map((id) => sql`${id}`), sql`, `)})
    order by repo_id`);
  return rows.map((row) => ({
    orgId: row.org_id,
    repoId: row.repo_id,
    firstAuthoredAt: new Date(row.first_authored_at),
    lastAuthoredAt: new Date(row.last_authored_at),
    markedAt: row.marked_at,
  }));
}

/** Clears the mark read as `markedAt`; a mark widened since (another re-score meanwhile) stays for the next run. */
export async function clearStaleRange(db: Executor, range: Pick<StaleRange, "repoId" | "markedAt">): Promise<boolean> {
  const rows = await db.execute(sql`
    delete from metrics_stale_ranges where repo_id = ${range.repoId} and marked_at = ${range.markedAt}::timestamptz returning repo_id`);
  return rows.length > 0;
}
