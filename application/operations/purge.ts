/**
 * Deleting what an operator no longer keeps (issue 16, ADR 072): a removed repository's or an organisation's data,
 * at once (`sentinel purge`) or after the grace period (the daily retention job); raw webhook payloads after
 * processing; commit patches once line survival no longer reads them.
 *
 * Every delete runs in small batches, each its own statement, so no purge holds a lock for long or fills the WAL
 * with one giant transaction. The repository (or organisation) row goes last: a purge stopped midway leaves it in
 * place, hidden, and running the purge again continues where it stopped.
 *
 * Which tables hold a repository's data is read from the database itself (every table with a `repo_id` or `org_id`
 * column), so a table added later is purged without anyone remembering to list it. Tables without those columns
 * must be classified in TABLES_WITHOUT_TENANT_COLUMNS; an unclassified one stops the purge (and the test) with its name.
 */
import { sql, type SQL } from "drizzle-orm";
import { CHURN_WINDOW_DAYS } from "../../domain/metrics/daily.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { SURVIVAL_COHORT_WEEKS } from "../metrics/survival.ts";
import { foldPullRequestTimes } from "../pull-requests/pull-request-times.ts";

/** Rows per delete statement. Small enough that each statement takes milliseconds on an indexed column. */
export const PURGE_BATCH_SIZE = 5_000;

/** Line survival replays 26 weekly cohorts and churn looks 14 days further back: patches older than this are not read. */
export const PATCH_DAYS_SURVIVAL_NEEDS = SURVIVAL_COHORT_WEEKS * 7 + CHURN_WINDOW_DAYS;

/**
 * Tables with neither `repo_id` nor `org_id`, and how a purge treats them. A new table without tenant columns must be
 * added here (the purge refuses to run otherwise), so no one can add a table that silently keeps a tenant's data.
 */
export const TABLES_WITHOUT_TENANT_COLUMNS: Readonly<Record<string, string>> = {
  organizations: "the organisation's own row: deleted last by an organisation purge",
  users: "GitHub accounts, shared by every organisation a person belongs to: not tenant data",
  github_app_credentials: "the install's GitHub App registration: not tenant data",
  webhook_deliveries: "matched by the payload's repository id (repository purge) and the installation (organisation purge)",
  alert_deliveries: "deleted with their alert (ON DELETE CASCADE)",
};

export interface TenantTables {
  /** Tables with a repo_id column, purged per repository. */
  byRepository: string[];
  /** Tables with an org_id column (and none with repo_id where it is set), purged per organisation. */
  byOrganization: string[];
}

/** Thrown when the schema holds a table the purge does not know how to treat. */
export class UnclassifiedTableError extends Error {}

/** Reads which tables carry tenant data from the live schema; refuses unclassified tables. */
export async function tenantTables(db: Executor): Promise<TenantTables> {
  const rows = await db.execute<{ table_name: string; has_repo: boolean; has_org: boolean }>(sql`
    select t.table_name,
           bool_or(c.column_name = 'repo_id') as has_repo,
           bool_or(c.column_name = 'org_id') as has_org
    from information_schema.tables t
    join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name
    where t.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    group by t.table_name
    order by t.table_name`);
  const byRepository: string[] = [];
  const byOrganization: string[] = [];
  const unclassified: string[] = [];
  for (const row of rows) {
    if (row.has_repo) byRepository.push(row.table_name);
    if (row.has_org) byOrganization.push(row.table_name);
    if (!row.has_repo && !row.has_org && !Object.hasOwn(TABLES_WITHOUT_TENANT_COLUMNS, row.table_name)) unclassified.push(row.table_name);
  }
  if (unclassified.length > 0) {
    throw new UnclassifiedTableError(
      `table(s) ${unclassified.join(", ")} have neither repo_id nor org_id: add them to TABLES_WITHOUT_TENANT_COLUMNS ` +
        "(application/operations/purge.ts) with how a purge treats them",
    );
  }
  // The repository row itself goes last, by the caller.
  return { byRepository, byOrganization: byOrganization.filter((table) => table !== "repositories") };
}

export interface PurgeProgress {
  table: string;
  deleted: number;
}

export interface PurgeOptions {
  batchSize?: number;
  /** Checked between batches: an aborted purge stops after the batch it is on, and a second run continues. */
  signal?: AbortSignal;
  onProgress?: (progress: PurgeProgress) => void;
}

