import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../infrastructure/db/client.ts";

import { EVENT_TYPES } from "../utils/event-types.ts";
import { type InRepository, isoTime, pageLimit, repoFilter } from "./list-query.ts";

export { EVENT_TYPES };

/** The feed's query string; a bad value is a 400 with the field named, never a silently ignored filter. */
export const eventFeedQuery = z.object({
  cursor: z
    .string()
    .regex(/^\d+$/, "cursor must come from a previous page")
    .optional(),
  repo: repoFilter,
  type: z.enum(EVENT_TYPES, { message: `type must be one of ${EVENT_TYPES.join(", ")}` }).optional(),
  minConfidence: z.coerce.number().min(0, "minConfidence is between 0 and 1").max(1, "minConfidence is between 0 and 1").optional(),
  limit: pageLimit(50),
});
export type EventFeedQuery = z.infer<typeof eventFeedQuery>;

export interface FeedEvent extends InRepository {
  id: number;
  type: string;
  timestamp: string;
  actor: string | null;
  commitSha: string | null;
  prNumber: number | null;
  summary: string;
  aiConfidence: number | null;
  analysisStatus: string | null;
}

function summarise(type: string, payload: Record<string, unknown>): string {
  switch (type) {
    case "commit":
      return String(payload.message ?? "");
    case "pr_review":
      return `review: ${String(payload.state ?? "")}`;
    case "deployment":
      return `deployment to ${String(payload.environment ?? "")}`;
    case "deployment_status":
      return `${String(payload.environment ?? "")}: ${String(payload.state ?? "")}`;
    default:
      return String(payload.title ?? "");
  }
}

// A type, not an interface: drizzle's execute<T> wants rows assignable to Record<string, unknown>.
type EventRow = {
  id: number;
  type: string;
  repo_id: string;
  full_name: string;
  timestamp: string;
  actor: string | null;
  commit_sha: string | null;
  pr_number: number | null;
  payload: Record<string, unknown>;
};

function toFeedEvent(row: EventRow, verdict: { aiConfidence: number | null; analysisStatus: string | null }): FeedEvent {
  return {
    id: Number(row.id),
    type: row.type,
    repoId: row.repo_id,
    repoFullName: row.full_name,
    timestamp: isoTime(row.timestamp),
    actor: row.actor,
    commitSha: row.commit_sha,
    prNumber: row.pr_number,
    summary: summarise(row.type, row.payload),
    ...verdict,
  };
}

/**
 * Newest first, keyset-paginated on the event id (ids grow with insertion; the cursor is the last id seen).
 * Always filtered by the organisation: a repository id from another tenant simply matches nothing.
 */
export async function listEvents(db: Executor, orgId: string, query: EventFeedQuery): Promise<{ events: FeedEvent[]; nextCursor: string | null }> {
  const rows = await db.execute<EventRow & { ai_confidence: number | null; analysis_status: string | null }>(sql`
    select e.id, e.type, e.repo_id, r.full_name, e.timestamp, e.actor, e.commit_sha, e.pr_number, e.payload,
           c.ai_confidence, c.analysis_status
    from code_events e
    join repositories r on r.id = e.repo_id and r.org_id = ${orgId} and r.disabled_at is null
    left join commits c on e.type = 'commit' and c.repo_id = e.repo_id and c.sha = e.commit_sha
    where e.org_id = ${orgId}
      ${query.cursor ? sql`and e.id < ${Number(query.cursor)}` : sql``}
      ${query.repo ? sql`and e.repo_id = ${query.repo}` : sql``}
      ${query.type ? sql`and e.type = ${query.type}` : sql``}
      ${query.minConfidence !== undefined ? sql`and c.ai_confidence >= ${query.minConfidence}` : sql``}
    order by e.id desc
    limit ${query.limit + 1}
  `);
  const page = rows.slice(0, query.limit);
  return {
    events: page.map((row) => toFeedEvent(row, { aiConfidence: row.ai_confidence, analysisStatus: row.analysis_status })),
    nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.id) : null,
  };
}

export interface SignalView {
  id: string;
  weight: number;
  evidence: string;
}

