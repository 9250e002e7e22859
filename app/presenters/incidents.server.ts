import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../infrastructure/db/client.ts";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import { rankSuspects } from "../../domain/incidents/suspect-ranking.ts";
import type { Tier } from "../../domain/risk/tiers.ts";
import { type InRepository, isoTime, isoTimeOrNull, pageLimit, repoFilter } from "./list-query.ts";

export const incidentListQuery = z.object({
  repo: repoFilter,
  status: z.enum(["open", "resolved", "all"], { message: "status is open, resolved or all" }).default("all"),
  limit: pageLimit(100),
});
export type IncidentListQuery = z.infer<typeof incidentListQuery>;

export interface IncidentSummary extends InRepository {
  id: string;
  title: string;
  severity: "sev1" | "sev2" | "sev3" | "sev4";
  source: string;
  startedAt: string;
  resolvedAt: string | null;
  suspectedCommits: number;
  /** AI-attributed share (a fraction 0–1, as the API answers every share) of the suspected commits' counted added lines; null without suspects or lines. */
  aiAttribution: number | null;
}

/** A summary as selected (columns aliased to its keys): the driver's timestamps, and the lines behind the attribution. */
type IncidentRow = Omit<IncidentSummary, "aiAttribution"> & { lines: number; aiLines: number };

function toSummary({ lines, aiLines, ...row }: IncidentRow): IncidentSummary {
  return {
    ...row,
    startedAt: isoTime(row.startedAt),
    resolvedAt: isoTimeOrNull(row.resolvedAt),
    aiAttribution: lines > 0 ? aiLines / lines : null,
  };
}

const incidentColumns = (orgId: string) => sql`
  i.id, i.repo_id as "repoId", r.full_name as "repoFullName", i.title, i.severity, i.source, i.started_at as "startedAt",
  i.resolved_at as "resolvedAt", coalesce(s.suspected_commits, 0)::int as "suspectedCommits",
  coalesce(a.lines, 0)::int as lines, coalesce(a.ai_lines, 0)::int as "aiLines"
  from incidents i
  join repositories r on r.id = i.repo_id and r.org_id = ${orgId} and r.disabled_at is null
  left join lateral (select count(*) as suspected_commits from incident_commits ic where ic.incident_id = i.id) s on true
  left join lateral (
    select sum(ca.lines_added) as lines, sum(ca.lines_added) filter (where ca.ai_confidence >= ${AI_CONFIDENCE_THRESHOLD}) as ai_lines
    from incident_commits ic
    join code_attribution ca on ca.org_id = ${orgId} and ca.repo_id = ic.repo_id and ca.commit_sha = ic.commit_sha and ca.counts_toward_share
    where ic.incident_id = i.id
  ) a on true
`;

/** Newest first; always the organisation's own incidents (a foreign repo filter matches nothing). */
export async function listIncidents(db: Executor, orgId: string, query: IncidentListQuery): Promise<IncidentSummary[]> {
  const rows = await db.execute<IncidentRow>(sql`
    select ${incidentColumns(orgId)}
    where i.org_id = ${orgId}
      ${query.repo ? sql`and i.repo_id = ${query.repo}` : sql``}
      ${query.status === "open" ? sql`and i.resolved_at is null` : query.status === "resolved" ? sql`and i.resolved_at is not null` : sql``}
    order by i.started_at desc, i.id
    limit ${query.limit}
  `);
  return rows.map(toSummary);
}

export interface SuspectedCommit {
  sha: string;
  eventId: number | null;
  messageHeadline: string;
  authorLogin: string | null;
  authorName: string | null;
  authoredAt: string;
  aiConfidence: number | null;
  linesAdded: number;
  highRiskFiles: string[];
  /** The strongest signal behind the commit's verdict, for "why". */
  topSignal: { id: string; weight: number; evidence: string } | null;
}

export interface IncidentDetail extends IncidentSummary {
  description: string | null;
  createdAt: string;
  suspects: SuspectedCommit[];
  /** Suspected commits' added lines per risk tier, and how many of them are AI-written (file confidence ≥ 0.5). */
  byTier: { tier: number; lines: number; aiLines: number }[];
}