export interface PurgeResult {
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  /** False when stopped by the signal before the end: run the purge again to continue. */
  complete: boolean;
}

/**
 * Runs `batch` (one statement over at most `batchSize` rows, answering how many it changed) until a batch comes back
 * short, checking the signal between batches. Answers the rows changed and whether it ran to the end.
 */
async function inBatches(
  batchSize: number,
  signal: AbortSignal | undefined,
  batch: () => Promise<number>,
  onBatch?: (changed: number) => void,
): Promise<{ changed: number; complete: boolean }> {
  let changed = 0;
  for (;;) {
    if (signal?.aborted) return { changed, complete: false };
    const rows = await batch();
    changed += rows;
    if (rows > 0) onBatch?.(changed);
    if (rows < batchSize) return { changed, complete: true };
  }
}

/** The rows one statement changed, from a `with changed as (… returning 1)` wrapper. */
async function countChanged(db: Executor, statement: SQL): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`with changed as (${statement} returning 1) select count(*)::int as n from changed`);
  return row?.n ?? 0;
}

async function deleteInBatches(db: Executor, table: string, where: SQL, options: PurgeOptions, result: PurgeResult): Promise<boolean> {
  const batchSize = options.batchSize ?? PURGE_BATCH_SIZE;
  const before = result.deleted[table] ?? 0;
  const { changed, complete } = await inBatches(
    batchSize,
    options.signal,
    () => countChanged(db, sql`delete from ${sql.identifier(table)} where ctid in (select ctid from ${sql.identifier(table)} where ${where} limit ${batchSize})`),
    (deleted) => {
      result.deleted[table] = before + deleted;
      options.onProgress?.({ table, deleted: result.deleted[table]! });
    },
  );
  if (changed > 0) result.deleted[table] = before + changed;
  return complete;
}

/** Webhook deliveries whose payload names one of these GitHub repository ids. */
function deliveriesOfRepositories(githubIds: number[]): SQL {
  return sql`payload is not null and (payload->'repository'->>'id') in (${sql.join(githubIds.map((id) => sql`${String(id)}`), sql`, `)})`;
}

export interface RepositoryToPurge {
  id: string;
  orgId: string;
  fullName: string;
  githubId: number | null;
}

/** A `repositories` row as the purge needs it (GitHub ids arrive from the driver as strings or numbers). */
export function repositoryToPurge(row: { id: string; org_id: string; full_name: string; github_id: number | string | null }): RepositoryToPurge {
  return { id: row.id, orgId: row.org_id, fullName: row.full_name, githubId: row.github_id === null ? null : Number(row.github_id) };
}

/**
 * Where a repository's rows are, table by table, besides its `repositories` row: every table with repo_id (with
 * org_id too where the table has it: some tables' only index leads with (org_id, repo_id)), its alert dedup rows
 * (keyed by the repository's id as text), and the webhook deliveries whose payload names it. The purge deletes these
 * and the dry run counts them.
 */
function rowsOfRepository(tables: TenantTables, repository: RepositoryToPurge): Array<{ table: string; where: SQL }> {
  const rows = tables.byRepository
    .filter((table) => table !== "repositories")
    .map((table) => ({
      table,
      where: tables.byOrganization.includes(table) ? sql`org_id = ${repository.orgId} and repo_id = ${repository.id}` : sql`repo_id = ${repository.id}`,
    }));
  rows.push({ table: "alert_dedup", where: sql`org_id = ${repository.orgId} and repo_key = ${repository.id}` });
  if (repository.githubId !== null) rows.push({ table: "webhook_deliveries", where: deliveriesOfRepositories([repository.githubId]) });
  return rows;
}

/**
 * Deletes every row of one repository from every table that holds it, then the repository row. Hides the repository
 * first (disabled_at), so nothing new is ingested for it while the purge runs.
 */
export async function purgeRepository(db: Executor, repository: RepositoryToPurge, options: PurgeOptions = {}): Promise<PurgeResult> {
  return purgeRepositoryWith(db, await tenantTables(db), repository, options);
}

/**
 * A repository's rows in the pull-request comparison's tables (ADR 084) are not deleted directly: the organisation's
 * day histograms count its pull requests too, and only the folder can take them out. Deleting its pull requests queues
 * them; folding them removes their facts, their repository's day rows and their share of the organisation's.
 */
const FOLDED_TABLES: ReadonlySet<string> = new Set(["pull_request_time_facts", "pull_request_time_queue", "repo_daily_pull_request_times"]);

