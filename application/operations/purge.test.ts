import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../../tests/support/cli.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { HISTORY_NOW, seedAnalysedHistory, type AnalysedHistory } from "../../tests/support/rescore-history.ts";
import { runCli } from "../../cli/main.ts";
import { recomputeStaleMetrics } from "../metrics/recompute.ts";
import { markMetricsStale } from "../metrics/stale-ranges.ts";
import { createMemoryLock } from "../../infrastructure/queue/memory-lock.ts";
import { applyRetention, PATCH_DAYS_SURVIVAL_NEEDS, purgeRepository, tenantTables, TABLES_WITHOUT_TENANT_COLUMNS, UnclassifiedTableError } from "./purge.ts";

let database: TestDatabase;
type Tenant = AnalysedHistory & { githubRepoId: number };

let kept: Tenant;
const savedEnv = { ...process.env };
let seedCount = 0;

/**
 * One analysed repository in an organisation of its own, with its metrics recomputed and a row in every other table
 * that holds tenant data (alerts and their deliveries and dedup, incidents, deployments, channels, keys, members,
 * commit failures), so a purge has something to delete everywhere.
 */
async function seedTenant(label: string): Promise<Tenant> {
  seedCount += 1;
  const base = 93000 + seedCount * 10;
  const history = await seedAnalysedHistory(database.db, label, { owner: base + 1, repo: base + 2, installation: base + 3 });
  await markMetricsStale(database.db, { orgId: history.orgId, repoId: history.repoId, first: "2026-06-01T00:00:00Z", last: "2026-06-10T23:00:00Z" });
  await recomputeStaleMetrics({ db: database.db, lock: createMemoryLock(), now: HISTORY_NOW }, [history.repoId]);
  const sql = database.sql;
  const { orgId, repoId } = history;
  const [first] = await sql<{ sha: string }[]>`select sha from commits where repo_id = ${repoId} order by authored_at limit 1`;
  const sha = first!.sha;
  const [user] = await sql<{ id: string }[]>`insert into users (github_id, login) values (${base + 4}, ${`${label}-person`}) returning id`;
  await sql`insert into organization_members (org_id, user_id, role) values (${orgId}, ${user!.id}, 'admin')`;
  await sql`insert into organization_member_removals (org_id, user_id) values (${orgId}, ${user!.id})`;
  await sql`insert into api_keys (org_id, name, display_prefix, key_hash) values (${orgId}, 'ci', 'snt_abc', ${randomUUID()})`;
  const [channel] = await sql<{ id: string }[]>`insert into notification_channels (org_id, kind, name, config) values (${orgId}, 'email', 'team', ${JSON.stringify({ to: ["a@example.com"] })}::jsonb) returning id`;
  for (const scope of [repoId, null]) {
    const [alert] = await sql<{ id: string }[]>`
      insert into alerts (org_id, repo_id, rule, severity, title, triggered_at)
      values (${orgId}, ${scope}, 'ai_share_spike', 'warning', 'AI share rose', ${HISTORY_NOW.toISOString()}) returning id`;
    await sql`insert into alert_deliveries (alert_id, channel_id) values (${alert!.id}, ${channel!.id})`;
    await sql`insert into alert_dedup (org_id, rule, repo_key, alert_id, last_triggered_at) values (${orgId}, 'ai_share_spike', ${scope ?? "org"}, ${alert!.id}, ${HISTORY_NOW.toISOString()})`;
  }
  const [incident] = await sql<{ id: string }[]>`
    insert into incidents (org_id, repo_id, title, severity, started_at) values (${orgId}, ${repoId}, 'Checkout down', 'sev2', ${HISTORY_NOW.toISOString()}) returning id`;
  await sql`insert into incident_commits (incident_id, repo_id, commit_sha) values (${incident!.id}, ${repoId}, ${sha})`;
  await sql`insert into deployments (org_id, repo_id, github_id, sha, environment, created_at) values (${orgId}, ${repoId}, ${base + 5}, ${sha}, 'production', ${HISTORY_NOW.toISOString()})`;
  await sql`insert into commit_failures (org_id, repo_id, sha, stage, reason) values (${orgId}, ${repoId}, ${"f".repeat(40)}, 'import', 'fatal: unable to read tree')`;
  return { ...history, githubRepoId: base + 2 };
}

