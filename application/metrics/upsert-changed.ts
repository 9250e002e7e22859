import { getTableName, sql, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

/**
 * The conflict clause of an upsert of computed rows (daily metrics, survival cohorts, review-queue snapshots): the
 * incoming values replace the stored ones and stamp computed_at, but only when one of `compared` (default: all of
 * `columns`) changed. Unchanged values leave the row untouched, computed_at included: a rerun is a no-op, not a rewrite.
 * `columns` are the snake_case column names; the schema's keys are their camelCase.
 */
export function replaceWhenChanged(
  table: PgTable,
  columns: readonly string[],
  compared: readonly string[] = columns,
): { set: Record<string, SQL>; setWhere: SQL } {
  const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
  const set: Record<string, SQL> = Object.fromEntries(columns.map((column) => [camel(column), sql.raw(`excluded.${column}`)]));
  const tableName = getTableName(table);
  const current = compared.map((column) => `${tableName}.${column}`).join(", ");
  const incoming = compared.map((column) => `excluded.${column}`).join(", ");
  return { set: { ...set, computedAt: sql`now()` }, setWhere: sql.raw(`(${current}) is distinct from (${incoming})`) };
}
