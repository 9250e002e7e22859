import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Database = PostgresJsDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Either the database or an open transaction: queries take this so callers decide the transaction boundary. */
export type Executor = Database | Transaction;

export interface DatabaseConnection {
  db: Database;
  sql: postgres.Sql;
  /** "postgres" for DATABASE_URL, "embedded" for the PGlite default. */
  kind: "postgres" | "embedded";
  /** The URL with any password masked, for logs and /healthz. */
  displayUrl: string;
  close(): Promise<void>;
}

export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "****";
    return parsed.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/** One postgres.js client per process (docs/stack.md): `max` bounds the pool, `application_name` shows in pg_stat_activity. */
export function connectPostgres(
  url: string,
  options: {
    applicationName: string;
    max?: number;
    kind?: DatabaseConnection["kind"];
    onClose?: () => Promise<void>;
    /** Sees every statement sent, with its parameters (the query-plan check captures the dashboard's SQL). */
    onQuery?: (query: string, parameters: readonly unknown[]) => void;
  },
): DatabaseConnection {
  const onQuery = options.onQuery;
  const sql = postgres(url, {
    ...(onQuery ? { debug: (_connection: number, query: string, parameters: unknown[]) => onQuery(query, parameters) } : {}),
    max: options.max ?? 10,
    // JIT compiles a query when its estimated cost is high, which the planner's estimates for the dashboard's
    // aggregates often are: 10–30 ms of compiling for queries that run in 1–5 ms (ADR 060). Sentinel's queries are
    // short; none gains from it.
    connection: { application_name: options.applicationName, jit: "off" },
    onnotice: () => {},
    // Fail fast instead of hanging a request when the database is unreachable.
    connect_timeout: 5,
    idle_timeout: 60,
  });
  const db = drizzle(sql, { schema, casing: "snake_case" });
  return {
    db,
    sql,
    kind: options.kind ?? "postgres",
    displayUrl: maskDatabaseUrl(url),
    async close() {
      await sql.end({ timeout: 5 });
      await options.onClose?.();
    },
  };
}
