import { and, asc, eq, max, sql } from "drizzle-orm";
import { z } from "zod";
import { emptyBin, estimateShareFromBins, type ConfidenceBin } from "../../domain/metrics/share-bins.ts";
import { foldSmallGroups, isShownOnItsOwn, type TeamPrivacy } from "../../domain/teams/privacy.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { githubOrgMembers, teamMembers, teams } from "../../infrastructure/db/schema/index.ts";

/**
 * What a team did over a range (issue 18, item 2; ADR 076): its people's commits across the organisation's
 * repositories, read from their daily rollup (author_daily_activity, ADR 080), and the pull requests they merged. AI
 * share is the project's estimate (ADR 033: estimateShareFromBins over the team's own confidence bins,
 * domain/metrics/share-bins.ts); AI commits are those at the detector's threshold (0.5, AI_CONFIDENCE_THRESHOLD) or
 * above, each under the tool its strongest marker names (commit_ai_tool, migration 0023: the rule the tools rollup
 * keeps). A person in two teams counts in both.
 */

export interface TeamRow {
  id: string;
  slug: string;
  name: string;
  source: "github" | "manual";
  members: string[];
  updatedAt: Date;
}

export interface ToolCount {
  tool: string;
  commits: number;
}

export interface Figures {
  /** People of the group with at least one commit in the range. */
  activePeople: number;
  commits: number;
  aiCommits: number;
  writtenLines: number;
  /** Estimated AI share of written lines, 0–1, with its plausible range; null without written lines. */
  aiShare: number | null;
  aiShareLow: number | null;
  aiShareHigh: number | null;
  aiCommitsByTool: ToolCount[];
  prsMerged: number;
  prsMergedWithoutReview: number;
}

interface PersonTotals {
  commits: number;
  aiCommits: number;
  writtenLines: number;
  bins: ConfidenceBin[];
  tools: Map<string, number>;
  prsMerged: number;
  prsMergedWithoutReview: number;
}

/** The organisation's teams with their members' logins, by name. */
export async function listTeams(db: Executor, orgId: string): Promise<TeamRow[]> {
  const [rows, members] = await Promise.all([
    db
      .select({ id: teams.id, slug: teams.slug, name: teams.name, source: teams.source, updatedAt: teams.updatedAt })
      .from(teams)
      .where(eq(teams.orgId, orgId))
      .orderBy(asc(teams.name), asc(teams.id)),
    db.select({ teamId: teamMembers.teamId, login: teamMembers.login }).from(teamMembers).where(eq(teamMembers.orgId, orgId)).orderBy(asc(teamMembers.login)),
  ]);
  const byTeam = new Map<string, string[]>();
  for (const member of members) byTeam.set(member.teamId, [...(byTeam.get(member.teamId) ?? []), member.login]);
  return rows.map((row) => ({ ...row, members: byTeam.get(row.id) ?? [] }));
}

/** One team of the organisation, or null (unknown id, another organisation's, not a uuid). */
export async function findTeam(db: Executor, orgId: string, teamId: string): Promise<TeamRow | null> {
  if (!z.uuid().safeParse(teamId).success) return null;
  const [row] = await db
    .select({ id: teams.id, slug: teams.slug, name: teams.name, source: teams.source, updatedAt: teams.updatedAt })
    .from(teams)
    .where(and(eq(teams.orgId, orgId), eq(teams.id, teamId)));
  if (!row) return null;
  const members = await db
    .select({ login: teamMembers.login })
    .from(teamMembers)
    .where(and(eq(teamMembers.orgId, orgId), eq(teamMembers.teamId, teamId)))
    .orderBy(asc(teamMembers.login));
  return { ...row, members: members.map((member) => member.login) };
}

/** When the GitHub teams were last synced (the organisation's members are written by every successful sync). */
export async function lastGitHubSync(db: Executor, orgId: string): Promise<Date | null> {
  const [row] = await db.select({ at: max(githubOrgMembers.syncedAt) }).from(githubOrgMembers).where(eq(githubOrgMembers.orgId, orgId));
  return row?.at ?? null;
}

const loginList = (logins: readonly string[]) => sql`array[${sql.join(
  logins.map((login) => sql`${login}`),
  sql`, `,
)}]::text[]`;

/**
 * The range as the rollups' local days (ADR 080). The rollups are by whole days in the organisation's time zone, so a
 * range counts every local day it touches: from the day `from` falls in to the day of the instant before `to`
 * (exclusive). A range from one local midnight to another reads exactly the commits and merges in it. Its whole ISO
 * weeks, [weeks_from, weeks_to), are read from the weekly rows; `whole_weeks` is false when it holds none.
 */
