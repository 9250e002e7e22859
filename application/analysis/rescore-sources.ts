import { sql, type SQL } from "drizzle-orm";
import { fromGitHubCommit, type NormalisedCommit } from "../../domain/detection/index.ts";
import type { CommitSource } from "../../domain/ports.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { CommitSourceUnavailableError, createCommitSourceResolver } from "./commit-sources.ts";
import {
  commitFromDetectionInput,
  commitFromPushPayload,
  isReadableDetectionInput,
  pushedCommitSchema,
  type PushedCommit,
  type StoredContext,
  type StoredFileRow,
  type StoredPatch,
} from "./detection-input.ts";

/**
 * Where a re-score gets the engine's input for each commit, without GitHub: the input stored with its verdict; for a
 * commit analysed before inputs were kept, the demo dataset regenerated (demo repositories), or a rebuild from the
 * push delivery that recorded it plus its stored rows (detection-input.ts, commitFromPushPayload). Commits imported
 * from a local clone cannot be re-read from git: Sentinel does not record the clone's path.
 */

export type RebuildMethod = "stored-input" | "demo-dataset" | "push-payload";

/** How each re-scored commit's input was had, as the summaries say it. */
export const REBUILD_METHOD_LABELS: Record<RebuildMethod, string> = {
  "stored-input": "from stored input",
  "demo-dataset": "regenerated from the demo dataset",
  "push-payload": "rebuilt from push payload",
};

export type UnrebuildableReason =
  | "no-push-payload"
  | "local-clone"
  | "not-in-demo-dataset"
  | "patch-missing"
  | "uncounted-kind-lost"
  | "unreadable-input"
  | "merge-commit";

/** Why a commit from another detector version keeps its verdict. */
export const UNREBUILDABLE_REASON_LABELS: Record<UnrebuildableReason, string> = {
  "no-push-payload": "no stored input and no stored push lists it (recorded by a backfill or a compare)",
  "local-clone": "no stored input and imported from a local clone whose path Sentinel does not record",
  "not-in-demo-dataset": "no stored input and not in the regenerated demo dataset",
  "patch-missing": "a counted file's patch was not stored",
  "uncounted-kind-lost": "an uncounted file's kind cannot be kept without its patch",
  "unreadable-input": "its stored input is in a format this version cannot read",
  "merge-commit": "a merge commit",
};

/** A commit picked for a re-score: its row, and the stored input when there is one. */
export type StaleCommit = {
  sha: string;
  /** timestamptz as PostgreSQL prints it: the keyset cursor. */
  authored_at: string;
  authored_ms: number;
  committed_ms: number | null;
  author_name: string | null;
  author_email: string | null;
  ai_confidence: number | null;
  input: unknown;
};

/**
 * The engine's input without its context, and the context the analysis was given (`sentinel import`), if any: with
 * the database's context (withContext) it is what the engine runs on.
 */
export interface RebuiltInput {
  method: RebuildMethod;
  base: NormalisedCommit;
  givenContext: StoredContext | null;
  /** Carried into the stored document (StoredDetectionInput.rebuiltFrom). */
  rebuiltFrom: "push-payload" | null;
}

export type RebuildOutcome = RebuiltInput | { unrebuildable: UnrebuildableReason };

const NO_CONTEXT: StoredContext = { branch: null, pullRequest: null, authorPreviousCommitAt: null };

export function withContext(rebuilt: RebuiltInput, databaseContext: StoredContext): NormalisedCommit {
  const context = rebuilt.givenContext ?? databaseContext;
  return { ...rebuilt.base, branch: context.branch, pullRequest: context.pullRequest, authorPreviousCommitAt: context.authorPreviousCommitAt };
}

/**
 * Whether a stale commit (alias `c`, its repository `r`) has a source a re-score can read: a stored input, the demo
 * dataset, or a push delivery that recorded it with every counted file's patch stored. What the daily check and the
 * progress total count; a commit without one is passed over, counted, and never queues a job again and again.
 */