/** Rows per table that belong to the organisation (by org_id, repo_id, installation or payload), for every tenant table. */
async function rowsOf(history: Tenant): Promise<Record<string, number>> {
  const tables = await tenantTables(database.db);
  const counts: Record<string, number> = {};
  for (const table of new Set([...tables.byRepository, ...tables.byOrganization, "repositories"])) {
    const columns = await database.sql<{ column_name: string }[]>`
      select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`;
    const names = new Set(columns.map((column) => column.column_name));
    const where = names.has("org_id") ? database.sql`org_id = ${history.orgId}` : database.sql`repo_id = ${history.repoId}`;
    const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from ${database.sql(table)} where ${where}`;
    counts[table] = row!.n;
  }
  const [deliveries] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from webhook_deliveries
    where installation_id in (select id from github_installations where org_id = ${history.orgId})`;
  counts.webhook_deliveries = deliveries!.n;
  const [deliveredAlerts] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from alert_deliveries where alert_id in (select id from alerts where org_id = ${history.orgId})`;
  counts.alert_deliveries = deliveredAlerts!.n;
  return counts;
}

const nonEmpty = (counts: Record<string, number>) => Object.keys(counts).filter((table) => counts[table]! > 0).sort();

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  delete process.env.REDIS_URL;
  process.env.LOG_LEVEL = "silent";
  kept = await seedTenant("purge-kept");
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await database?.drop();
});

describe("purge", () => {
  it("classifies every table of the schema: each has repo_id or org_id, or says how a purge treats it", async () => {
    await expect(tenantTables(database.db)).resolves.toBeDefined();
    await database.sql`create table purge_probe (id int)`;
    try {
      await expect(tenantTables(database.db)).rejects.toThrow(UnclassifiedTableError);
      await expect(tenantTables(database.db)).rejects.toThrow(/purge_probe/);
    } finally {
      await database.sql`drop table purge_probe`;
    }
    expect(Object.keys(TABLES_WITHOUT_TENANT_COLUMNS)).toContain("webhook_deliveries");
  });

  it("`sentinel purge --repo` without --yes prints what it would delete and changes nothing; with --yes deletes every row of the repository and nothing of another organisation", async () => {
    const gone = await seedTenant("purge-repo");
    const before = await rowsOf(gone);
    const keptBefore = await rowsOf(kept);
    // The fixture reaches the tables a purge must empty: every tenant table but the organisation-only ones it keeps.
    expect(nonEmpty(before)).toEqual(expect.arrayContaining(["code_events", "commits", "commit_file_patches", "code_attribution", "commit_detection_inputs", "repo_metrics", "line_survival", "alerts", "incidents", "incident_commits", "deployments", "pull_requests", "commit_failures", "webhook_deliveries"]));

    const dry = bufferIo();
    expect(await runCli(["purge", "--repo", gone.fullName], dry)).toBe(0);
    expect(dry.out()).toMatch(/^Would delete [\d,]+ rows of repository purge-repo-org\/app \(organisation purge-repo-org\):/);
    expect(dry.out()).toMatch(/code_events\s+[\d,]+/);
    expect(dry.out()).toContain("Nothing was changed; run again with --yes to delete.");
    expect(await rowsOf(gone)).toEqual(before);

    const io = bufferIo();
    expect(await runCli(["purge", "--repo", gone.fullName, "--yes"], io)).toBe(0);
    expect(io.out()).toMatch(/^Deleted [\d,]+ rows of repository purge-repo-org\/app/);
    expect(io.err()).toMatch(/purge: code_events [\d,]+ rows deleted/);

    const after = await rowsOf(gone);
    // What stays is the organisation's own: members, keys, channels, the installation and its non-repository
    // deliveries (the installation event), and alerts about the organisation as a whole.
    const repoTables = (await tenantTables(database.db)).byRepository;
    const [repoRows] = await database.sql<{ n: number }[]>`select count(*)::int as n from repositories where id = ${gone.repoId}`;
    expect(repoRows!.n).toBe(0);
    for (const table of repoTables) {
      const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from ${database.sql(table)} where repo_id = ${gone.repoId}`;
      expect({ table, rows: row!.n }).toEqual({ table, rows: 0 });
    }
    const [payloads] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from webhook_deliveries where payload->'repository'->>'id' = ${String(gone.githubRepoId)}`;
    expect(payloads!.n).toBe(0);
    expect(after.alerts).toBe(1);
    expect(after.api_keys).toBe(1);
    expect(await rowsOf(kept)).toEqual(keptBefore);

    const org = bufferIo();
    expect(await runCli(["purge", "--org", gone.orgSlug, "--yes"], org)).toBe(0);
    expect(nonEmpty(await rowsOf(gone))).toEqual([]);
    const [orgRows] = await database.sql<{ n: number }[]>`select count(*)::int as n from organizations where id = ${gone.orgId}`;
    expect(orgRows!.n).toBe(0);
    const [people] = await database.sql<{ n: number }[]>`select count(*)::int as n from users where login = 'purge-repo-person'`;
    expect(people!.n).toBe(1);
    expect(await rowsOf(kept)).toEqual(keptBefore);
  }, 120_000);

  it("an interrupted purge leaves the repository hidden, and a second run finishes it", async () => {
    const gone = await seedTenant("purge-resume");
    const stop = new AbortController();
    let batches = 0;
    const first = await purgeRepository(
      database.db,
      { id: gone.repoId, orgId: gone.orgId, fullName: gone.fullName, githubId: gone.githubRepoId },
      { batchSize: 3, signal: stop.signal, onProgress: () => (++batches === 4 ? stop.abort() : undefined) },
    );
    expect(first.complete).toBe(false);
    const [hidden] = await database.sql<{ disabled_at: Date | null }[]>`select disabled_at from repositories where id = ${gone.repoId}`;
    expect(hidden!.disabled_at).not.toBeNull();

    const io = bufferIo();
    expect(await runCli(["purge", "--repo", gone.fullName, "--org", gone.orgSlug, "--yes"], io)).toBe(0);
    for (const table of (await tenantTables(database.db)).byRepository) {
      const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from ${database.sql(table)} where repo_id = ${gone.repoId}`;
      expect({ table, rows: row!.n }).toEqual({ table, rows: 0 });
    }
  }, 120_000);

  it("refuses unclear targets with a message", async () => {
    const none = bufferIo();
    await expect(runCli(["purge"], none)).resolves.not.toBe(0);
    expect(none.err()).toContain("say what to purge: --org <slug> or --repo owner/name");
    const missing = bufferIo();
    expect(await runCli(["purge", "--repo", "nobody/nothing"], missing)).toBe(1);
    expect(missing.err()).toContain("no repository nobody/nothing");
    const bad = bufferIo();
    await expect(runCli(["purge", "--org", "Not A Slug"], bad)).resolves.not.toBe(0);
    expect(bad.err()).toContain("--org must be a slug");
  });
});