function rangeDays(orgId: string, range: { from: Date; to: Date }) {
  return sql`
    select first_day, last_day, weeks_from, weeks_to, weeks_from < weeks_to as whole_weeks
    from (
      select first_day, last_day, first_day + (8 - extract(isodow from first_day)::int) % 7 as weeks_from,
        (last_day + 1) - (extract(isodow from last_day + 1)::int - 1) as weeks_to
      from (
        select (${range.from.toISOString()}::timestamptz at time zone o.timezone)::date as first_day,
          ((${range.to.toISOString()}::timestamptz - interval '1 microsecond') at time zone o.timezone)::date as last_day
        from organizations o where o.id = ${orgId}
      ) local_days
    ) bounds`;
}

/**
 * Per person, confidence bin and tool over the range's days: a handful of rows per person, summed in the database from
 * author_weekly_activity for the range's whole weeks and author_daily_activity for the days before and after them
 * (migration 0026): index-only scans of a few hundred rows per person instead of their commits.
 */
async function commitRows(db: Executor, orgId: string, logins: readonly string[], range: { from: Date; to: Date }) {
  const people = loginList(logins);
  return db.execute<{ login: string; bin: number | null; tool: string | null; commits: number; lines: number; confidence_sum: number }>(sql`
    with days as materialized (${rangeDays(orgId, range)}),
    rows as (
      select a.author_login, a.bin, a.tool, a.commits, a.written_lines, a.confidence_sum
      from author_weekly_activity a, days
      where a.org_id = ${orgId} and a.author_login = any(${people}) and a.week >= days.weeks_from and a.week < days.weeks_to
      union all
      select a.author_login, a.bin, a.tool, a.commits, a.written_lines, a.confidence_sum
      from author_daily_activity a, days
      where a.org_id = ${orgId} and a.author_login = any(${people}) and a.day >= days.first_day
        and a.day < case when days.whole_weeks then days.weeks_from else days.last_day + 1 end
      union all
      select a.author_login, a.bin, a.tool, a.commits, a.written_lines, a.confidence_sum
      from author_daily_activity a, days
      where a.org_id = ${orgId} and a.author_login = any(${people}) and days.whole_weeks and a.day >= days.weeks_to and a.day <= days.last_day
    )
    select author_login as login, bin, tool, sum(commits)::int as commits, sum(written_lines)::int as lines, sum(confidence_sum)::float8 as confidence_sum
    from rows
    group by 1, 2, 3
    having sum(commits) <> 0 or sum(written_lines) <> 0`);
}

/**
 * Pull requests the people merged over the range's days, and those merged with no review at all (no submitted review
 * and no first review time), from author_daily_pull_requests (migration 0026): one row per person and merge day instead
 * of one per pull request.
 */
async function pullRequestRows(db: Executor, orgId: string, logins: readonly string[], range: { from: Date; to: Date }) {
  return db.execute<{ login: string; merged: number; unreviewed: number }>(sql`
    with days as (${rangeDays(orgId, range)})
    select p.author_login as login, sum(p.merged)::int as merged, sum(p.merged_without_review)::int as unreviewed
    from author_daily_pull_requests p, days
    where p.org_id = ${orgId} and p.author_login = any(${loginList(logins)}) and p.day >= days.first_day and p.day <= days.last_day
    group by 1`);
}

function emptyPerson(): PersonTotals {
  return { commits: 0, aiCommits: 0, writtenLines: 0, bins: [], tools: new Map(), prsMerged: 0, prsMergedWithoutReview: 0 };
}

/** Each person's totals over the range; people without activity are absent. */
export async function loadPeopleTotals(db: Executor, orgId: string, logins: readonly string[], range: { from: Date; to: Date }): Promise<Map<string, PersonTotals>> {
  const people = new Map<string, PersonTotals>();
  if (logins.length === 0) return people;
  const [commits, pulls] = await Promise.all([commitRows(db, orgId, logins, range), pullRequestRows(db, orgId, logins, range)]);
  const of = (login: string) => people.get(login) ?? people.set(login, emptyPerson()).get(login)!;
  for (const row of commits) {
    const person = of(row.login);
    person.commits += row.commits;
    person.writtenLines += row.lines;
    if (row.tool !== null) {
      person.aiCommits += row.commits;
      person.tools.set(row.tool, (person.tools.get(row.tool) ?? 0) + row.commits);
    }
    if (row.bin !== null) person.bins.push({ ...emptyBin(row.bin), commits: row.commits, writtenLines: row.lines, confidenceSum: row.confidence_sum });
  }
  for (const row of pulls) {
    const person = of(row.login);
    person.prsMerged += row.merged;
    person.prsMergedWithoutReview += row.unreviewed;
  }
  return people;
}

