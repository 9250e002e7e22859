import { z } from "zod";

/**
 * The query-string fields the list presenters share (events, incidents, alerts): a bad value is a 400 naming the
 * field, and the API's OpenAPI document describes each list from the same schemas.
 */
export const repoFilter = z.string().uuid("repo must be a repository id").optional();

/** A page holds 1 to 200 rows; `defaultSize` when the query does not say. */
export const pageLimit = (defaultSize: number) => z.coerce.number().int().min(1).max(200).default(defaultSize);

/** The repository a listed row belongs to, named for its link. */
export type InRepository = { repoId: string; repoFullName: string };

/** A timestamp column as ISO 8601 in UTC, whatever text or Date the driver returned. */
export function isoTime(value: string | Date): string {
  return new Date(value).toISOString();
}

/** The same for a column that may be null (not yet acknowledged, not resolved). */
export function isoTimeOrNull(value: string | Date | null): string | null {
  return value ? isoTime(value) : null;
}
