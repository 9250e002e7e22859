import { sql } from "drizzle-orm";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import type { LineFate } from "../../domain/metrics/provenance.ts";
import { DAY_MS, localClock, weekStartOf } from "../../domain/metrics/time.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { repoWeeklyToolLines, TOOL_LIFE_TABLE_WEEKS } from "../../infrastructure/db/schema/index.ts";
import type { RepositoryScope } from "./repo-metrics.ts";
import { replaceWhenChanged } from "./upsert-changed.ts";

/**
 * Each AI tool's AI tax and line survival (issue 18, ADR 078), from the provenance replay line_survival already makes:
 * the AI-written lines of each tool's commits, per weekly cohort, kept as a life table by whole weeks since birth in
 * repo_weekly_tool_lines, so any set of repositories and weeks pools into one estimate with a few sums.
 */

const WEEK_MS = 7 * DAY_MS;
/** Life-table weeks kept: 0..11, all that survival after 12 weeks (the longest figure shown) reads. */
export const LIFE_TABLE_WEEKS = TOOL_LIFE_TABLE_WEEKS.length;
/** Rework counts lines deleted or rewritten within this many days of being written: the AI tax's churn window (daily.ts). */
export const REWORK_WINDOW_DAYS = 14;

/**
 * The minimum sample for a tool's AI tax and survival: under either count the figures would move by several points
 * with one commit, so they are not shown ("insufficientData"). ADR 078.
 */
export const TOOL_MIN_WRITTEN_LINES = 200;
export const TOOL_MIN_COMMITS = 5;

export interface ToolLineCohort {
  week: string;
  tool: string;
  linesBorn: number;
  maturedLines: number;
  reworkedLines: number;
  deathsByWeek: number[];
  censoredByWeek: number[];
}

/**
 * Pure: groups the AI-written lines' fates by (birth week, tool of their commit). A line dies at its death, and is
 * censored when lost (a truncated patch) or still alive at `asOf`; a fate 12 or more whole weeks after birth is not
 * kept (the line was at risk through every kept week). Lines of a commit with no tool (below the AI threshold, while its file
 * was AI-written) are left out: their tool is not known.
 */
export function toolLineCohorts(fates: readonly LineFate[], toolOf: ReadonlyMap<string, string>, options: { asOf: number; weekOf: (bornAt: number) => string }): ToolLineCohort[] {
  const cohorts = new Map<string, ToolLineCohort>();
  const matureBefore = options.asOf - REWORK_WINDOW_DAYS * DAY_MS;
  for (const fate of fates) {
    if (!fate.origin.ai) continue;
    const tool = toolOf.get(fate.origin.sha);
    if (tool === undefined) continue;
    const week = options.weekOf(fate.origin.bornAt);
    const key = `${week}|${tool}`;
    let cohort = cohorts.get(key);
    if (!cohort) {
      cohort = { week, tool, linesBorn: 0, maturedLines: 0, reworkedLines: 0, deathsByWeek: new Array<number>(LIFE_TABLE_WEEKS).fill(0), censoredByWeek: new Array<number>(LIFE_TABLE_WEEKS).fill(0) };
      cohorts.set(key, cohort);
    }
    const endedAt = fate.end === "alive" ? options.asOf : Math.min(fate.endAt ?? options.asOf, options.asOf);
    const lifetime = Math.max(0, endedAt - fate.origin.bornAt);
    const died = fate.end === "died" && fate.endAt !== null && fate.endAt <= options.asOf;
    cohort.linesBorn += fate.count;
    const weekIndex = Math.floor(lifetime / WEEK_MS);
    if (weekIndex < LIFE_TABLE_WEEKS) (died ? cohort.deathsByWeek : cohort.censoredByWeek)[weekIndex]! += fate.count;
    // Matured: followed for the whole rework window (a line lost before its end has no known fate, so it is left out).
    const reworked = died && lifetime <= REWORK_WINDOW_DAYS * DAY_MS;
    const followed = fate.origin.bornAt <= matureBefore && !(fate.end === "lost" && lifetime <= REWORK_WINDOW_DAYS * DAY_MS);
    if (followed) {
      cohort.maturedLines += fate.count;
      if (reworked) cohort.reworkedLines += fate.count;
    }
  }
  return [...cohorts.values()].sort((a, b) => a.week.localeCompare(b.week) || a.tool.localeCompare(b.tool));
}