export interface EventDetail {
  event: FeedEvent & { branch: string | null; payload: Record<string, unknown> };
  commit: {
    sha: string;
    authorName: string | null;
    authorEmail: string | null;
    authoredAt: string;
    authoredOffsetMinutes: number | null;
    messageHeadline: string;
    analysisStatus: string;
    skipReason: string | null;
    aiConfidence: number | null;
    signals: SignalView[];
    detectorVersion: string | null;
    linesAdded: number;
    linesDeleted: number;
    /** The counted files' written lines: what this commit adds to AI share's denominator (ADR 033). */
    writtenLines: number;
  } | null;
  files: Array<{
    path: string;
    previousPath: string | null;
    changeType: string;
    fileKind: string;
    countsTowardShare: boolean;
    aiConfidence: number;
    riskTier: number;
    baseRiskTier: number;
    riskReasons: string[];
    linesAdded: number;
    linesDeleted: number;
    /** Of the added lines, those somebody wrote; and why the others were left out ("whitespace-only change: not counted"). */
    writtenLines: number;
    exclusion: string | null;
    complexity: { branches: number; maxNesting: number; functions: number } | null;
    signals: SignalView[];
  }>;
}

/** One event with, for a commit, the verdict per file and the evidence behind it; null when not this org's. */
export async function getEventDetail(db: Executor, orgId: string, eventId: number): Promise<EventDetail | null> {
  const [row] = await db.execute<EventRow & { branch: string | null }>(sql`
    select e.id, e.type, e.repo_id, r.full_name, e.timestamp, e.actor, e.commit_sha, e.pr_number, e.branch, e.payload
    from code_events e
    join repositories r on r.id = e.repo_id and r.org_id = ${orgId} and r.disabled_at is null
    where e.org_id = ${orgId} and e.id = ${eventId}
  `);
  if (!row) return null;

  let commit: EventDetail["commit"] = null;
  let files: EventDetail["files"] = [];
  if (row.type === "commit" && row.commit_sha) {
    const [c] = await db.execute<{
      sha: string;
      author_name: string | null;
      author_email: string | null;
      authored_at: string;
      authored_offset_minutes: number | null;
      message_headline: string;
      analysis_status: string;
      skip_reason: string | null;
      ai_confidence: number | null;
      signals: SignalView[];
      detector_version: string | null;
      lines_added: number;
      lines_deleted: number;
      written_lines: number;
    }>(sql`
      select sha, author_name, author_email, authored_at, authored_offset_minutes, message_headline, analysis_status,
             skip_reason, ai_confidence, signals, detector_version, lines_added, lines_deleted, written_lines
      from commits where org_id = ${orgId} and repo_id = ${row.repo_id} and sha = ${row.commit_sha}
    `);
    if (c) {
      commit = {
        sha: c.sha,
        authorName: c.author_name,
        authorEmail: c.author_email,
        authoredAt: new Date(c.authored_at).toISOString(),
        authoredOffsetMinutes: c.authored_offset_minutes,
        messageHeadline: c.message_headline,
        analysisStatus: c.analysis_status,
        skipReason: c.skip_reason,
        aiConfidence: c.ai_confidence,
        signals: c.signals ?? [],
        detectorVersion: c.detector_version,
        linesAdded: c.lines_added,
        linesDeleted: c.lines_deleted,
        writtenLines: c.written_lines,
      };
    }
    const fileRows = await db.execute<{
      file_path: string;
      previous_path: string | null;
      change_type: string;
      file_kind: string;
      counts_toward_share: boolean;
      ai_confidence: number;
      risk_tier: number;
      base_risk_tier: number;
      risk_reasons: string[];
      lines_added: number;
      lines_deleted: number;
      written_lines: number;
      exclusion: string | null;
      complexity: { branches: number; maxNesting: number; functions: number } | null;
      signals: SignalView[];
    }>(sql`
      select file_path, previous_path, change_type, file_kind, counts_toward_share, ai_confidence, risk_tier,
             base_risk_tier, risk_reasons, lines_added, lines_deleted, written_lines, exclusion, complexity, signals
      from code_attribution
      where org_id = ${orgId} and repo_id = ${row.repo_id} and commit_sha = ${row.commit_sha}
      order by risk_tier desc, ai_confidence desc, file_path
    `);
    files = fileRows.map((file) => ({
      path: file.file_path,
      previousPath: file.previous_path,
      changeType: file.change_type,
      fileKind: file.file_kind,
      countsTowardShare: file.counts_toward_share,
      aiConfidence: file.ai_confidence,
      riskTier: file.risk_tier,
      baseRiskTier: file.base_risk_tier,
      riskReasons: file.risk_reasons ?? [],
      linesAdded: file.lines_added,
      linesDeleted: file.lines_deleted,
      writtenLines: file.written_lines,
      exclusion: file.exclusion,
      complexity: file.complexity,
      signals: file.signals ?? [],
    }));
  }

  return {
    event: {
      ...toFeedEvent(row, { aiConfidence: commit?.aiConfidence ?? null, analysisStatus: commit?.analysisStatus ?? null }),
      branch: row.branch,
      payload: row.payload,
    },
    commit,
    files,
  };
}