export async function getIncidentDetail(db: Executor, orgId: string, incidentId: string): Promise<IncidentDetail | null> {
  if (!z.string().uuid().safeParse(incidentId).success) return null;
  const [row] = await db.execute<IncidentRow & { description: string | null; createdAt: string }>(sql`
    select i.description, i.created_at as "createdAt", ${incidentColumns(orgId)}
    where i.org_id = ${orgId} and i.id = ${incidentId}
  `);
  if (!row) return null;
  const { description, createdAt, ...summary } = row;
  const suspects = await db.execute<{
    sha: string;
    event_id: number | null;
    message_headline: string;
    author_login: string | null;
    author_name: string | null;
    authored_at: string;
    ai_confidence: number | null;
    lines_added: number;
    high_risk_files: string[] | null;
    signals: { id: string; weight: number; evidence: string }[] | null;
  }>(sql`
    select c.sha, e.id as event_id, c.message_headline, c.author_login, c.author_name, c.authored_at, c.ai_confidence, c.lines_added,
      c.signals,
      (select array_agg(distinct ca.file_path) from code_attribution ca
        where ca.org_id = ${orgId} and ca.repo_id = c.repo_id and ca.commit_sha = c.sha and ca.risk_tier >= 3) as high_risk_files
    from incident_commits ic
    join commits c on c.org_id = ${orgId} and c.repo_id = ic.repo_id and c.sha = ic.commit_sha
    left join code_events e on e.org_id = ${orgId} and e.repo_id = c.repo_id and e.event_key = 'commit/' || c.sha
    where ic.incident_id = ${incidentId}
    order by c.authored_at desc
  `);
  const byTier = await db.execute<{ tier: number; lines: number; ai_lines: number }>(sql`
    select ca.risk_tier as tier, sum(ca.lines_added)::int as lines,
      coalesce(sum(ca.lines_added) filter (where ca.ai_confidence >= ${AI_CONFIDENCE_THRESHOLD}), 0)::int as ai_lines
    from incident_commits ic
    join code_attribution ca on ca.org_id = ${orgId} and ca.repo_id = ic.repo_id and ca.commit_sha = ic.commit_sha
    where ic.incident_id = ${incidentId} and ca.counts_toward_share
    group by ca.risk_tier
    order by ca.risk_tier desc
  `);
  return {
    ...toSummary(summary),
    description,
    createdAt: isoTime(createdAt),
    suspects: suspects.map((suspect) => ({
      sha: suspect.sha,
      eventId: suspect.event_id === null ? null : Number(suspect.event_id),
      messageHeadline: suspect.message_headline,
      authorLogin: suspect.author_login,
      authorName: suspect.author_name,
      authoredAt: new Date(suspect.authored_at).toISOString(),
      aiConfidence: suspect.ai_confidence,
      linesAdded: suspect.lines_added,
      highRiskFiles: suspect.high_risk_files ?? [],
      topSignal: [...(suspect.signals ?? [])].sort((a, b) => b.weight - a.weight)[0] ?? null,
    })),
    byTier: byTier.map((tier) => ({ tier: Number(tier.tier), lines: tier.lines, aiLines: tier.ai_lines })),
  };
}

export interface SuspectCandidate {
  sha: string;
  messageHeadline: string;
  authorLogin: string | null;
  authoredAt: string;
  /** When it landed on the default branch (committed, else authored): what closeness is measured from. */
  landedAt: string;
  aiConfidence: number;
  /** The highest risk tier among its AI-written files with written lines; null when none of its files is AI-written. */
  aiRiskTier: Tier | null;
  /** 0–1, risk weight × AI confidence × closeness to the start (domain/incidents/suspect-ranking.ts). */
  score: number;
  /** Pre-ticked in the form and linked by the API when no suspects are given: the top 3 scoring at least 0.1. */
  suggested: boolean;
}