export interface PooledToolLines {
  linesBorn: number;
  maturedLines: number;
  reworkedLines: number;
  deathsByWeek: readonly number[];
  censoredByWeek: readonly number[];
}

/**
 * Kaplan–Meier over the pooled life table: S(w) = Π over weeks k < w of (1 − deaths_k ÷ at risk_k), where lines
 * censored in week k are at risk through it (deaths first, as domain/metrics/survival.ts). Null when no line was
 * still followed at the start of week w − 1 (nothing says what happens by then).
 */
export function pooledSurvivalAfter(pooled: PooledToolLines, weeks: number): number | null {
  let atRisk = pooled.linesBorn;
  let survival = 1;
  for (let week = 0; week < weeks; week += 1) {
    if (atRisk <= 0) return null;
    const deaths = pooled.deathsByWeek[week] ?? 0;
    survival *= 1 - deaths / atRisk;
    atRisk -= deaths + (pooled.censoredByWeek[week] ?? 0);
  }
  return survival;
}

/** The tool's AI tax: of its lines followed for 14 days, the share deleted or rewritten within them. */
export function reworkShare(pooled: PooledToolLines): number | null {
  return pooled.maturedLines > 0 ? pooled.reworkedLines / pooled.maturedLines : null;
}

const DEATH_COLUMNS = TOOL_LIFE_TABLE_WEEKS.map((week) => `deaths_week_${week}`);
const CENSORED_COLUMNS = TOOL_LIFE_TABLE_WEEKS.map((week) => `censored_week_${week}`);
const TOOL_LINE_COLUMNS = ["org_id", "lines_born", "matured_lines", "reworked_lines", ...DEATH_COLUMNS, ...CENSORED_COLUMNS, "as_of"];

/** A cohort's life table as repo_weekly_tool_lines stores it: one column per week (ADR 081). */
function lifeTableColumns(cohort: ToolLineCohort): Record<string, number> {
  return Object.fromEntries(
    TOOL_LIFE_TABLE_WEEKS.flatMap((week) => [
      [`deathsWeek${week}`, cohort.deathsByWeek[week] ?? 0],
      [`censoredWeek${week}`, cohort.censoredByWeek[week] ?? 0],
    ]),
  );
}

/**
 * Stores the repository's per-tool cohorts of the weeks [firstWeek, lastWeek] from the fates of computeRepoSurvival's
 * replay (as of `asOf`), replacing a row only when a value changed, and deletes the window's rows the replay no longer
 * yields (a re-score moved a commit to another tool, or a file's lines to the other side).
 */
export async function storeToolLineCohorts(
  db: Executor,
  scope: RepositoryScope,
  fates: readonly LineFate[],
  window: { asOf: Date; firstWeek: string; lastWeek: string; from: Date },
): Promise<ToolLineCohort[]> {
  const rows = await db.execute<{ sha: string; tool: string }>(sql`
    select c.sha, commit_ai_tool(c.signals) as tool from commits c
    where c.repo_id = ${scope.repoId} and c.org_id = ${scope.orgId}
      and c.authored_at >= ${window.from.toISOString()}::timestamptz and c.authored_at < ${window.asOf.toISOString()}::timestamptz
      and c.ai_confidence >= ${AI_CONFIDENCE_THRESHOLD}`);
  const toolOf = new Map(rows.map((row) => [row.sha, row.tool]));
  const cohorts = toolLineCohorts(fates, toolOf, {
    asOf: window.asOf.getTime(),
    weekOf: (bornAt) => weekStartOf(localClock(new Date(bornAt), scope.timeZone).date),
  }).filter((cohort) => cohort.week >= window.firstWeek && cohort.week <= window.lastWeek);
  if (cohorts.length > 0) {
    await db
      .insert(repoWeeklyToolLines)
      .values(
        cohorts.map((cohort) => ({
          orgId: scope.orgId,
          repoId: scope.repoId,
          week: cohort.week,
          tool: cohort.tool,
          linesBorn: cohort.linesBorn,
          maturedLines: cohort.maturedLines,
          reworkedLines: cohort.reworkedLines,
          ...lifeTableColumns(cohort),
          asOf: window.asOf,
        })),
      )
      .onConflictDoUpdate({
        target: [repoWeeklyToolLines.repoId, repoWeeklyToolLines.week, repoWeeklyToolLines.tool],
        ...replaceWhenChanged(repoWeeklyToolLines, TOOL_LINE_COLUMNS),
      });
  }
  const kept = cohorts.map((cohort) => sql`(${cohort.week}::date, ${cohort.tool})`);
  await db.execute(sql`
    delete from repo_weekly_tool_lines
    where repo_id = ${scope.repoId} and week >= ${window.firstWeek}::date and week <= ${window.lastWeek}::date
      ${kept.length > 0 ? sql`and (week, tool) not in (${sql.join(kept, sql`, `)})` : sql``}`);
  return cohorts;
}

