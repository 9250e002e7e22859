import type postgres from "postgres";
import type { Database } from "../../infrastructure/db/client.ts";
import { createGroupCommit } from "../../infrastructure/db/group-commit.ts";
import type { CommitPatchRow } from "../metrics/provenance-store.ts";
import type { StoredDetectionInput } from "./detection-input.ts";

/**
 * A commit's analysis verdict, ready to write: the commit row's new values, one attribution row per file and the
 * counted files' patches (ADR 030). Field names are the SQL ones: the verdict travels to PostgreSQL as JSON.
 */
export interface CommitVerdict {
  org_id: string;
  repo_id: string;
  sha: string;
  /**
   * The context the verdict was computed from (ADR 022): written only if the commit's branch, pull request and the
   * author's previous commit are still these once its row is locked. Null: write without checking (`sentinel import`).
   */
  context: VerdictContext | null;
  ai_confidence: number;
  /** The engine's signals as they are: each marker keeps the tool that left it (`agent`), which the per-tool view reads. */
  signals: unknown;
  lines_added: number;
  lines_deleted: number;
  /** The counted files' written lines, in all and by risk tier (ADR 033: the AI share rollup reads these). */
  written_lines: number;
  written_lines_t1: number;
  written_lines_t2: number;
  written_lines_t3: number;
  written_lines_t4: number;
  detector_version: string;
  authored_at: string;
  analyzed_at: string;
  files: AttributionRow[];
  patches: CommitPatchRow[];
  /** What the engine read that no other row keeps, for a later re-score (ingest/detection-input.ts). Absent: none kept. */
  input?: StoredDetectionInput | null;
}

export interface VerdictContext {
  branch: string | null;
  pr_number: number | null;
  pr_title: string | null;
  pr_body: string | null;
  /** As PostgreSQL printed it (timestamptz as text), so the comparison is exact. */
  previous_authored_at: string | null;
}

export interface AttributionRow {
  path: string;
  previous_path: string | null;
  change_type: string;
  file_kind: string;
  counts: boolean;
  ai_confidence: number;
  signals: unknown;
  risk_tier: number;
  base_risk_tier: number;
  risk_reasons: unknown;
  lines_added: number;
  lines_deleted: number;
  written_lines: number;
  exclusion: string | null;
  complexity: unknown;
}

/** "stale": the commit's context changed since the verdict was computed (or its row is gone); nothing was written. */
export type VerdictWrite = "written" | "stale";

interface SerializedVerdict {
  key: string;
  json: string;
}

function serialize(verdict: CommitVerdict): SerializedVerdict {
  return { key: `${verdict.repo_id}/${verdict.sha}`, json: JSON.stringify(verdict) };
}

/** Locks the group's commit rows, in key order so that two groups never deadlock each other. */
const LOCK_COMMITS = `
    select 1 from commits c
    where (c.repo_id, c.sha) in (select k.repo_id, k.sha from jsonb_to_recordset($1::jsonb) as k(repo_id uuid, sha text))
    order by c.repo_id, c.sha
    for update of c`;

