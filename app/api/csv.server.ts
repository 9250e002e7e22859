import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { organisationToolCsvSchema } from "../presenters/ai-tools.server.ts";
import { pullRequestSchema } from "../presenters/pulls.server.ts";
import { teamCsvSchema } from "../presenters/teams.server.ts";
import {
  alertSchema,
  feedEventSchema,
  highRiskFileSchema,
  incidentSummarySchema,
  metricsDaySchema,
  repositorySummarySchema,
} from "./responses.server.ts";

/**
 * `?format=csv` of the list endpoints: the same items as the JSON `data`, one row each, for spreadsheets. The columns
 * are read from the item's response schema, so the header has the JSON's field names (a nested object's fields as
 * `parent.child`) and a field added to the schema is a column at once. Lists of values are joined with `;`, free-form
 * objects (an alert's details) are JSON text, null is an empty cell.
 */

export const listFormatQuery = z.object({
  format: z
    .enum(["json", "csv"], { message: "format is json or csv" })
    .default("json")
    .describe("json (the default) or csv: the list's items as a CSV file, one row each, columns named like the JSON fields"),
});

/** A list's filters and `format`, parsed as one, so a 400 names every bad field of both. */
export const withListFormat = <T extends z.ZodType>(filters: T) => z.intersection(filters, listFormatQuery);

/** Each list endpoint's CSV: the resource named in the file name, and the schema of one item (the columns). */
export const CSV_LISTS = {
  repos: repositorySummarySchema,
  metrics: metricsDaySchema,
  "high-risk-files": highRiskFileSchema,
  events: feedEventSchema,
  incidents: incidentSummarySchema,
  alerts: alertSchema,
  pulls: pullRequestSchema,
  tools: organisationToolCsvSchema,
  teams: teamCsvSchema,
} as const;
export type CsvList = keyof typeof CSV_LISTS;

interface CsvColumn {
  /** The JSON field's name; `parent.child` for a field of a nested object. */
  header: string;
  path: string[];
  /** A list of values goes in one cell, joined with `;`. */
  list: boolean;
}

function unwrapOptionality(schema: z.core.$ZodType): z.core.$ZodType {
  return schema instanceof z.ZodNullable || schema instanceof z.ZodOptional ? unwrapOptionality(schema.unwrap()) : schema;
}

export function csvColumns(item: z.ZodObject, prefix: string[] = []): CsvColumn[] {
  return Object.entries(item.shape).flatMap(([key, field]) => {
    const path = [...prefix, key];
    const inner = unwrapOptionality(field);
    if (inner instanceof z.ZodObject) return csvColumns(inner, path);
    return [{ header: path.join("."), path, list: inner instanceof z.ZodArray }];
  });
}

/**
 * A text cell a spreadsheet would run as a formula (= + - @, or a leading tab or carriage return that some strip
 * first) gets a leading apostrophe: it then shows as text (OWASP, CSV injection). Numbers are left as they are.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function valueAt(item: object, path: readonly string[]): unknown {
  let value: unknown = item;
  for (const key of path) value = value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[key];
  return value;
}

function textOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function cellOf(column: CsvColumn, item: object): string {
  const value = valueAt(item, column.path);
  if (column.list && Array.isArray(value)) return guardFormula(value.map(textOf).join(";"));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return guardFormula(textOf(value));
}

/** A header row, then one row per item; CRLF between records (RFC 4180); a cell with , " or a line break is quoted. */
export function toCsv(item: z.ZodObject, items: readonly object[]): string {
  const columns = csvColumns(item);
  const rows = items.map((entry) => columns.map((column) => cellOf(column, entry)));
  return stringify([columns.map((column) => column.header), ...rows], { record_delimiter: "windows" });
}

/** The list as a CSV download named sentinel-<list>-<UTC date of `now`>.csv. */
export function csvResponse(list: CsvList, items: readonly object[], now: Date, headers: Record<string, string> = {}): Response {
  const filename = `sentinel-${list}-${now.toISOString().slice(0, 10)}.csv`;
  return new Response(toCsv(CSV_LISTS[list], items), {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"`, ...headers },
  });
}

/** An RFC 8288 `Link` to the next page (the request with `cursor` moved on): a CSV file has no nextCursor field. */
export function nextPageLink(request: Request, nextCursor: string | null): Record<string, string> {
  if (nextCursor === null) return {};
  const url = new URL(request.url);
  url.searchParams.set("cursor", nextCursor);
  return { Link: `<${url.pathname}${url.search}>; rel="next"` };
}
