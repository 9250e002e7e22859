import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { connectPostgres, type DatabaseConnection } from "../../infrastructure/db/client.ts";
import { waitFor } from "./queue.ts";
import { TEMPLATE_DATABASE, TEST_POSTGRES_URL, databaseUrl } from "./config.ts";

export interface TestDatabase extends DatabaseConnection {
  name: string;
  url: string;
  /** Closes the connection and drops the database. */
  drop(): Promise<void>;
}

async function admin<T>(run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

/** A fresh, migrated database of its own for one test file (cloned from the template made in global setup). */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `sentinel_test_${randomBytes(6).toString("hex")}`;
  await admin(async (sql) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await sql.unsafe(options.empty ? `create database ${name}` : `create database ${name} template ${TEMPLATE_DATABASE}`);
        return;
      } catch (error) {
        // Two files cloning the template at the same instant can collide; a short retry settles it.
        if (attempt >= 5 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
      }
    }
  });
  const url = databaseUrl(name);
  const connection = connectPostgres(url, { applicationName: "sentinel-test", max: 5 });
  return {
    ...connection,
    name,
    url,
    async drop() {
      await connection.close();
      await admin((sql) => sql.unsafe(`drop database if exists ${name} with (force)`));
    },
  };
}

/**
 * The pid of a backend of `databaseName` that waits on a lock (other than the asking connection's): a transaction
 * held mid-way by a lock the test took, ready to have its connection terminated.
 */
export async function waitForLockWaiter(
  admin: postgres.Sql,
  databaseName: string,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<number> {
  return (await waitFor(
    async () => {
      const rows = await admin<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = ${databaseName} and wait_event_type = 'Lock' and pid <> pg_backend_pid()`;
      return rows[0]?.pid ?? false;
    },
    { timeoutMs: options.timeoutMs ?? 10_000, what: options.what ?? "a transaction waiting on a lock" },
  )) as number;
}
