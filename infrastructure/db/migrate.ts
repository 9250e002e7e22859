import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");

/** Any constant works; it only has to be the same in every Sentinel process. */
const MIGRATION_LOCK_ID = 7_240_318_221;

export interface MigrationReport {
  applied: number;
  total: number;
}

function journalEntries(): { tag: string; when: number }[] {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries;
}

/**
 * Applies pending migrations. Web and worker processes may start together, so the run holds a session-level
 * advisory lock on a dedicated single connection: the second process waits, then finds nothing to do.
 */
export async function migrateDatabase(url: string): Promise<MigrationReport> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: "sentinel-migrate" } });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    const before = await countAppliedMigrations(sql);
    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_FOLDER });
    const after = await countAppliedMigrations(sql);
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    return { applied: after - before, total: journalEntries().length };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function countAppliedMigrations(sql: postgres.Sql): Promise<number> {
  const [exists] = await sql<{ present: boolean }[]>`
    select to_regclass('drizzle.__drizzle_migrations') is not null as present`;
  if (!exists?.present) return 0;
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from drizzle.__drizzle_migrations`;
  return row?.count ?? 0;
}

/**
 * For readiness: the migrations in the folder that `sentinel migrate` would apply, by tag, oldest first. Drizzle's
 * rule, not a row count: it applies every journal entry newer than the newest applied one (`created_at` holds the
 * entry's `when`), so a missing older row is not pending, and a database ahead of this build has nothing pending.
 */
export async function pendingMigrations(sql: postgres.Sql): Promise<string[]> {
  const [exists] = await sql<{ present: boolean }[]>`
    select to_regclass('drizzle.__drizzle_migrations') is not null as present`;
  const newest = exists?.present
    ? Number((await sql<{ newest: string | null }[]>`select max(created_at)::text as newest from drizzle.__drizzle_migrations`)[0]?.newest ?? -1)
    : -1;
  return journalEntries()
    .filter((entry) => entry.when > newest)
    .map((entry) => entry.tag);
}
