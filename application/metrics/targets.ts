import { and, eq, isNull, sql } from "drizzle-orm";
import { isValidTimeZone, localClock, type LocalClock } from "../../domain/metrics/time.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { organizations, repositories } from "../../infrastructure/db/schema/index.ts";

export const DEFAULT_TIME_ZONE = "America/Los_Angeles";

/** An organisation's stored zone, or the default when it is not one Intl knows (one bad row must not stop the others). */
export function storedTimeZone(timeZone: string): string {
  return isValidTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
}

export interface ActiveRepository {
  repoId: string;
  orgId: string;
  fullName: string;
  timeZone: string;
}

/**
 * Every enabled repository with its organisation's zone and the local clock there at `at`. An invalid zone in the
 * database falls back to the default rather than stopping every other organisation's metrics.
 */
export async function listActiveRepositories(db: Executor, at: Date): Promise<(ActiveRepository & { local: LocalClock })[]> {
  const rows = await db
    .select({ repoId: repositories.id, orgId: repositories.orgId, fullName: repositories.fullName, timeZone: organizations.timezone })
    .from(repositories)
    .innerJoin(organizations, eq(organizations.id, repositories.orgId))
    .where(isNull(repositories.disabledAt))
    .orderBy(repositories.orgId, repositories.fullName);
  return rows.map((row) => {
    const timeZone = storedTimeZone(row.timeZone);
    return { ...row, timeZone, local: localClock(at, timeZone) };
  });
}

/** Repositories (of `repoIds`) without a `repo_metrics` row for `date`: the catch-up after a missed tick. */
export async function repositoriesMissingDay(db: Executor, repoIds: readonly string[], date: string): Promise<Set<string>> {
  if (repoIds.length === 0) return new Set();
  const rows = await db.execute<{ repo_id: string }>(sql`
    select r.id as repo_id from repositories r
    where r.id in (${sql.join(repoIds.map((id) => sql`${id}`), sql`, `)})
      and not exists (select 1 from repo_metrics m where m.repo_id = r.id and m.date = ${date})`);
  return new Set(rows.map((row) => row.repo_id));
}

export async function findRepositoryByFullName(db: Executor, fullName: string): Promise<{ repoId: string; orgId: string }[]> {
  return db
    .select({ repoId: repositories.id, orgId: repositories.orgId })
    .from(repositories)
    .where(and(eq(repositories.fullName, fullName), isNull(repositories.disabledAt)));
}