const POOLED_COLUMNS = ["lines_born", "matured_lines", "reworked_lines", ...DEATH_COLUMNS, ...CENSORED_COLUMNS];

/**
 * The rows a pooled read sums: one repository's own (repo_weekly_tool_lines), or the organisation's enabled ones as
 * org_weekly_tool_lines (one row per week and tool, kept by triggers, ADR 083) less the rows of its disabled
 * repositories (rarely any): ~200 rows over 365 days of 100 repositories instead of ~9,000.
 */
function pooledRows(scope: { orgId: string; repoId: string | null }, weeks: { firstWeek: string; lastWeek: string }) {
  const columns = (prefix: string, sign: "" | "-") => sql.raw(POOLED_COLUMNS.map((column) => `${sign}${prefix}.${column}`).join(", "));
  const inWeeks = (alias: string) => sql`${sql.raw(alias)}.week >= ${weeks.firstWeek}::date and ${sql.raw(alias)}.week <= ${weeks.lastWeek}::date`;
  if (scope.repoId !== null) {
    return sql`
      select l.tool, ${columns("l", "")} from repo_weekly_tool_lines l
      where l.repo_id = ${scope.repoId} and l.org_id = ${scope.orgId} and ${inWeeks("l")}`;
  }
  return sql`
    select o.tool, ${columns("o", "")} from org_weekly_tool_lines o
    where o.org_id = ${scope.orgId} and ${inWeeks("o")}
    union all
    select l.tool, ${columns("l", "-")} from repo_weekly_tool_lines l
    where l.repo_id in (select d.id from repositories d where d.org_id = ${scope.orgId} and d.disabled_at is not null)
      and l.org_id = ${scope.orgId} and ${inWeeks("l")}`;
}

/**
 * The pooled life table per tool of an organisation's cohorts in [firstWeek, lastWeek], of one repository or all the
 * organisation's enabled ones: one statement of plain column sums (ADR 081). A tool whose pooled lines_born is zero
 * has no lines left (every other column counts some of the lines born), as when its only repository is disabled.
 */
export async function loadPooledToolLines(db: Executor, scope: { orgId: string; repoId: string | null }, weeks: { firstWeek: string; lastWeek: string }): Promise<Map<string, PooledToolLines>> {
  const sums = sql.raw(POOLED_COLUMNS.map((column) => `sum(s.${column})::int as ${column}`).join(", "));
  const rows = await db.execute<Record<string, number> & { tool: string; lines_born: number; matured_lines: number; reworked_lines: number }>(sql`
    select s.tool, ${sums}
    from (${pooledRows(scope, weeks)}) s
    group by s.tool
    having sum(s.lines_born) <> 0`);
  const lifeTable = (row: Record<string, number>, columns: readonly string[]) => columns.map((column) => Number(row[column] ?? 0));
  return new Map(
    rows.map((row) => [
      row.tool,
      {
        linesBorn: row.lines_born,
        maturedLines: row.matured_lines,
        reworkedLines: row.reworked_lines,
        deathsByWeek: lifeTable(row, DEATH_COLUMNS),
        censoredByWeek: lifeTable(row, CENSORED_COLUMNS),
      },
    ]),
  );
}
