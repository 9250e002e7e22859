import { sql } from "drizzle-orm";
import { AI_THRESHOLD } from "../../domain/metrics/daily.ts";
import { pathsDecidingFocus, type PatchEvent } from "../../domain/metrics/provenance.ts";
import type { CommitFile, FileAttribution } from "../../domain/detection/types.ts";
import type { Executor } from "../db/client.ts";
import { commitFilePatches } from "../db/schema/index.ts";

/**
 * Called by the commit analysis inside its transaction (ADR 030): keeps each counted file's patch, so line
 * provenance can be replayed later without asking GitHub again. Idempotent: a re-analysis overwrites.
 */
export async function recordCommitPatches(
  tx: Executor,
  commit: { orgId: string; repoId: string; sha: string; authoredAt: Date },
  files: readonly CommitFile[],
  attributions: readonly FileAttribution[],
): Promise<void> {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const rows = attributions
    .filter((attribution) => attribution.countsTowardShare)
    .map((attribution) => {
      const file = byPath.get(attribution.path);
      return {
        orgId: commit.orgId,
        repoId: commit.repoId,
        commitSha: commit.sha,
        filePath: attribution.path,
        previousPath: attribution.previousPath,
        status: attribution.status,
        patch: file?.patch ?? null,
        patchTruncated: file?.patchTruncated ?? true,
        aiAuthored: attribution.aiConfidence >= AI_THRESHOLD,
        authoredAt: commit.authoredAt,
      };
    });
  if (rows.length === 0) return;
  await tx
    .insert(commitFilePatches)
    .values(rows)
    .onConflictDoUpdate({
      target: [commitFilePatches.repoId, commitFilePatches.commitSha, commitFilePatches.filePath],
      set: {
        previousPath: sql`excluded.previous_path`,
        status: sql`excluded.status`,
        patch: sql`excluded.patch`,
        patchTruncated: sql`excluded.patch_truncated`,
        aiAuthored: sql`excluded.ai_authored`,
        authoredAt: sql`excluded.authored_at`,
      },
    });
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

/**
 * Patch events of a repository's commits authored in [from, to), oldest first, for the provenance replay. Only
 * commits that reached the default branch count (pushed to it, or on the branch of a merged PR): lines of an
 * abandoned branch were never part of the code base, so they can neither survive nor be churned.
 */
export async function loadPatchEvents(db: Executor, repoId: string, window: { from: Date; to: Date }): Promise<PatchEvent[]> {
  const rows = await db.execute<{
    sha: string;
    path: string;
    previous_path: string | null;
    status: string;
    patch: string | null;
    patch_truncated: boolean;
    ai: boolean;
    at: string;
  }>(sql`
    select p.commit_sha as sha, p.file_path as path, p.previous_path, p.status, p.patch, p.patch_truncated,
           p.ai_authored as ai, p.authored_at::text as at
    from commit_file_patches p
    join commits c on c.repo_id = p.repo_id and c.sha = p.commit_sha
    where p.repo_id = ${repoId}
      and p.authored_at >= ${window.from.toISOString()} and p.authored_at < ${window.to.toISOString()}
      and ${includedCommits(repoId)}
    order by p.authored_at, p.commit_sha, p.file_path`);
  return rows.map((row) => ({
    sha: row.sha,
    path: row.path,
    previousPath: row.previous_path,
    status: row.status,
    patch: row.patch,
    patchTruncated: row.patch_truncated,
    ai: row.ai,
    at: Date.parse(row.at),
  }));
}

/**
 * The events of [from, to) that decide the fates of lines ending in `focus` (ADR 032): first the window's event
 * keys without their patches, then the patches of the events touching `pathsDecidingFocus` only. For the daily
 * job (a 15-day window, a one-day focus) this skips the patches of every file the day did not touch. Same order
 * and same fates for lines ending in `focus` as `loadPatchEvents` over the whole window.
 */
export async function loadPatchEventsDecidingFocus(
  db: Executor,
  repoId: string,
  window: { from: Date; to: Date },
  focus: { from: Date; to: Date },
): Promise<PatchEvent[]> {
  const keys = await db.execute<{ sha: string; path: string; previous_path: string | null; status: string; ai: boolean; at: string }>(sql`
    select p.commit_sha as sha, p.file_path as path, p.previous_path, p.status, p.ai_authored as ai, p.authored_at::text as at
    from commit_file_patches p
    join commits c on c.repo_id = p.repo_id and c.sha = p.commit_sha
    where p.repo_id = ${repoId}
      and p.authored_at >= ${window.from.toISOString()} and p.authored_at < ${window.to.toISOString()}
      and ${includedCommits(repoId)}
    order by p.authored_at, p.commit_sha, p.file_path`);
  const events = keys.map((row) => ({ row, path: row.path, previousPath: row.previous_path, at: Date.parse(row.at) }));
  const paths = pathsDecidingFocus(events, { from: focus.from.getTime(), to: focus.to.getTime() });
  const needed = events.filter((event) => paths.has(event.path) || (event.previousPath !== null && paths.has(event.previousPath)));
  if (needed.length === 0) return [];
  const patches = await db.execute<{ sha: string; path: string; patch: string | null; patch_truncated: boolean }>(sql`
    select p.commit_sha as sha, p.file_path as path, p.patch, p.patch_truncated
    from unnest(${pgTextArray(needed.map((event) => event.row.sha))}::text[], ${pgTextArray(needed.map((event) => event.path))}::text[]) k(sha, path)
    join commit_file_patches p on p.repo_id = ${repoId} and p.commit_sha = k.sha and p.file_path = k.path`);
  const byKey = new Map(patches.map((row) => [`${row.sha}\u0000${row.path}`, row]));
  const result: PatchEvent[] = [];
  for (const { row, at } of needed) {
    const stored = byKey.get(`${row.sha}\u0000${row.path}`);
    // Deleted between the two reads (its repository or commit is going away): as if it had not been there.
    if (!stored) continue;
    result.push({
      sha: row.sha,
      path: row.path,
      previousPath: row.previous_path,
      status: row.status,
      patch: stored.patch,
      patchTruncated: stored.patch_truncated,
      ai: row.ai,
      at,
    });
  }
  return result;
}

/** A text[] literal: drizzle would expand a JS array into one parameter per element. */
function pgTextArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}