export const HAS_REBUILD_SOURCE: SQL = sql`(
  exists (select 1 from commit_detection_inputs i where i.repo_id = c.repo_id and i.commit_sha = c.sha)
  or r.source = 'demo'
  or (
    exists (
      select 1 from code_events e join webhook_deliveries d on d.delivery_id = e.delivery_id
      where e.repo_id = c.repo_id and e.event_key = 'commit/' || c.sha and d.event = 'push' and d.payload is not null)
    and not exists (
      select 1 from code_attribution a
      where a.repo_id = c.repo_id and a.commit_sha = c.sha and a.counts_toward_share
        and not exists (select 1 from commit_file_patches p where p.repo_id = a.repo_id and p.commit_sha = a.commit_sha and p.file_path = a.file_path))
  )
)`;

const inList = (shas: readonly string[]) => sql.join(shas.map((sha) => sql`${sha}`), sql`, `);

async function loadPatches(db: Database, repoId: string, shas: readonly string[]): Promise<Map<string, Map<string, StoredPatch>>> {
  const bySha = new Map<string, Map<string, StoredPatch>>();
  if (shas.length === 0) return bySha;
  const rows = await db.execute<{ commit_sha: string; file_path: string; patch: string | null; patch_truncated: boolean }>(sql`
    select commit_sha, file_path, patch, patch_truncated from commit_file_patches
    where repo_id = ${repoId} and commit_sha in (${inList(shas)})`);
  for (const row of rows) {
    let files = bySha.get(row.commit_sha);
    if (!files) bySha.set(row.commit_sha, (files = new Map()));
    files.set(row.file_path, { patch: row.patch, truncated: row.patch_truncated });
  }
  return bySha;
}

/**
 * Each commit as the push delivery that recorded it lists it (the commit event's delivery). The payload may be
 * lz4-compressed, which PostgreSQL undoes: each delivery's `commits` is read once per batch (a push of 2,048 commits
 * is one payload for all of them), and only the wanted commits' elements are sent back.
 */
async function loadPushedCommits(db: Database, repoId: string, shas: readonly string[]): Promise<Map<string, PushedCommit>> {
  const found = new Map<string, PushedCommit>();
  if (shas.length === 0) return found;
  const rows = await db.execute<{ sha: string; pushed: unknown }>(sql`
    with wanted as materialized (
      select e.commit_sha, e.delivery_id from code_events e
      where e.repo_id = ${repoId} and e.event_key in (${sql.join(shas.map((sha) => sql`${`commit/${sha}`}`), sql`, `)})
        and e.delivery_id is not null
    ),
    pushes as materialized (
      select d.delivery_id, d.payload -> 'commits' as listed from webhook_deliveries d
      where d.delivery_id in (select delivery_id from wanted) and d.event = 'push'
    )
    select w.commit_sha as sha, item.value as pushed
    from pushes p
    cross join lateral jsonb_array_elements(case when jsonb_typeof(p.listed) = 'array' then p.listed else '[]'::jsonb end) as item(value)
    join wanted w on w.delivery_id = p.delivery_id and w.commit_sha = lower(item.value ->> 'id')`);
  for (const row of rows) {
    const parsed = pushedCommitSchema.safeParse(row.pushed);
    if (parsed.success && !found.has(row.sha)) found.set(row.sha, parsed.data);
  }
  return found;
}

/** Each commit's files as its attribution rows keep them, in the order the analysis wrote them. */
async function loadFileRows(db: Database, repoId: string, shas: readonly string[]): Promise<Map<string, StoredFileRow[]>> {
  const bySha = new Map<string, StoredFileRow[]>();
  if (shas.length === 0) return bySha;
  const rows = await db.execute<{
    commit_sha: string;
    file_path: string;
    previous_path: string | null;
    change_type: string;
    file_kind: string;
    counts_toward_share: boolean;
    lines_added: number;
    lines_deleted: number;
  }>(sql`
    select commit_sha, file_path, previous_path, change_type, file_kind, counts_toward_share, lines_added, lines_deleted
    from code_attribution where repo_id = ${repoId} and commit_sha in (${inList(shas)})
    order by commit_sha, id`);
  for (const row of rows) {
    let files = bySha.get(row.commit_sha);
    if (!files) bySha.set(row.commit_sha, (files = []));
    files.push({
      path: row.file_path,
      previousPath: row.previous_path,
      status: row.change_type,
      kind: row.file_kind,
      counted: row.counts_toward_share,
      additions: row.lines_added,
      deletions: row.lines_deleted,
    });
  }
  return bySha;
}