describe("retention", () => {
  const DAY = 86_400_000;

  it("purges a repository removed longer ago than the grace period, keeps one removed more recently, and drops old payloads and patches", async () => {
    const old = await seedTenant("retention-old");
    const recent = await seedTenant("retention-recent");
    const clock = fixedClock(new Date("2026-12-01T04:00:00Z"));
    const now = clock.now();
    await database.sql`update repositories set disabled_at = ${new Date(now.getTime() - 31 * DAY).toISOString()} where id = ${old.repoId}`;
    await database.sql`update repositories set disabled_at = ${new Date(now.getTime() - 29 * DAY).toISOString()} where id = ${recent.repoId}`;
    const keptBefore = await rowsOf(kept);
    const [payloadsBefore] = await database.sql<{ n: number }[]>`select count(*)::int as n from webhook_deliveries where payload is not null`;

    const result = await applyRetention(database.db, now, { purgeAfterDays: 30, payloadRetentionDays: 90 });

    expect(result.repositoriesPurged).toEqual([old.fullName]);
    const [oldRows] = await database.sql<{ n: number }[]>`select count(*)::int as n from commits where repo_id = ${old.repoId}`;
    expect(oldRows!.n).toBe(0);
    const [recentRows] = await database.sql<{ n: number }[]>`select count(*)::int as n from commits where repo_id = ${recent.repoId}`;
    expect(recentRows!.n).toBeGreaterThan(0);
    // The fixtures' deliveries were received at the database's own clock: none is 90 days old yet. Date some back.
    expect(result.payloadsDropped).toBe(0);
    await database.sql`update webhook_deliveries set received_at = ${new Date(now.getTime() - 91 * DAY).toISOString()}, processed_at = ${new Date(now.getTime() - 91 * DAY).toISOString()}
      where installation_id in (select id from github_installations where org_id = ${recent.orgId})`;
    await database.sql`update webhook_deliveries set status = 'queued' where delivery_id = (
      select delivery_id from webhook_deliveries where installation_id in (select id from github_installations where org_id = ${recent.orgId}) limit 1)`;
    const again = await applyRetention(database.db, now, { purgeAfterDays: 30, payloadRetentionDays: 90 });
    const [left] = await database.sql<{ with_payload: number; queued_with_payload: number }[]>`
      select count(*) filter (where payload is not null)::int as with_payload,
             count(*) filter (where payload is not null and status = 'queued')::int as queued_with_payload
      from webhook_deliveries where installation_id in (select id from github_installations where org_id = ${recent.orgId})`;
    expect(again.payloadsDropped).toBeGreaterThan(0);
    expect(left).toEqual({ with_payload: 1, queued_with_payload: 1 });
    expect(payloadsBefore!.n).toBeGreaterThan(again.payloadsDropped);

    // The histories were authored in June 2026: from 2026-12-01 that is within survival's 196 days, so patches stay.
    expect(PATCH_DAYS_SURVIVAL_NEEDS).toBe(196);
    expect(again.patchesEmptied).toBe(0);
    const later = await applyRetention(database.db, new Date("2027-01-20T04:00:00Z"), { purgeAfterDays: 30, payloadRetentionDays: 90 });
    expect(later.patchesEmptied).toBeGreaterThan(0);
    expect(later.detectionInputsDropped).toBeGreaterThan(0);
    const [patches] = await database.sql<{ n: number }[]>`select count(*)::int as n from commit_file_patches where patch is not null and authored_at < '2026-07-08'`;
    expect(patches!.n).toBe(0);
    // The untouched organisation keeps every row; only its June detection inputs (code, like the patches) are gone.
    expect(await rowsOf(kept)).toEqual({ ...keptBefore, commit_detection_inputs: 0 });
  }, 180_000);
});