/** Checks each verdict's context (fresh: it runs after the lock), upserts the current ones' rows and clears their recorded failures. */
const WRITE_CURRENT_VERDICTS = `
    with v as materialized (
      select * from jsonb_to_recordset($1::jsonb) as v(org_id uuid, repo_id uuid, sha text, context jsonb,
        ai_confidence real, signals jsonb, lines_added integer, lines_deleted integer, written_lines integer,
        written_lines_t1 integer, written_lines_t2 integer, written_lines_t3 integer, written_lines_t4 integer, detector_version text,
        authored_at timestamptz, analyzed_at timestamptz, files jsonb, patches jsonb, input jsonb)
    ),
    current as materialized (
      select v.* from v
      join commits c on c.repo_id = v.repo_id and c.sha = v.sha
      left join pull_requests p on p.repo_id = c.repo_id and p.number = c.pr_number
      where v.context is null or jsonb_typeof(v.context) = 'null' or (
        c.branch is not distinct from v.context->>'branch'
        and c.pr_number is not distinct from (v.context->>'pr_number')::integer
        and p.title is not distinct from v.context->>'pr_title'
        and p.body is not distinct from v.context->>'pr_body'
        and (select max(e.authored_at) from commits e
             where e.repo_id = c.repo_id and e.author_email = c.author_email and e.authored_at < c.authored_at)
            is not distinct from (v.context->>'previous_authored_at')::timestamptz)
    ),
    updated as (
      update commits c set analysis_status = 'analyzed', skip_reason = null, ai_confidence = k.ai_confidence,
        signals = k.signals, lines_added = k.lines_added, lines_deleted = k.lines_deleted,
        written_lines = coalesce(k.written_lines, 0), written_lines_t1 = coalesce(k.written_lines_t1, 0),
        written_lines_t2 = coalesce(k.written_lines_t2, 0), written_lines_t3 = coalesce(k.written_lines_t3, 0),
        written_lines_t4 = coalesce(k.written_lines_t4, 0),
        detector_version = k.detector_version, analyzed_at = k.analyzed_at
      from current k
      where c.repo_id = k.repo_id and c.sha = k.sha
      returning c.repo_id, c.sha
    ),
    attribution as (
      insert into code_attribution (org_id, repo_id, commit_sha, file_path, previous_path, change_type, file_kind,
        counts_toward_share, ai_confidence, signals, risk_tier, base_risk_tier, risk_reasons, lines_added, lines_deleted,
        written_lines, exclusion, complexity, detector_version, authored_at, analyzed_at)
      select k.org_id, k.repo_id, k.sha, f.path, f.previous_path, f.change_type, f.file_kind,
        f.counts, f.ai_confidence, f.signals, f.risk_tier, f.base_risk_tier, f.risk_reasons, f.lines_added, f.lines_deleted,
        coalesce(f.written_lines, 0), f.exclusion, f.complexity, k.detector_version, k.authored_at, k.analyzed_at
      from current k cross join lateral jsonb_to_recordset(k.files) as f(path text, previous_path text, change_type text,
        file_kind text, counts boolean, ai_confidence real, signals jsonb, risk_tier smallint, base_risk_tier smallint,
        risk_reasons jsonb, lines_added integer, lines_deleted integer, written_lines integer, exclusion text, complexity jsonb)
      on conflict (repo_id, commit_sha, file_path) do update set
        ai_confidence = excluded.ai_confidence, signals = excluded.signals, risk_tier = excluded.risk_tier,
        base_risk_tier = excluded.base_risk_tier, risk_reasons = excluded.risk_reasons, file_kind = excluded.file_kind,
        counts_toward_share = excluded.counts_toward_share, lines_added = excluded.lines_added,
        lines_deleted = excluded.lines_deleted, written_lines = excluded.written_lines, exclusion = excluded.exclusion,
        complexity = excluded.complexity,
        detector_version = excluded.detector_version, analyzed_at = excluded.analyzed_at
    ),
    patches as (
      insert into commit_file_patches (org_id, repo_id, commit_sha, file_path, previous_path, status, patch, patch_truncated,
        ai_authored, authored_at)
      select k.org_id, k.repo_id, k.sha, f.path, f.previous_path, f.status, f.patch, f.truncated, f.ai, k.authored_at
      from current k cross join lateral jsonb_to_recordset(k.patches) as f(path text, previous_path text, status text,
        patch text, truncated boolean, ai boolean)
      on conflict (repo_id, commit_sha, file_path) do update set
        previous_path = excluded.previous_path, status = excluded.status, patch = excluded.patch,
        patch_truncated = excluded.patch_truncated, ai_authored = excluded.ai_authored, authored_at = excluded.authored_at
    ),
    inputs as (
      insert into commit_detection_inputs (org_id, repo_id, commit_sha, input)
      select k.org_id, k.repo_id, k.sha, k.input from current k where k.input is not null and jsonb_typeof(k.input) <> 'null'
      on conflict (repo_id, commit_sha) do update set input = excluded.input
    ),
    -- A commit an earlier run could not store is stored now: it leaves the repository's list of failed commits.
    cleared as (
      delete from commit_failures f using current k where f.repo_id = k.repo_id and f.sha = k.sha
    )
    select repo_id::text as repo_id, sha from updated`;

/**
 * The postgres.js client under a drizzle database. The analysis statements go to it directly, as named prepared
 * statements: drizzle sends its queries unnamed, which postgres.js runs in two round trips (describe, then execute)
 * and cannot pipeline; a prepared statement is parsed once per connection, then runs in one (ADR 022).
 */
export function postgresClientOf(db: Database): postgres.Sql {
  const client = (db as Database & { $client?: postgres.Sql }).$client;
  if (!client) throw new Error("the analysis write path needs a drizzle database over postgres.js");
  return client;
}

