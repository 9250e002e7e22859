import { sql } from "drizzle-orm";
import { startOfLocalDay } from "../../domain/metrics/time.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { loadPooledToolLines, type PooledToolLines } from "./ai-tools-lines.ts";
import { byMostCommits, organisationTimeZone, weeksOfRange, type AiToolsRange, type AiToolTotal, type AiToolWeek } from "./ai-tools.ts";

/**
 * The organisation's AI tools (issue 18, ADR 078): AI commits and written lines per ISO week and tool over its enabled
 * repositories, each tool's repositories, and each tool's pooled line fates (AI tax, survival). Read from the rollups,
 * never from commits: over 100 repositories × 365 days the per-repository read (ai-tools.ts) would scan every commit's
 * signals. The chart and the line fates need only sums per week and tool: they read the organisation-level rollups
 * (org_weekly_tool_activity, org_weekly_tool_lines, ADR 083); the per-repository table reads repo_weekly_tool_activity.
 * A rollup row is a whole week, so the range counts the weeks it touches, from the Monday of the week its first day
 * falls in.
 */

export interface ToolRepository {
  id: string;
  fullName: string;
  commits: number;
  writtenLines: number;
}

export interface OrganisationTool extends AiToolTotal {
  /** The repositories the tool's commits went to, most commits first. */
  repositories: ToolRepository[];
  /** The tool's AI-written lines of the range's cohorts; null when no survival run followed any yet. */
  lines: PooledToolLines | null;
}

export interface OrganisationAiTools {
  from: Date;
  to: Date;
  days: number;
  weeks: string[];
  byWeek: AiToolWeek[];
  tools: OrganisationTool[];
}

type WeekSpan = { firstWeek: string; lastWeek: string };

/** The organisation's disabled repositories (rarely any): the rows of the reads below that leave them out. */
function disabledRepositories(orgId: string) {
  return sql`select d.id from repositories d where d.org_id = ${orgId} and d.disabled_at is not null`;
}

/**
 * The chart's rows: AI commits and written lines per week and tool over the weeks [first, last], from the
 * organisation-level rollup org_weekly_tool_activity (one row per week and tool, ADR 083) less the disabled
 * repositories' repository rows. Over 365 days of 100 repositories, a few hundred rows instead of ~22,000.
 */
function weeklyToolRows(orgId: string, weeks: WeekSpan) {
  return sql`
    select to_char(s.week, 'YYYY-MM-DD') as week, s.tool, null::uuid as repo_id, null::text as full_name,
      sum(s.commits)::int as commits, sum(s.written_lines)::bigint as written_lines
    from (
      select o.week, o.tool, o.commits, o.written_lines from org_weekly_tool_activity o
      where o.org_id = ${orgId} and o.week >= ${weeks.firstWeek}::date and o.week <= ${weeks.lastWeek}::date
      union all
      select a.week, a.tool, -a.commits, -a.written_lines from repo_weekly_tool_activity a
      where a.repo_id in (${disabledRepositories(orgId)}) and a.org_id = ${orgId}
        and a.week >= ${weeks.firstWeek}::date and a.week <= ${weeks.lastWeek}::date
    ) s
    group by s.week, s.tool
    having sum(s.commits) <> 0 or sum(s.written_lines) <> 0`;
}

/**
 * The table's rows: per tool and enabled repository, its AI commits and written lines over the weeks [first, last].
 * Only the repository-level rollup has them: an index-only scan of repo_weekly_tool_activity_org_week_idx, the
 * repositories' names joined to the grouped rows only.
 */
function repositoryToolRows(orgId: string, weeks: WeekSpan) {
  return sql`
    select null::text as week, t.tool, t.repo_id, r.full_name, t.commits, t.written_lines
    from (
      select a.tool, a.repo_id, sum(a.commits)::int as commits, sum(a.written_lines)::bigint as written_lines
      from repo_weekly_tool_activity a
      where a.org_id = ${orgId} and a.week >= ${weeks.firstWeek}::date and a.week <= ${weeks.lastWeek}::date
        and a.repo_id not in (${disabledRepositories(orgId)})
      group by a.tool, a.repo_id
      having sum(a.commits) <> 0 or sum(a.written_lines) <> 0
    ) t
    join repositories r on r.id = t.repo_id`;
}

type Row = {
  week: string | null;
  tool: string;
  repo_id: string | null;
  full_name: string | null;
  commits: number;
  written_lines: string | number;
};

function add<T extends { commits: number; writtenLines: number }>(map: Map<string, T>, key: string, fresh: () => T, commits: number, writtenLines: number): T {
  const entry = map.get(key) ?? fresh();
  entry.commits += commits;
  entry.writtenLines += writtenLines;
  map.set(key, entry);
  return entry;
}

/** Folds the (week, tool) rows into the chart's rows and the (tool, repository) rows into the per-tool totals with their repositories. */
export function foldToolRows(rows: readonly Row[]): { byWeek: AiToolWeek[]; tools: (AiToolTotal & { repositories: ToolRepository[] })[] } {
  const weekly: AiToolWeek[] = [];
  const totals = new Map<string, AiToolTotal & { repositories: ToolRepository[] }>();
  for (const row of rows) {
    const lines = Number(row.written_lines);
    if (row.week !== null) {
      weekly.push({ week: row.week, tool: row.tool, commits: row.commits, writtenLines: lines });
      continue;
    }
    const total = add(totals, row.tool, () => ({ tool: row.tool, commits: 0, writtenLines: 0, repositories: [] }), row.commits, lines);
    total.repositories.push({ id: row.repo_id!, fullName: row.full_name!, commits: row.commits, writtenLines: lines });
  }
  const byWeek = weekly.sort((a, b) => a.week.localeCompare(b.week) || a.tool.localeCompare(b.tool));
  const tools = [...totals.values()]
    .map((total) => ({
      ...total,
      repositories: total.repositories.sort((a, b) => b.commits - a.commits || b.writtenLines - a.writtenLines || a.fullName.localeCompare(b.fullName)),
    }))
    .sort(byMostCommits);
  return { byWeek, tools };
}

/**
 * AI commits and written lines of the organisation's enabled repositories over the weeks [first, last], from the
 * rollups alone: the chart's rows from the organisation's, the table's from the repositories', side by side.
 */
export async function getOrganisationToolActivity(db: Executor, orgId: string, span: WeekSpan) {
  const [weekly, byRepository] = await Promise.all([db.execute<Row>(weeklyToolRows(orgId, span)), db.execute<Row>(repositoryToolRows(orgId, span))]);
  return foldToolRows([...weekly, ...byRepository]);
}

/** The organisation's AI tools over the weeks the `days` ending `now` touch: three statements over the rollups, side by side. */
export async function getOrganisationAiTools(db: Executor, orgId: string, range: AiToolsRange): Promise<OrganisationAiTools> {
  const to = range.now;
  const timeZone = await organisationTimeZone(db, orgId);
  const weeks = weeksOfRange(range, timeZone);
  const span = { firstWeek: weeks[0]!, lastWeek: weeks.at(-1)! };
  const [{ byWeek, tools }, lines] = await Promise.all([getOrganisationToolActivity(db, orgId, span), loadPooledToolLines(db, { orgId, repoId: null }, span)]);
  return {
    from: startOfLocalDay(span.firstWeek, timeZone),
    to,
    days: range.days,
    weeks,
    byWeek,
    tools: tools.map((tool) => ({ ...tool, lines: lines.get(tool.tool) ?? null })),
  };
}