/** How long a purge waits for another process's fold of the organisation (the minute job) before leaving it the rest. */
const FOLD_WAIT_MS = 30_000;

/** Folds the organisation's queue until none of the repository's pull requests is left in it (see FOLDED_TABLES). */
async function foldPurgedPullRequests(db: Executor, repository: RepositoryToPurge, options: PurgeOptions): Promise<boolean> {
  const deadline = Date.now() + FOLD_WAIT_MS;
  for (;;) {
    if (options.signal?.aborted) return false;
    const [left] = await db.execute<{ queued: boolean }>(
      sql`select exists (select 1 from pull_request_time_queue where org_id = ${repository.orgId} and repo_id = ${repository.id}) as queued`,
    );
    if (!left!.queued) return true;
    const batch = await foldPullRequestTimes(db, repository.orgId);
    if (batch.busy) {
      // The minute job is folding this organisation: it takes these too. Wait for it a while, not forever.
      if (Date.now() > deadline) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function purgeRepositoryWith(db: Executor, tables: TenantTables, repository: RepositoryToPurge, options: PurgeOptions): Promise<PurgeResult> {
  const result: PurgeResult = { deleted: {}, complete: false };
  await db.execute(sql`update repositories set disabled_at = coalesce(disabled_at, now()), updated_at = now() where id = ${repository.id}`);
  for (const { table, where } of rowsOfRepository(tables, repository)) {
    if (FOLDED_TABLES.has(table)) continue;
    if (!(await deleteInBatches(db, table, where, options, result))) return result;
  }
  if (!(await foldPurgedPullRequests(db, repository, options))) return result;
  if (options.signal?.aborted) return result;
  await db.execute(sql`delete from repositories where id = ${repository.id}`);
  result.deleted.repositories = 1;
  options.onProgress?.({ table: "repositories", deleted: 1 });
  result.complete = true;
  return result;
}

/**
 * Deletes an organisation: each of its repositories as above, then every organisation-scoped row (members, keys,
 * channels, rules, installations and their deliveries), then the organisation. People's user accounts stay: they
 * may belong to other organisations.
 */
export async function purgeOrganization(db: Executor, orgId: string, options: PurgeOptions = {}): Promise<PurgeResult> {
  const tables = await tenantTables(db);
  const result: PurgeResult = { deleted: {}, complete: false };
  const repos = await db.execute<{ id: string; org_id: string; full_name: string; github_id: number | null }>(
    sql`select id, org_id, full_name, github_id from repositories where org_id = ${orgId} order by full_name`,
  );
  for (const repo of repos) {
    const one = await purgeRepositoryWith(db, tables, repositoryToPurge(repo), options);
    for (const [table, count] of Object.entries(one.deleted)) result.deleted[table] = (result.deleted[table] ?? 0) + count;
    if (!one.complete) return result;
  }
  const installationIds = sql`(select id from github_installations where org_id = ${orgId})`;
  if (!(await deleteInBatches(db, "webhook_deliveries", sql`installation_id in ${installationIds}`, options, result))) return result;
  // Installations last among the organisation's tables: the deliveries above are found through them.
  const ordered = [...tables.byOrganization.filter((table) => table !== "github_installations"), "github_installations"];
  for (const table of ordered) {
    if (!(await deleteInBatches(db, table, sql`org_id = ${orgId}`, options, result))) return result;
  }
  if (options.signal?.aborted) return result;
  await db.execute(sql`delete from organizations where id = ${orgId}`);
  result.deleted.organizations = 1;
  result.complete = true;
  return result;
}

/** What a purge would delete, per table (a dry run: nothing is changed). */
export async function countPurge(db: Executor, scope: { orgId: string; repository?: RepositoryToPurge }): Promise<Record<string, number>> {
  const tables = await tenantTables(db);
  const counts: Record<string, number> = {};
  const count = async (table: string, where: SQL) => {
    const [row] = await db.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`);
    if ((row?.n ?? 0) > 0) counts[table] = (counts[table] ?? 0) + row!.n;
  };
  if (scope.repository) {
    for (const { table, where } of rowsOfRepository(tables, scope.repository)) await count(table, where);
    counts.repositories = 1;
    return counts;
  }
  for (const table of tables.byOrganization) await count(table, sql`org_id = ${scope.orgId}`);
  await count("repositories", sql`org_id = ${scope.orgId}`);
  const githubIds = await db.execute<{ github_id: number }>(sql`select github_id from repositories where org_id = ${scope.orgId} and github_id is not null`);
  await count(
    "webhook_deliveries",
    githubIds.length > 0
      ? sql`installation_id in (select id from github_installations where org_id = ${scope.orgId}) or (${deliveriesOfRepositories(githubIds.map((row) => Number(row.github_id)))})`
      : sql`installation_id in (select id from github_installations where org_id = ${scope.orgId})`,
  );
  counts.organizations = 1;
  return counts;
}

const DAY_MS = 86_400_000;

export interface RetentionSettings {
  purgeAfterDays: number;
  payloadRetentionDays: number;
  /** Unset: PATCH_DAYS_SURVIVAL_NEEDS. */
  patchRetentionDays?: number;
}

export interface RetentionResult {
  repositoriesPurged: string[];
  /** Repositories whose purge stopped (signal): continued by the next run. */
  repositoriesPending: string[];
  payloadsDropped: number;
  patchesEmptied: number;
  detectionInputsDropped: number;
}

/**
 * The daily retention pass: purges repositories hidden for longer than the grace period, drops raw payloads of
 * deliveries that are done, and empties patches older than survival reads (with the detection inputs of those
 * commits, which hold the same code).
 */
export async function applyRetention(db: Executor, now: Date, settings: RetentionSettings, options: PurgeOptions = {}): Promise<RetentionResult> {
  const batchSize = options.batchSize ?? PURGE_BATCH_SIZE;
  const result: RetentionResult = { repositoriesPurged: [], repositoriesPending: [], payloadsDropped: 0, patchesEmptied: 0, detectionInputsDropped: 0 };

  const purgeBefore = new Date(now.getTime() - settings.purgeAfterDays * DAY_MS).toISOString();
  const expired = await db.execute<{ id: string; org_id: string; full_name: string; github_id: number | null }>(
    sql`select id, org_id, full_name, github_id from repositories where disabled_at is not null and disabled_at <= ${purgeBefore} order by disabled_at`,
  );
  const tables = expired.length > 0 ? await tenantTables(db) : undefined;
  for (const repo of expired) {
    const purged = await purgeRepositoryWith(db, tables!, repositoryToPurge(repo), options);
    (purged.complete ? result.repositoriesPurged : result.repositoriesPending).push(repo.full_name);
    if (!purged.complete) return result;
  }

  const payloadBefore = new Date(now.getTime() - settings.payloadRetentionDays * DAY_MS).toISOString();
  // Queued deliveries keep their payload: the recovery job re-queues them from it.
  const payloads = await inBatches(batchSize, options.signal, () =>
    countChanged(
      db,
      sql`update webhook_deliveries set payload = null
          where delivery_id in (
            select delivery_id from webhook_deliveries
            where status <> 'queued' and payload is not null and coalesce(processed_at, received_at) < ${payloadBefore}
            limit ${batchSize})`,
    ),
  );
  result.payloadsDropped = payloads.changed;
  if (!payloads.complete) return result;

  const patchBefore = new Date(now.getTime() - (settings.patchRetentionDays ?? PATCH_DAYS_SURVIVAL_NEEDS) * DAY_MS).toISOString();
  const repositories = await db.execute<{ id: string }>(sql`select id from repositories order by id`);
  for (const { id } of repositories) {
    const patches = await inBatches(batchSize, options.signal, () =>
      countChanged(
        db,
        sql`update commit_file_patches set patch = null
            where repo_id = ${id} and (commit_sha, file_path) in (
              select commit_sha, file_path from commit_file_patches
              where repo_id = ${id} and authored_at < ${patchBefore} and patch is not null
              limit ${batchSize})`,
      ),
    );
    result.patchesEmptied += patches.changed;
    if (!patches.complete) return result;
    const inputs = await inBatches(batchSize, options.signal, () =>
      countChanged(
        db,
        sql`delete from commit_detection_inputs
            where repo_id = ${id} and commit_sha in (
              select i.commit_sha from commit_detection_inputs i
              join commits c on c.repo_id = i.repo_id and c.sha = i.commit_sha
              where i.repo_id = ${id} and c.authored_at < ${patchBefore}
              limit ${batchSize})`,
      ),
    );
    result.detectionInputsDropped += inputs.changed;
    if (!inputs.complete) return result;
  }
  return result;
}