/**
 * Writes verdicts in one transaction of three round trips: BEGIN; then, pipelined, one statement that locks the
 * commits' rows (in key order, so two groups never deadlock each other) and one that checks each context and writes
 * the current verdicts — commit rows, attribution rows, patches and the engine's input, each an upsert; then COMMIT. The write runs
 * after the lock, so it reads the context as committed at that moment (READ COMMITTED takes a snapshot per
 * statement): a verdict computed from an older context is not written. All or nothing: a failure leaves no row of
 * any verdict of the group written.
 */
async function writeSerialized(sql: postgres.Sql, verdicts: readonly SerializedVerdict[]): Promise<Set<string>> {
  const keys = JSON.stringify(verdicts.map(({ key }) => ({ repo_id: key.slice(0, key.indexOf("/")), sha: key.slice(key.indexOf("/") + 1) })));
  // The verdicts are already JSON: spliced into one array, not parsed and stringified again.
  const payload = `[${verdicts.map(({ json }) => json).join(",")}]`;
  const rows = await sql.begin((tx) =>
    // Not awaited one by one: postgres.js sends both in one write; PostgreSQL still runs them in order.
    Promise.all([
      tx.unsafe(LOCK_COMMITS, [keys], { prepare: true }),
      tx.unsafe<Array<{ repo_id: string; sha: string }>>(WRITE_CURRENT_VERDICTS, [payload], { prepare: true }),
    ]),
  );
  return new Set(rows[1].map((row) => `${row.repo_id}/${row.sha}`));
}

/** Writes verdicts in one transaction (see writeSerialized); answers, per verdict in order, whether it was written. */
export async function writeVerdicts(db: Database, verdicts: readonly CommitVerdict[]): Promise<VerdictWrite[]> {
  const serialized = verdicts.map(serialize);
  const written = await writeSerialized(postgresClientOf(db), serialized);
  return serialized.map(({ key }) => (written.has(key) ? "written" : "stale"));
}

/** Most verdicts in one transaction; most bytes of JSON in one statement (patches can be large). */
const MAX_GROUP = 32;
const MAX_GROUP_BYTES = 8 * 1024 * 1024;

interface Waiting extends SerializedVerdict {
  resolve(result: VerdictWrite): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the analysis worker's verdicts (ADR 022): verdicts that arrive while a group is being written
 * wait for the next turn and are written together, in one transaction, by `writeVerdicts`. Up to `maxInFlight`
 * groups are written at once; beyond that, waiting verdicts pile into larger groups (at most MAX_GROUP, one verdict
 * per commit in a group). Each caller still gets its own answer: if a group fails, its verdicts are written again one
 * by one, so a verdict PostgreSQL refuses fails alone and the others are written; a failed group leaves nothing.
 */
export function createVerdictWriter(db: Database, options: { maxInFlight?: number; maxGroup?: number } = {}) {
  const sql = postgresClientOf(db);
  const maxGroup = options.maxGroup ?? MAX_GROUP;

  /** The next group: oldest first, one verdict per commit (a later one for the same commit waits its turn). */
  function takeGroup(waiting: Waiting[]): Waiting[] {
    const group: Waiting[] = [];
    const keys = new Set<string>();
    let bytes = 0;
    let kept = 0;
    for (const entry of waiting) {
      const fits = group.length < maxGroup && (group.length === 0 || bytes + entry.json.length <= MAX_GROUP_BYTES);
      if (fits && !keys.has(entry.key)) {
        group.push(entry);
        keys.add(entry.key);
        bytes += entry.json.length;
      } else waiting[kept++] = entry;
    }
    waiting.length = kept;
    return group;
  }

  async function writeGroup(group: Waiting[]): Promise<void> {
    try {
      const written = await writeSerialized(sql, group);
      for (const entry of group) entry.resolve(written.has(entry.key) ? "written" : "stale");
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // The transaction rolled back as a whole; each verdict gets its own try, and its own error.
      await Promise.all(
        group.map(async (entry) => {
          try {
            entry.resolve((await writeSerialized(sql, [entry])).has(entry.key) ? "written" : "stale");
          } catch (alone) {
            entry.reject(alone);
          }
        }),
      );
    }
  }

  const verdicts = createGroupCommit<Waiting>({
    maxInFlight: options.maxInFlight ?? 2,
    takeGroup,
    runGroup: writeGroup,
    onGroupError(group, error) {
      for (const entry of group) entry.reject(error);
    },
  });

  return function writeVerdict(verdict: CommitVerdict): Promise<VerdictWrite> {
    return new Promise<VerdictWrite>((resolve, reject) => verdicts.add({ ...serialize(verdict), resolve, reject }));
  };
}
