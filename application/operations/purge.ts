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

async function deleteInBatches(db: Executor, table: string, where: SQL, options: PurgeOptions, result: PurgeResult): Promise<boolean> {
  const batchSize = options.batchSize ?? PURGE_BATCH_SIZE;
  for (;;) {
    if (options.signal?.aborted) return false;
    const [row] = await db.execute<{ n: number }>(sql`
      with gone as (
        delete from ${sql.identifier(table)}
        where ctid in (select ctid from ${sql.identifier(table)} where ${where} limit ${batchSize})
        returning 1
      )
      select count(*)::int as n from gone`);
    const deleted = row?.n ?? 0;
    if (deleted > 0) {
      result.deleted[table] = (result.deleted[table] ?? 0) + deleted;
      options.onProgress?.({ table, deleted: result.deleted[table]! });
    }
    if (deleted < batchSize) return true;
  }
}

/** Webhook deliveries whose payload names one of these GitHub repository ids. */
function deliveriesOfRepositories(githubIds: number[]): SQL {
  return sql`payload is not null and (payload->'repository'->>'id') in (${sql.join(githubIds.map((id) => sql`${String(id)}`), sql`, `)})`;
}

/**
 * A repository's rows of one table. With the organisation too where the table has org_id: some tables' only index
 * leads with (org_id, repo_id), and the pair finds the rows through it.
 */
function ofRepository(tables: TenantTables, table: string, repository: RepositoryToPurge): SQL {
  return tables.byOrganization.includes(table) ? sql`org_id = ${repository.orgId} and repo_id = ${repository.id}` : sql`repo_id = ${repository.id}`;
}

export interface RepositoryToPurge {
  id: string;
  orgId: string;
  fullName: string;
  githubId: number | null;
}

/**
 * Deletes every row of one repository from every table that holds it, then the repository row. Hides the repository
 * first (disabled_at), so nothing new is ingested for it while the purge runs.
 */
export async function purgeRepository(db: Executor, repository: RepositoryToPurge, options: PurgeOptions = {}): Promise<PurgeResult> {
  const tables = await tenantTables(db);
  const result: PurgeResult = { deleted: {}, complete: false };
  await db.execute(sql`update repositories set disabled_at = coalesce(disabled_at, now()), updated_at = now() where id = ${repository.id}`);
  for (const table of tables.byRepository) {
    if (table === "repositories") continue;
    if (!(await deleteInBatches(db, table, ofRepository(tables, table, repository), options, result))) return result;
  }
  // Alert dedup rows are keyed by the repository's id as text (repo_key), not a repo_id column.
  if (!(await deleteInBatches(db, "alert_dedup", sql`org_id = ${repository.orgId} and repo_key = ${repository.id}`, options, result))) return result;
  if (repository.githubId !== null) {
    if (!(await deleteInBatches(db, "webhook_deliveries", deliveriesOfRepositories([repository.githubId]), options, result))) return result;
  }
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
  const repos = await db.execute<{ id: string; full_name: string; github_id: number | null }>(
    sql`select id, full_name, github_id from repositories where org_id = ${orgId} order by full_name`,
  );
  for (const repo of repos) {
    const one = await purgeRepository(db, { id: repo.id, orgId, fullName: repo.full_name, githubId: repo.github_id === null ? null : Number(repo.github_id) }, options);
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
    const repository = scope.repository;
    for (const table of tables.byRepository) if (table !== "repositories") await count(table, ofRepository(tables, table, repository));
    await count("alert_dedup", sql`org_id = ${repository.orgId} and repo_key = ${repository.id}`);
    if (repository.githubId !== null) await count("webhook_deliveries", deliveriesOfRepositories([repository.githubId]));
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
  for (const repo of expired) {
    const purged = await purgeRepository(
      db,
      { id: repo.id, orgId: repo.org_id, fullName: repo.full_name, githubId: repo.github_id === null ? null : Number(repo.github_id) },
      options,
    );
    (purged.complete ? result.repositoriesPurged : result.repositoriesPending).push(repo.full_name);
    if (!purged.complete) return result;
  }

  const payloadBefore = new Date(now.getTime() - settings.payloadRetentionDays * DAY_MS).toISOString();
  for (;;) {
    if (options.signal?.aborted) return result;
    // Queued deliveries keep their payload: the recovery job re-queues them from it.
    const [row] = await db.execute<{ n: number }>(sql`
      with dropped as (
        update webhook_deliveries set payload = null
        where delivery_id in (
          select delivery_id from webhook_deliveries
          where status <> 'queued' and payload is not null and coalesce(processed_at, received_at) < ${payloadBefore}
          limit ${batchSize})
        returning 1
      )
      select count(*)::int as n from dropped`);
    result.payloadsDropped += row?.n ?? 0;
    if ((row?.n ?? 0) < batchSize) break;
  }

  const patchBefore = new Date(now.getTime() - (settings.patchRetentionDays ?? PATCH_DAYS_SURVIVAL_NEEDS) * DAY_MS).toISOString();
  const repositories = await db.execute<{ id: string }>(sql`select id from repositories order by id`);
  for (const { id } of repositories) {
    for (;;) {
      if (options.signal?.aborted) return result;
      const [row] = await db.execute<{ n: number }>(sql`
        with emptied as (
          update commit_file_patches set patch = null
          where repo_id = ${id} and (commit_sha, file_path) in (
            select commit_sha, file_path from commit_file_patches
            where repo_id = ${id} and authored_at < ${patchBefore} and patch is not null
            limit ${batchSize})
          returning 1
        )
        select count(*)::int as n from emptied`);
      result.patchesEmptied += row?.n ?? 0;
      if ((row?.n ?? 0) < batchSize) break;
    }
    for (;;) {
      if (options.signal?.aborted) return result;
      const [row] = await db.execute<{ n: number }>(sql`
        with gone as (
          delete from commit_detection_inputs
          where repo_id = ${id} and commit_sha in (
            select i.commit_sha from commit_detection_inputs i
            join commits c on c.repo_id = i.repo_id and c.sha = i.commit_sha
            where i.repo_id = ${id} and c.authored_at < ${patchBefore}
            limit ${batchSize})
          returning 1
        )
        select count(*)::int as n from gone`);
      result.detectionInputsDropped += row?.n ?? 0;
      if ((row?.n ?? 0) < batchSize) break;
    }
  }
  return result;
}