/** The demo organisation's dataset regenerated from its settings; null when it has none. */
async function demoSource(db: Database, orgId: string): Promise<CommitSource | null> {
  try {
    return await createCommitSourceResolver(db, null)({ orgId, source: "demo" });
  } catch (error) {
    if (error instanceof CommitSourceUnavailableError) return null;
    throw error;
  }
}

/**
 * The engine's input for each commit of a batch (all of one repository), or why it cannot be had. Reads in a few
 * statements per batch; the push payloads, attribution rows and demo dataset only for commits without a stored input.
 */
export async function rebuildInputs(
  db: Database,
  target: { repoId: string; orgId: string; source: "github" | "local" | "demo" },
  batch: readonly StaleCommit[],
): Promise<Map<string, RebuildOutcome>> {
  const missing = batch.filter((commit) => commit.input === null || commit.input === undefined).map((commit) => commit.sha);
  const [patches, pushed, fileRows, demo] = await Promise.all([
    loadPatches(db, target.repoId, batch.map((commit) => commit.sha)),
    loadPushedCommits(db, target.repoId, missing),
    loadFileRows(db, target.repoId, missing),
    target.source === "demo" && missing.length > 0 ? demoSource(db, target.orgId) : null,
  ]);

  const outcomes = new Map<string, RebuildOutcome>();
  for (const commit of batch) {
    const commitPatches = patches.get(commit.sha) ?? new Map<string, StoredPatch>();
    outcomes.set(commit.sha, await rebuildOne(commit, commitPatches, pushed.get(commit.sha), fileRows.get(commit.sha) ?? [], target, demo));
  }
  return outcomes;
}

async function rebuildOne(
  commit: StaleCommit,
  patches: ReadonlyMap<string, StoredPatch>,
  pushed: PushedCommit | undefined,
  fileRows: readonly StoredFileRow[],
  target: { repoId: string; orgId: string; source: "github" | "local" | "demo" },
  demo: CommitSource | null,
): Promise<RebuildOutcome> {
  if (commit.input !== null && commit.input !== undefined) {
    if (!isReadableDetectionInput(commit.input)) return { unrebuildable: "unreadable-input" };
    if (commit.input.parents.length > 1) return { unrebuildable: "merge-commit" };
    const base = commitFromDetectionInput(commit.sha, commit.input, patches, NO_CONTEXT);
    if (!base) return { unrebuildable: "patch-missing" };
    return { method: "stored-input", base, givenContext: commit.input.context, rebuiltFrom: commit.input.rebuiltFrom ?? null };
  }

  // The demo's "GitHub" is its generator: the same commit a fresh analysis reads, patches and all.
  const record = demo ? await demo.getCommit({ fullName: "", installationId: null }, commit.sha) : null;
  if (record) {
    const base = fromGitHubCommit(record);
    if (base.parents.length > 1) return { unrebuildable: "merge-commit" };
    return { method: "demo-dataset", base, givenContext: null, rebuiltFrom: null };
  }

  if (pushed) {
    const rebuilt = commitFromPushPayload(
      commit.sha,
      pushed,
      {
        authoredMs: commit.authored_ms,
        committedMs: commit.committed_ms,
        authorName: commit.author_name,
        authorEmail: commit.author_email,
      },
      fileRows,
      patches,
      NO_CONTEXT,
    );
    if (!rebuilt.ok) return { unrebuildable: rebuilt.reason };
    return { method: "push-payload", base: rebuilt.commit, givenContext: null, rebuiltFrom: "push-payload" };
  }

  if (target.source === "local") return { unrebuildable: "local-clone" };
  if (target.source === "demo") return { unrebuildable: "not-in-demo-dataset" };
  return { unrebuildable: "no-push-payload" };
}
