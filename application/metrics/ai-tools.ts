import { sql } from "drizzle-orm";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import { addDays, DAY_MS, localClock, startOfLocalDay, weekStartOf } from "../../domain/metrics/time.ts";
import type { Executor } from "../../infrastructure/db/client.ts";

/**
 * Which AI tools wrote a repository's commits, week by week (issue 18, "By AI tool"). A commit counts when its
 * confidence reaches AI_CONFIDENCE_THRESHOLD; its tool is read from its stored signals, where each marker says which
 * tool left it (domain/detection/agents.ts), by the SQL function commit_ai_tool (migration 0023).
 */

/**
 * A commit with a marker stored before markers recorded their tool (detector 1.3.0 and older): it was agent-marked,
 * but by which tool is not known until it is re-scored, which the worker does for stale versions when it starts.
 */
export const UNRECORDED_TOOL = "unknown";

export interface AiToolsScope {
  orgId: string;
  repoId: string;
}

export interface AiToolsRange {
  /** The end of the range (exclusive): the services' clock, never the machine's. */
  now: Date;
  days: number;
}

export interface AiToolWeek {
  /** The Monday (YYYY-MM-DD) the ISO week starts on, in the organisation's time zone. */
  week: string;
  /** A tool's name (agents.ts), "unmarked" or "unknown". */
  tool: string;
  commits: number;
  writtenLines: number;
}

export interface AiToolTotal {
  tool: string;
  commits: number;
  writtenLines: number;
}

export interface AiToolsByWeek {
  from: Date;
  to: Date;
  days: number;
  /** Every week the range touches, oldest first, so that a chart shows the weeks nobody's agent committed in. */
  weeks: string[];
  /** Per week and tool, oldest week first; weeks and tools without AI commits are left out. */
  byWeek: AiToolWeek[];
  /** Per tool over the whole range, most commits first. */
  tools: AiToolTotal[];
}

/**
 * One row per week and tool. The tool is commit_ai_tool (migration 0023, the rule the tools rollup is kept by): the
 * first signal naming one: the engine stores the markers strongest first
 * (domain/detection/engine.ts, attributedAgent), and no other signal carries `agent`. A stored `agent` key, even
 * null (a mark that names no tool), says the commit was scored with tools recorded: then, or with no marker at all,
 * it is "unmarked"; a marker without the key is from before, "unknown".
 *
 * The range's whole local weeks come from the rollup repo_weekly_tool_activity (kept exact by triggers on commits:
 * the same rule, the same weeks), and only the part weeks at its two ends from the commits themselves: 90 days of the
 * benchmark's busiest repository read ~13 weeks of commits (22.6 ms in process) where the ends are at most two.
 * The commits are read through the (repo_id, authored_at) index commits_repo_authored_idx first and filtered after:
 * left to itself the planner also ANDs in the organisation-wide (org_id, ai_confidence) index, which on that
 * repository read 74,000 entries to keep 1,900 and took longer than the rest of the query.
 */