/**
 * The most recent commits of the window the ranking weighs. A window holds a few dozen commits; a long-undeployed
 * repository's may hold thousands, and the closeness factor halves every two days, so the older ones would rank at
 * the bottom anyway. Bounded so the read stays a short walk of commits_repo_landed_idx.
 */
const CANDIDATE_LIMIT = 100;

/**
 * Candidates for the incident form, best first: the commits shipped by the last production deployments (up to two)
 * that finished before the incident started — the commits landed after the deployment before them and up to the
 * deployed one. Without any production deployment, the default branch's commits of the 48 hours before.
 *
 * Only analysed commits with written lines are candidates: a merge commit is never analysed (its changes are
 * attributed to the commits it merges, so it is skipped with a reason: commits store no parents, and the analysis's
 * skip is what marks a merge), and a commit still pending, failed, or with no written lines (lockfiles, generated
 * code) has nothing for the ranking to weigh. They are ranked by rankSuspects; the top ones are suggested.
 */
export async function getSuspectCandidates(db: Executor, orgId: string, repoId: string, startedAt: Date): Promise<SuspectCandidate[]> {
  const window = await suspectWindow(db, orgId, repoId, startedAt);
  const rows = await db.execute<{
    sha: string;
    message_headline: string;
    author_login: string | null;
    authored_at: string;
    landed_at: string;
    ai_confidence: number;
    ai_risk_tier: number | null;
  }>(sql`
    select c.sha, c.message_headline, c.author_login, c.authored_at, coalesce(c.committed_at, c.authored_at) as landed_at, c.ai_confidence,
      (select max(ca.risk_tier) from code_attribution ca
        where ca.org_id = ${orgId} and ca.repo_id = c.repo_id and ca.commit_sha = c.sha
          and ca.written_lines > 0 and ca.ai_confidence >= ${AI_CONFIDENCE_THRESHOLD}) as ai_risk_tier
    from commits c
    join repositories r on r.id = c.repo_id and r.org_id = ${orgId}
    where c.org_id = ${orgId} and c.repo_id = ${repoId} and c.on_default_branch
      and c.analysis_status = 'analyzed' and c.written_lines > 0 and c.ai_confidence is not null
      and coalesce(c.committed_at, c.authored_at) > ${window.from} and coalesce(c.committed_at, c.authored_at) <= ${window.to}
    order by coalesce(c.committed_at, c.authored_at) desc
    limit ${CANDIDATE_LIMIT}
  `);
  const facts = rows.map((row) => ({
    sha: row.sha,
    messageHeadline: row.message_headline,
    authorLogin: row.author_login,
    authoredAt: new Date(row.authored_at).toISOString(),
    landedAt: new Date(row.landed_at).toISOString(),
    aiConfidence: row.ai_confidence,
    aiRiskTier: row.ai_risk_tier === null ? null : (Number(row.ai_risk_tier) as Tier),
  }));
  return rankSuspects(facts, startedAt).map(({ suspect, score, preticked }) => ({ ...suspect, score, suggested: preticked }));
}

/** What the last production deployments before the start shipped (see getSuspectCandidates), as landing times. */
async function suspectWindow(db: Executor, orgId: string, repoId: string, startedAt: Date): Promise<{ from: string; to: string }> {
  const start = startedAt.toISOString();
  const deploys = await db.execute<{ sha: string; created_at: string }>(sql`
    select d.sha, d.created_at from deployments d
    join repositories r on r.id = d.repo_id and r.org_id = ${orgId}
    where d.org_id = ${orgId} and d.repo_id = ${repoId} and d.is_production and d.status = 'success' and d.created_at <= ${start}
    order by d.created_at desc limit 3
  `);
  if (deploys.length === 0) return { from: new Date(startedAt.getTime() - 48 * 3_600_000).toISOString(), to: start };
  const last = deploys[0]!;
  const before = deploys[Math.min(2, deploys.length - 1)]!;
  const lastTime = new Date(last.created_at).toISOString();
  const from = deploys.length === 1 ? new Date(Date.parse(lastTime) - 7 * 86_400_000).toISOString() : new Date(before.created_at).toISOString();
  return { from, to: lastTime };
}