/** A group's figures from its people's totals: bins are added before the share is estimated, never shares averaged. */
export function figuresOf(logins: readonly string[], people: ReadonlyMap<string, PersonTotals>): Figures {
  const bins: ConfidenceBin[] = [];
  const tools = new Map<string, number>();
  const figures: Figures = {
    activePeople: 0,
    commits: 0,
    aiCommits: 0,
    writtenLines: 0,
    aiShare: null,
    aiShareLow: null,
    aiShareHigh: null,
    aiCommitsByTool: [],
    prsMerged: 0,
    prsMergedWithoutReview: 0,
  };
  for (const login of new Set(logins)) {
    const person = people.get(login);
    if (!person) continue;
    if (person.commits > 0) figures.activePeople += 1;
    figures.commits += person.commits;
    figures.aiCommits += person.aiCommits;
    figures.writtenLines += person.writtenLines;
    figures.prsMerged += person.prsMerged;
    figures.prsMergedWithoutReview += person.prsMergedWithoutReview;
    for (const [tool, commits] of person.tools) tools.set(tool, (tools.get(tool) ?? 0) + commits);
    bins.push(...person.bins);
  }
  const estimate = estimateShareFromBins(bins);
  figures.aiShare = estimate.share;
  figures.aiShareLow = estimate.low;
  figures.aiShareHigh = estimate.high;
  figures.aiCommitsByTool = [...tools].map(([tool, commits]) => ({ tool, commits })).sort((a, b) => b.commits - a.commits || a.tool.localeCompare(b.tool));
  return figures;
}

export interface TeamsOverview {
  /** Teams of 3 people or more, each with its figures. */
  teams: Array<{ team: TeamRow; figures: Figures }>;
  /** The people of the smaller teams together; null when none or still fewer than 3 people. */
  others: { people: number; teams: number; figures: Figures } | null;
  /** Teams folded into "Others" (or hidden with it): how many, never which. */
  foldedTeams: number;
  lastGitHubSync: Date | null;
}

/** Every team shown on its own, and "Others", over the range. */
export async function getTeamsOverview(db: Executor, orgId: string, range: { from: Date; to: Date }): Promise<TeamsOverview> {
  const [all, syncedAt] = await Promise.all([listTeams(db, orgId), lastGitHubSync(db, orgId)]);
  const folded = foldSmallGroups(all);
  const logins = [...new Set([...folded.shown.flatMap((team) => team.members), ...(folded.others?.members ?? [])])];
  const people = await loadPeopleTotals(db, orgId, logins, range);
  return {
    teams: folded.shown.map((team) => ({ team, figures: figuresOf(team.members, people) })),
    others: folded.others ? { people: folded.others.members.length, teams: folded.others.teams, figures: figuresOf(folded.others.members, people) } : null,
    foldedTeams: folded.folded.length,
    lastGitHubSync: syncedAt,
  };
}

export interface PersonRow {
  login: string;
  commits: number;
  aiCommits: number;
  writtenLines: number;
  aiShare: number | null;
  prsMerged: number;
  prsMergedWithoutReview: number;
}

export type TeamDetail =
  | { status: "not-found" }
  /** Fewer than 3 people: its numbers are only ever part of "Others". */
  | { status: "folded"; team: TeamRow }
  | { status: "shown"; team: TeamRow; figures: Figures; people: PersonRow[] | null };

/** One team; its people one by one only when the organisation's owner turned per-person figures on. */
export async function getTeamDetail(db: Executor, orgId: string, teamId: string, range: { from: Date; to: Date }, privacy: TeamPrivacy): Promise<TeamDetail> {
  const team = await findTeam(db, orgId, teamId);
  if (!team) return { status: "not-found" };
  if (!isShownOnItsOwn(team)) return { status: "folded", team };
  const totals = await loadPeopleTotals(db, orgId, team.members, range);
  const figures = figuresOf(team.members, totals);
  const people = privacy.perPerson
    ? team.members.map((login) => {
        const own = figuresOf([login], totals);
        return {
          login,
          commits: own.commits,
          aiCommits: own.aiCommits,
          writtenLines: own.writtenLines,
          aiShare: own.aiShare,
          prsMerged: own.prsMerged,
          prsMergedWithoutReview: own.prsMergedWithoutReview,
        };
      })
    : null;
  return { status: "shown", team, figures, people };
}

/** Used by Settings → Teams: which teams exist, with their members (administration, not figures). */
export async function teamsForSettings(db: Executor, orgId: string) {
  const [all, syncedAt] = await Promise.all([listTeams(db, orgId), lastGitHubSync(db, orgId)]);
  return { github: all.filter((team) => team.source === "github"), manual: all.filter((team) => team.source === "manual"), lastGitHubSync: syncedAt };
}


