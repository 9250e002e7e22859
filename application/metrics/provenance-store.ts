import { sql } from "drizzle-orm";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import type { PatchEvent } from "../../domain/metrics/provenance.ts";
import type { CommitFile, FileAttribution } from "../../domain/detection/types.ts";
import type { Executor } from "../../infrastructure/db/client.ts";

/** One row of `commit_file_patches`, as the analysis writes it (snake_case: it goes to PostgreSQL as JSON). */
export interface CommitPatchRow {
  path: string;
  previous_path: string | null;
  status: string;
  patch: string | null;
  truncated: boolean;
  ai: boolean;
}

/**
 * Each counted file's patch, kept so line provenance can be replayed later without asking GitHub again (ADR 030).
 * The commit analysis writes them with its verdict, in the same statement (ingest/verdict-writer.ts). Idempotent: a
 * re-analysis overwrites.
 */
export function commitPatchRows(files: readonly CommitFile[], attributions: readonly FileAttribution[]): CommitPatchRow[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  return attributions
    .filter((attribution) => attribution.countsTowardShare)
    .map((attribution) => {
      const file = byPath.get(attribution.path);
      return {
        path: attribution.path,
        previous_path: attribution.previousPath,
        status: attribution.status,
        patch: file?.patch == null ? null : storableText(file.patch),
        truncated: file?.patchTruncated ?? true,
        ai: attribution.aiConfidence >= AI_CONFIDENCE_THRESHOLD,
      };
    });
}

/**
 * PostgreSQL text holds neither NUL nor lone surrogates (jsonb refuses them too): replace them with U+FFFD, keep the
 * rest. `toWellFormed` does the surrogates natively (a lookbehind regex over every patch was ~1 % of the analysis
 * worker's CPU).
 */
export function storableText(text: string): string {
  return (text.includes("\u0000") ? text.replaceAll("\u0000", "\ufffd") : text).toWellFormed();
}

/** Which of a repository's commits take part in provenance (see loadPatchEvents). */
function includedCommits(repoId: string) {
  return sql`c.analysis_status = 'analyzed'
      and (
        c.on_default_branch
        -- Hashed once per query, not probed per commit: a busy repository has tens of thousands of each.
        or c.pr_number in (select number from pull_requests where repo_id = ${repoId} and state = 'merged')
        or c.branch in (select head_ref from pull_requests where repo_id = ${repoId} and state = 'merged' and head_ref is not null)
      )`;
}

/** A PatchEvent's columns of `commit_file_patches p`, named as its fields; the author time as text (toPatchEvent). */
const PATCH_EVENT_COLUMNS = sql`p.commit_sha as sha, p.file_path as path, p.previous_path as "previousPath", p.status, p.patch,
           p.patch_truncated as "patchTruncated", p.ai_authored as ai, p.authored_at::text as at`;

type PatchRow = Omit<PatchEvent, "at"> & { at: string };

function toPatchEvent(row: PatchRow): PatchEvent {
  return { ...row, at: Date.parse(row.at) };
}

/**
 * Patch events of a repository's commits authored in [from, to), oldest first, for the provenance replay. Only
 * commits that reached the default branch count (pushed to it, or on the branch of a merged PR): lines of an
 * abandoned branch were never part of the code base, so they can neither survive nor be churned.
 */
export async function loadPatchEvents(db: Executor, repoId: string, window: { from: Date; to: Date }): Promise<PatchEvent[]> {
  const rows = await db.execute<PatchRow>(sql`
    select ${PATCH_EVENT_COLUMNS}
    from commit_file_patches p
    join commits c on c.repo_id = p.repo_id and c.sha = p.commit_sha
    where p.repo_id = ${repoId}
      and p.authored_at >= ${window.from.toISOString()} and p.authored_at < ${window.to.toISOString()}
      and ${includedCommits(repoId)}
    order by p.authored_at, p.commit_sha, p.file_path`);
  return rows.map(toPatchEvent);
}

/**
 * The events of [from, to) that decide the fates of lines ending in `focus` (ADR 032): those touching a path of
 * `pathsDecidingFocus` — every path an event in `focus` touches, closed under renames — found by PostgreSQL in the
 * same query (a recursive walk over the window's renames), so only those events' patches leave the database. For
 * the daily job (a 15-day window, a one-day focus) this skips every file the day did not touch. Same order, and
 * the same fates for lines ending in `focus`, as `loadPatchEvents` over the whole window.
 */
export async function loadPatchEventsDecidingFocus(
  db: Executor,
  repoId: string,
  window: { from: Date; to: Date },
  focus: { from: Date; to: Date },
): Promise<PatchEvent[]> {
  const focusFrom = focus.from.toISOString();
  const focusTo = focus.to.toISOString();
  const rows = await db.execute<PatchRow>(sql`
    with recursive events as materialized (
      select p.commit_sha, p.file_path, p.previous_path, p.authored_at
      from commit_file_patches p
      join commits c on c.repo_id = p.repo_id and c.sha = p.commit_sha
      where p.repo_id = ${repoId}
        and p.authored_at >= ${window.from.toISOString()} and p.authored_at < ${window.to.toISOString()}
        and ${includedCommits(repoId)}
    ),
    -- The renames (and copies) of the window: the only events that link one path's lines to another's.
    links as materialized (
      select file_path, previous_path from events where previous_path is not null and previous_path <> file_path
    ),
    -- pathsDecidingFocus (domain/metrics/provenance.ts), in SQL: the focus's paths, closed under the links.
    paths(path) as (
      select file_path from events where authored_at >= ${focusFrom} and authored_at < ${focusTo}
      union
      select previous_path from events where authored_at >= ${focusFrom} and authored_at < ${focusTo} and previous_path is not null
      union
      select case when l.file_path = r.path then l.previous_path else l.file_path end
      from links l join paths r on r.path = l.file_path or r.path = l.previous_path
    )
    select ${PATCH_EVENT_COLUMNS}
    from events e
    join commit_file_patches p on p.repo_id = ${repoId} and p.commit_sha = e.commit_sha and p.file_path = e.file_path
    where e.file_path in (select path from paths) or e.previous_path in (select path from paths)
    order by p.authored_at, p.commit_sha, p.file_path`);
  return rows.map(toPatchEvent);
}
