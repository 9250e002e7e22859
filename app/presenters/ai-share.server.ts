import { sql, type SQL } from "drizzle-orm";
import { DETECTOR_VERSION } from "../../domain/detection/version.ts";
import { newestDetectorVersionsFirst, type ConfidenceBin } from "../../domain/metrics/share-bins.ts";

/**
 * Reads of the AI-share rollups (repo_daily_share_bins, repo_weekly_share_bins; ADR 033). A range of UTC days is read
 * as whole weeks from the weekly table and the days around them from the daily one: the overview's 90 days of 100
 * repositories are then 13 weekly rows and at most 12 day rows per bin and repository instead of 90.
 */

const DAY_MS = 86_400_000;

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday on or after `day` (UTC dates). */
function mondayOnOrAfter(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, (8 - weekday) % 7);
}

export interface ShareRangeParts {
  /** Day ranges (inclusive) read from the daily table. */
  days: Array<{ from: string; to: string | null }>;
  /** Week starts (inclusive; `to` null: no end) read from the weekly table, or null when no whole week fits. */
  weeks: { from: string; to: string | null } | null;
}

/**
 * Splits the UTC days [from, to] (to null: no end, as the pages' windows, which count commits dated after today
 * too) into the whole weeks inside it and the days before and after them.
 */
export function shareRangeParts(from: string, to: string | null): ShareRangeParts {
  const firstMonday = mondayOnOrAfter(from);
  if (to === null) return { days: firstMonday > from ? [{ from, to: addDays(firstMonday, -1) }] : [], weeks: { from: firstMonday, to: null } };
  // The Monday of the last week that ends (on a Sunday) on or before `to`.
  const lastWeek = addDays(to, -new Date(`${to}T00:00:00Z`).getUTCDay() - 6);
  if (lastWeek < firstMonday) return { days: [{ from, to }], weeks: null };
  const days: ShareRangeParts["days"] = [];
  if (firstMonday > from) days.push({ from, to: addDays(firstMonday, -1) });
  const afterWeeks = addDays(lastWeek, 7);
  if (afterWeeks <= to) days.push({ from: afterWeeks, to });
  return { days, weeks: { from: firstMonday, to: lastWeek } };
}

function partsSql(orgId: string, repoId: SQL, range: { from: string; to: string | null }): SQL {
  const parts = shareRangeParts(range.from, range.to);
  const columns = sql.raw(
    "bin, detector_version, commits, written_lines, written_lines_t1, written_lines_t2, written_lines_t3, written_lines_t4, confidence_sum",
  );
  const selects: SQL[] = parts.days.map(
    (days) => sql`select ${columns} from repo_daily_share_bins d
      where d.org_id = ${orgId} and d.repo_id = ${repoId} and d.day >= ${days.from}${days.to === null ? sql`` : sql` and d.day <= ${days.to}`}`,
  );
  if (parts.weeks) {
    const weeks = parts.weeks;
    selects.push(sql`select ${columns} from repo_weekly_share_bins w
      where w.org_id = ${orgId} and w.repo_id = ${repoId} and w.week >= ${weeks.from}${weeks.to === null ? sql`` : sql` and w.week <= ${weeks.to}`}`);
  }
  return sql.join(selects, sql` union all `);
}

/**
 * Confidence sums travel as integers of millionths: PostgreSQL prints and V8 parses integers faster than floats, and
 * a millionth of a commit's confidence changes no estimate.
 */
export const CONFIDENCE_SUM_SCALE = 1_000_000;

/**
 * Numbers packed as text, "1,2,3,…" (`JSON.parse` reads them into an array at once): the overview reads about
 * 13,000 bins of 100 repositories, and as rows, receiving and parsing them took longer than PostgreSQL took to read
 * them (ADR 033).
 */
export function unpackNumbers(packed: string | null): number[] {
  return packed ? (JSON.parse(`[${packed}]`) as number[]) : [];
}

/**
 * The bins of one repository (`repoId`: a value or a column such as `r.id`) over the UTC days [from, to], as one row:
 * `bins`, the bins (one entry per bin and detector version: merge them by bin), eight numbers each (bin, commits, lines, lines in T1…T4,
 * confidence sum in millionths; read by parseShareBins), and `versions`, the detector versions that scored them. Every
 * part is filtered by the organisation too, so a wrong id finds nothing.
 */
export function shareBinsSql(orgId: string, repoId: SQL, range: { from: string; to: string | null }): SQL {
  return sql`select
      string_agg(concat_ws(',', g.bin, g.commits, g.written_lines, g.t1, g.t2, g.t3, g.t4,
        round(g.confidence_sum * ${sql.raw(String(CONFIDENCE_SUM_SCALE))})::bigint), ',') as bins,
      array_agg(distinct g.detector_version) filter (where g.commits > 0 and g.detector_version <> '') as versions
    from (
      select b.bin, b.detector_version, sum(b.commits) as commits, sum(b.written_lines) as written_lines,
        sum(b.written_lines_t1) as t1, sum(b.written_lines_t2) as t2, sum(b.written_lines_t3) as t3, sum(b.written_lines_t4) as t4,
        sum(b.confidence_sum) as confidence_sum
      from (${partsSql(orgId, repoId, range)}) b
      group by b.bin, b.detector_version
    ) g`;
}

/** A row of shareBinsSql. */
export type PackedShareBins = { bins: string | null; versions: string[] | null };

/** The bins packed by shareBinsSql (a bin may come once per detector version: the estimate merges them). */
export function parseShareBins(packed: string | null): ConfidenceBin[] {
  const numbers = unpackNumbers(packed);
  const bins: ConfidenceBin[] = [];
  for (let at = 0; at + 7 < numbers.length; at += 8) {
    bins.push({
      bin: numbers[at]!,
      commits: numbers[at + 1]!,
      writtenLines: numbers[at + 2]!,
      linesByTier: { t1: numbers[at + 3]!, t2: numbers[at + 4]!, t3: numbers[at + 5]!, t4: numbers[at + 6]! },
      confidenceSum: numbers[at + 7]! / CONFIDENCE_SUM_SCALE,
    });
  }
  return bins;
}

/** Detector versions of a shareBinsSql row, newest first. */
export function detectorVersionsOf(packed: PackedShareBins): string[] {
  return newestDetectorVersionsFirst(packed.versions ?? []);
}

/** What the pages say produced a share: the versions in the window, or the running detector when none is. */
export function detectorVersionsOrCurrent(versions: readonly string[]): string[] {
  return versions.length > 0 ? [...versions] : [DETECTOR_VERSION];
}
