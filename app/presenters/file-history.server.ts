import { sql } from "drizzle-orm";
import type { Executor } from "../../infrastructure/db/client.ts";
import type { RiskOverride } from "../../infrastructure/db/schema/index.ts";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import { defaultTier, TIER_NAMES, type Tier } from "../../domain/risk/tiers.ts";
import { matchesGlob } from "../../domain/risk/glob.ts";
import { DAY_MS } from "../../domain/metrics/time.ts";
import { rangeEndingAt } from "../utils/range-days.ts";

/** One commit that changed the file: its verdict on this file and the tier the file had in it. */
export interface FileCommit {
  sha: string;
  /** The commit's event page, when the commit arrived as an event (a push); null for history imported without one. */
  eventId: number | null;
  authorName: string | null;
  authoredAt: string;
  headline: string | null;
  aiConfidence: number;
  writtenLines: number;
  linesAdded: number;
  linesDeleted: number;
  riskTier: number;
  riskReasons: string[];
}

/** A week (Monday, UTC) with commits: the share of its written lines in commits at or above the AI threshold. */
export interface FileWeek {
  week: string;
  /** Percent 0–100; null when the week's commits wrote no counted lines (a gap, not a zero). */
  aiShare: number | null;
  writtenLines: number;
}

export interface FileIncident {
  id: string;
  title: string;
  severity: string;
  startedAt: string;
  /** The file's commits among the incident's suspects. */
  commitShas: string[];
}

export interface FileHistory {
  repository: { id: string; fullName: string };
  path: string;
  days: number;
  /**
   * The tier today's rules give the path before AI confidence adjusts it, and why: the repository's first matching
   * override, else the default path rules (domain/risk/tiers.ts). Each commit's own tier is in `commits`.
   */
  tier: { tier: Tier; reason: string; fromOverride: boolean };
  commits: FileCommit[];
  /** True when the range holds more commits than `commits` lists (the newest `limit`). */
  moreCommits: boolean;
  /** Every week of the range, oldest first; weeks without commits carry a null share. */
  weeks: FileWeek[];
  incidents: FileIncident[];
}

/** Monday 00:00 UTC of the week holding `date`, as YYYY-MM-DD (PostgreSQL's `date_trunc('week', …)`). */
function mondayOf(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}

/** The range's weeks, oldest first, each with the counted week's figures or a gap. */
function weekSeries(from: Date, to: Date, counted: Map<string, { ai: number; written: number }>): FileWeek[] {
  const weeks: FileWeek[] = [];
  for (let monday = Date.parse(`${mondayOf(from)}T00:00:00Z`); monday < to.getTime(); monday += 7 * DAY_MS) {
    const week = new Date(monday).toISOString().slice(0, 10);
    const figures = counted.get(week);
    const written = figures?.written ?? 0;
    weeks.push({ week, writtenLines: written, aiShare: figures && written > 0 ? Math.round((figures.ai / written) * 1000) / 10 : null });
  }
  return weeks;
}

/** The tier today's path rules and the repository's overrides give the path (no AI-confidence adjustment). */
export function currentTier(path: string, kind: string | undefined, overrides: readonly RiskOverride[]): FileHistory["tier"] {
  const override = overrides.find((candidate) => matchesGlob(path, candidate.pattern));
  if (override) {
    const tier = override.tier as Tier;
    return { tier, reason: `T${tier} ${TIER_NAMES[tier]}: repository override "${override.pattern}"`, fromOverride: true };
  }
  const byDefault = defaultTier(path, kind);
  return { ...byDefault, fromOverride: false };
}

/**
 * One file's history in one of the organisation's repositories over the `days` before `now`: its commits newest
 * first, its weekly AI share, and the incidents whose suspects include one of those commits. Null when the repository
 * is not the organisation's or no commit ever touched the path, so the page answers 404 for both. Every read goes
 * through code_attribution's (repo_id, file_path, authored_at) index (migration 0031), so a busy repository's other
 * files are never read.
 */