function weeklyToolRows(scope: AiToolsScope, from: Date, to: Date, timeZone: string) {
  // The first local Monday at or after `from`, and the last at or before `to`: the whole weeks between them.
  const fromMonday = weekStartOf(localClock(from, timeZone).date);
  const firstWhole = startOfLocalDay(fromMonday, timeZone).getTime() === from.getTime() ? fromMonday : addDays(fromMonday, 7);
  const lastWholeEnd = weekStartOf(localClock(to, timeZone).date);
  const wholeStart = startOfLocalDay(firstWhole, timeZone);
  const wholeEnd = startOfLocalDay(lastWholeEnd, timeZone);
  const edges =
    wholeStart < wholeEnd
      ? sql`(c.authored_at >= ${from.toISOString()}::timestamptz and c.authored_at < ${wholeStart.toISOString()}::timestamptz)
          or (c.authored_at >= ${wholeEnd.toISOString()}::timestamptz and c.authored_at < ${to.toISOString()}::timestamptz)`
      : sql`c.authored_at >= ${from.toISOString()}::timestamptz and c.authored_at < ${to.toISOString()}::timestamptz`;
  const whole =
    wholeStart < wholeEnd
      ? sql`
      union all
      select to_char(a.week, 'YYYY-MM-DD'), a.tool, a.commits, a.written_lines from repo_weekly_tool_activity a
      where a.repo_id = ${scope.repoId} and a.org_id = ${scope.orgId} and a.week >= ${firstWhole}::date and a.week < ${lastWholeEnd}::date`
      : sql``;
  return sql`
    with ranged as materialized (
      select c.org_id, c.authored_at, c.ai_confidence, c.signals, c.written_lines from commits c
      where c.repo_id = ${scope.repoId} and (${edges})
    ), rows as (
      select to_char(date_trunc('week', r.authored_at at time zone ${timeZone}), 'YYYY-MM-DD') as week,
        commit_ai_tool(r.signals) as tool, 1 as commits, coalesce(r.written_lines, 0)::bigint as written_lines
      from ranged r
      where r.org_id = ${scope.orgId} and r.ai_confidence >= ${AI_CONFIDENCE_THRESHOLD}
      ${whole}
    )
    select week, tool, sum(commits)::int as commits, sum(written_lines)::int as written_lines
    from rows
    group by 1, 2
    order by 1, 2`;
}

/** The Mondays of every week from the one `from` falls in to the one `to` falls in. */
export function weeksOf(from: Date, to: Date, timeZone: string): string[] {
  const last = weekStartOf(localClock(new Date(to.getTime() - 1), timeZone).date);
  const weeks: string[] = [];
  for (let week = weekStartOf(localClock(from, timeZone).date); week <= last; week = addDays(week, 7)) weeks.push(week);
  return weeks;
}

/** The organisation's time zone, which its ISO weeks are counted in (UTC for an unknown organisation). */
export async function organisationTimeZone(db: Executor, orgId: string): Promise<string> {
  const [zone] = await db.execute<{ timezone: string }>(sql`select timezone from organizations where id = ${orgId}`);
  return zone?.timezone ?? "UTC";
}

/** The Mondays of every week the `days` ending `now` touch. */
export function weeksOfRange(range: AiToolsRange, timeZone: string): string[] {
  return weeksOf(new Date(range.now.getTime() - range.days * DAY_MS), range.now, timeZone);
}

/** Most commits first, then most written lines, then by name: the order every per-tool list is shown in. */
export function byMostCommits(a: AiToolTotal, b: AiToolTotal): number {
  return b.commits - a.commits || b.writtenLines - a.writtenLines || a.tool.localeCompare(b.tool);
}

function totalsByTool(byWeek: readonly AiToolWeek[]): AiToolTotal[] {
  const totals = new Map<string, AiToolTotal>();
  for (const row of byWeek) {
    const total = totals.get(row.tool) ?? { tool: row.tool, commits: 0, writtenLines: 0 };
    total.commits += row.commits;
    total.writtenLines += row.writtenLines;
    totals.set(row.tool, total);
  }
  return [...totals.values()].sort(byMostCommits);
}

/** AI commits and their written lines per ISO week and tool, over the `days` ending `now` (`knownTimeZone`: the organisation's zone when the caller has read it already). */
export async function getAiToolsByWeek(db: Executor, scope: AiToolsScope, range: AiToolsRange, knownTimeZone?: string): Promise<AiToolsByWeek> {
  const days = range.days;
  const to = range.now;
  const from = new Date(to.getTime() - days * DAY_MS);
  const timeZone = knownTimeZone ?? (await organisationTimeZone(db, scope.orgId));
  const rows = await db.execute<{ week: string; tool: string; commits: number; written_lines: number }>(weeklyToolRows(scope, from, to, timeZone));
  const byWeek = rows.map((row) => ({ week: row.week, tool: row.tool, commits: row.commits, writtenLines: row.written_lines }));
  return { from, to, days, weeks: weeksOfRange(range, timeZone), byWeek, tools: totalsByTool(byWeek) };
}