export async function getFileHistory(
  db: Executor,
  orgId: string,
  repoId: string,
  path: string,
  options: { now: Date; days: number; limit?: number },
): Promise<FileHistory | null> {
  const { from, to } = rangeEndingAt(options.now, options.days);
  const limit = options.limit ?? 200;
  const [repository] = await db.execute<{ id: string; full_name: string; risk_overrides: RiskOverride[] | null; kind: string | null }>(sql`
    select r.id::text as id, r.full_name, r.risk_overrides,
      (select ca.file_kind from code_attribution ca
        where ca.org_id = ${orgId} and ca.repo_id = r.id and ca.file_path = ${path}
        order by ca.authored_at desc limit 1) as kind
    from repositories r
    where r.org_id = ${orgId} and r.id = ${repoId}
  `);
  if (!repository || repository.kind === null) return null;
  const [commitRows, weekRows] = await Promise.all([
    db.execute<{
      sha: string;
      event_id: string | null;
      author_name: string | null;
      authored_at: string;
      headline: string | null;
      ai_confidence: number;
      written_lines: number;
      lines_added: number;
      lines_deleted: number;
      risk_tier: number;
      risk_reasons: string[] | null;
    }>(sql`
      select ca.commit_sha as sha, e.id::text as event_id, coalesce(c.author_name, c.author_login) as author_name,
        ca.authored_at, c.message_headline as headline, ca.ai_confidence, ca.written_lines, ca.lines_added,
        ca.lines_deleted, ca.risk_tier, ca.risk_reasons
      from code_attribution ca
      left join commits c on c.org_id = ${orgId} and c.repo_id = ca.repo_id and c.sha = ca.commit_sha
      left join code_events e on e.org_id = ${orgId} and e.repo_id = ca.repo_id and e.event_key = 'commit/' || ca.commit_sha
      where ca.org_id = ${orgId} and ca.repo_id = ${repoId} and ca.file_path = ${path}
        and ca.authored_at >= ${from.toISOString()} and ca.authored_at < ${to.toISOString()}
      order by ca.authored_at desc, ca.commit_sha
      limit ${limit + 1}
    `),
    db.execute<{ week: string; ai: number; written: number }>(sql`
      select to_char(date_trunc('week', ca.authored_at at time zone 'UTC'), 'YYYY-MM-DD') as week,
        coalesce(sum(ca.written_lines) filter (where ca.ai_confidence >= ${AI_CONFIDENCE_THRESHOLD}), 0)::int as ai,
        sum(ca.written_lines)::int as written
      from code_attribution ca
      where ca.org_id = ${orgId} and ca.repo_id = ${repoId} and ca.file_path = ${path} and ca.counts_toward_share
        and ca.authored_at >= ${from.toISOString()} and ca.authored_at < ${to.toISOString()}
      group by 1
    `),
  ]);
  const incidentRows = await db.execute<{ id: string; title: string; severity: string; started_at: string; commit_shas: string[] }>(sql`
    select i.id::text as id, i.title, i.severity, i.started_at, array_agg(ic.commit_sha order by ic.commit_sha) as commit_shas
    from incident_commits ic
    join incidents i on i.id = ic.incident_id and i.org_id = ${orgId}
    where ic.repo_id = ${repoId}
      and ic.commit_sha in (
        select ca.commit_sha from code_attribution ca
        where ca.org_id = ${orgId} and ca.repo_id = ${repoId} and ca.file_path = ${path}
          and ca.authored_at >= ${from.toISOString()} and ca.authored_at < ${to.toISOString()})
    group by i.id, i.title, i.severity, i.started_at
    order by i.started_at desc
    limit 50
  `);
  return {
    repository: { id: repository.id, fullName: repository.full_name },
    path,
    days: options.days,
    tier: currentTier(path, repository.kind, repository.risk_overrides ?? []),
    moreCommits: commitRows.length > limit,
    commits: commitRows.slice(0, limit).map((row) => ({
      sha: row.sha,
      eventId: row.event_id === null ? null : Number(row.event_id),
      authorName: row.author_name,
      authoredAt: new Date(row.authored_at).toISOString(),
      headline: row.headline,
      aiConfidence: row.ai_confidence,
      writtenLines: row.written_lines,
      linesAdded: row.lines_added,
      linesDeleted: row.lines_deleted,
      riskTier: row.risk_tier,
      riskReasons: row.risk_reasons ?? [],
    })),
    weeks: weekSeries(from, to, new Map(weekRows.map((row) => [row.week, { ai: row.ai, written: row.written }]))),
    incidents: incidentRows.map((row) => ({
      id: row.id,
      title: row.title,
      severity: row.severity,
      startedAt: new Date(row.started_at).toISOString(),
      commitShas: row.commit_shas,
    })),
  };
}
