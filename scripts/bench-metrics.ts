/**
 * Metrics timings on a throwaway database of the local PostgreSQL (dropped at the end):
 *   1. the demo organisation (seeded through ingestion + analysis): yesterday's daily metrics for all its
 *      repositories, as the 02:00 fan-out runs them, and one repository's full recompute (every day + survival);
 *   2. with --repos N --days D --commits C: a synthetic organisation of N repositories with C commits a day each
 *      over D days (two files per commit, patches that rewrite earlier lines), optionally --events M code_events
 *      rows: the daily metrics for all N repositories (8 at a time), and the full recompute of one of them.
 * Run: npm run bench:metrics [-- --demo-days 90] [-- --repos 100 --days 730 --commits 70 --events 10000000]
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { addDays, localYesterday } from "../domain/metrics/time.ts";
import { connectPostgres, type DatabaseConnection } from "../infrastructure/db/client.ts";
import { migrateDatabase } from "../infrastructure/db/migrate.ts";
import { seedDemoOrganization } from "../infrastructure/demo/seed-demo.ts";
import { silentLogger } from "../infrastructure/logging/logger.ts";
import { computeRepoMetricsRange, loadRepositoryScope, type RepositoryScope } from "../infrastructure/metrics/repo-metrics.ts";
import { computeRepoSurvival } from "../infrastructure/metrics/survival.ts";
import { createInProcessQueue } from "../infrastructure/queue/in-process-queue.ts";

const { values } = parseArgs({
  options: {
    "demo-days": { type: "string", default: "90" },
    repos: { type: "string", default: "0" },
    days: { type: "string", default: "730" },
    commits: { type: "string", default: "70" },
    events: { type: "string", default: "0" },
  },
});
const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NOW = new Date("2026-03-20T18:00:00Z");
const TZ = "America/Los_Angeles";

function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Wall time, and this process's CPU time (user + system): the machine may be shared, so wall time alone misleads. */
async function time<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await run();
  const used = process.cpuUsage(cpu);
  const wall = ((performance.now() - started) / 1000).toFixed(2).padStart(8);
  console.log(`${label.padEnd(72)} ${wall} s wall, ${((used.user + used.system) / 1e6).toFixed(2).padStart(7)} s node CPU`);
  return value;
}

async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

async function scopesOf(connection: DatabaseConnection, orgId: string): Promise<RepositoryScope[]> {
  const rows = await connection.sql<{ id: string }[]>`select id from repositories where org_id = ${orgId} order by full_name`;
  return (await Promise.all(rows.map((row) => loadRepositoryScope(connection.db, row.id)))).filter((s): s is RepositoryScope => s !== null);
}

async function benchDemo(connection: DatabaseConnection): Promise<void> {
  const days = Number(values["demo-days"]);
  const seeded = await time(`seed the demo organisation (${days} days, analysis inline)`, () =>
    seedDemoOrganization({ db: connection.db, queue: createInProcessQueue(), logger: silentLogger }, { analysis: "inline", days, now: NOW }),
  );
  const scopes = await scopesOf(connection, seeded.orgId);
  const [counts] = await connection.sql<{ commits: number; patches: number }[]>`
    select (select count(*) from commits)::int as commits, (select count(*) from commit_file_patches)::int as patches`;
  console.log(`  ${scopes.length} repositories, ${counts!.commits} commits, ${counts!.patches} stored patches`);
  const yesterday = localYesterday(NOW, TZ);
  await time(`daily metrics, all ${scopes.length} demo repositories (${yesterday})`, () =>
    inParallel(scopes, 8, (scope) => computeRepoMetricsRange(connection.db, scope, { from: yesterday, to: yesterday })),
  );
  const busiest = scopes[0]!;
  await time(`full recompute of ${busiest.fullName} (${days} days + survival)`, async () => {
    await computeRepoMetricsRange(connection.db, busiest, { from: addDays(yesterday, -(days - 1)), to: yesterday });
    await computeRepoSurvival(connection.db, busiest, { asOfDate: addDays(yesterday, 1) });
  });
}

/** COPY … FROM STDIN in text format: one statement and one stream per batch, at COPY speed. */
async function copyRows(sql: postgres.Sql, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const field = (value: unknown) =>
    value === null || value === undefined
      ? "\\N"
      : String(value).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
  const stream = await sql.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable();
  const finished = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  for (let index = 0; index < rows.length; index += 1000) {
    const chunk = rows
      .slice(index, index + 1000)
      .map((row) => columns.map((column) => field(row[column])).join("\t"))
      .join("\n");
    if (!stream.write(`${chunk}\n`)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
  await finished;
}

/** Synthetic history: per repository and day, `perDay` commits of two files each; patches rewrite earlier lines. */
async function seedSynthetic(connection: DatabaseConnection, repos: number, days: number, perDay: number, events: number): Promise<string> {
  const sql = connection.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name, timezone) values ('bench', 'Bench', ${TZ}) returning id`;
  const orgId = org!.id;
  const repoIds = (
    await sql<{ id: string }[]>`insert into repositories (org_id, full_name, source)
      select ${orgId}, 'bench/repo-' || lpad(n::text, 3, '0'), 'local' from generate_series(1, ${repos}) n returning id`
  ).map((row) => row.id);
  const start = NOW.getTime() - days * 86_400_000;
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  for (const repoId of repoIds) {
    const fileLines = new Map<string, number>();
    let commits: Record<string, unknown>[] = [];
    let files: Record<string, unknown>[] = [];
    let patches: Record<string, unknown>[] = [];
    const flush = async () => {
      await copyRows(sql, "commits", commits);
      await copyRows(sql, "code_attribution", files);
      await copyRows(sql, "commit_file_patches", patches);
      commits = [];
      files = [];
      patches = [];
    };
    for (let index = 0; index < days * perDay; index += 1) {
      const at = new Date(start + (index / perDay) * 86_400_000 + random() * 60_000).toISOString();
      const sha = randomBytes(20).toString("hex");
      const ai = random() < 0.4;
      commits.push({ org_id: orgId, repo_id: repoId, sha, authored_at: at, analysis_status: "analyzed", ai_confidence: ai ? 0.8 : 0.1, on_default_branch: true, lines_added: 0 });
      const first = Math.floor(random() * 300);
      for (let f = 0; f < 2; f += 1) {
        const path = `src/module-${f === 0 ? first : (first + 1 + Math.floor(random() * 299)) % 300}.ts`;
        const length = fileLines.get(path) ?? 0;
        const added = 3 + Math.floor(random() * 20);
        let patch: string;
        let deleted = 0;
        if (length === 0) {
          patch = `@@ -0,0 +1,${added} @@\n${Array.from({ length: added }, (_, i) => `+line ${i} of ${sha}`).join("\n")}`;
        } else {
          const position = 1 + Math.floor(random() * length);
          deleted = Math.min(length - position + 1, Math.floor(random() * 8));
          patch = `@@ -${position},${deleted} +${position},${added} @@\n${Array.from({ length: deleted }, () => "-old").join("\n")}${deleted ? "\n" : ""}${Array.from({ length: added }, (_, i) => `+line ${i} of ${sha}`).join("\n")}`;
        }
        fileLines.set(path, length - deleted + added);
        files.push({ org_id: orgId, repo_id: repoId, commit_sha: sha, file_path: path, change_type: length === 0 ? "added" : "modified", ai_confidence: ai ? 0.8 : 0.1, risk_tier: 1 + Math.floor(random() * 4), base_risk_tier: 1, lines_added: added, lines_deleted: deleted, detector_version: "bench", authored_at: at });
        patches.push({ org_id: orgId, repo_id: repoId, commit_sha: sha, file_path: path, status: length === 0 ? "added" : "modified", patch, ai_authored: ai, authored_at: at });
        if (files.length >= 20_000) await flush();
      }
    }
    await flush();
  }
  // code_events is generated inside PostgreSQL (no round trip per row), a million rows per statement.
  for (let first = 1; first <= events; first += 1_000_000) {
    const last = Math.min(events, first + 999_999);
    await sql`insert into code_events (org_id, repo_id, type, event_key, timestamp)
      select ${orgId}, (${sql.array(repoIds)}::uuid[])[1 + n % ${repos}], 'commit', 'bench/' || n, ${NOW.toISOString()}::timestamptz - (n % ${days * 1440}) * interval '1 minute'
      from generate_series(${first}::int, ${last}::int) n`;
  }
  await sql`analyze`;
  return orgId;
}

async function benchSynthetic(connection: DatabaseConnection): Promise<void> {
  const repos = Number(values.repos);
  const days = Number(values.days);
  const perDay = Number(values.commits);
  const events = Number(values.events);
  const orgId = await time(`seed (COPY) ${repos} synthetic repositories × ${days} days × ${perDay} commits/day, ${events} code_events`, () =>
    seedSynthetic(connection, repos, days, perDay, events),
  );
  const scopes = await scopesOf(connection, orgId);
  const [sizes] = await connection.sql<{ events: number; commits: number; patches: number }[]>`
    select (select count(*) from code_events)::int as events, (select count(*) from commits)::int as commits,
           (select count(*) from commit_file_patches)::int as patches`;
  console.log(`  code_events ${sizes!.events}, commits ${sizes!.commits}, commit_file_patches ${sizes!.patches}`);
  const yesterday = localYesterday(NOW, TZ);
  const before = new Map<string, unknown>();
  const after = new Map<string, unknown>();
  // Twice each, alternating, so neither path profits alone from a warm cache.
  for (const round of [1, 2]) {
    await time(`[${round}] daily metrics, ${repos} repositories (8 at a time), whole-window replay (before ADR 032)`, () =>
      inParallel(scopes, 8, async (scope) =>
        before.set(scope.repoId, await computeRepoMetricsRange(connection.db, scope, { from: yesterday, to: yesterday }, { focusedReplay: false })),
      ),
    );
    await time(`[${round}] daily metrics, ${repos} repositories (8 at a time), focused replay (ADR 032)`, () =>
      inParallel(scopes, 8, async (scope) => after.set(scope.repoId, await computeRepoMetricsRange(connection.db, scope, { from: yesterday, to: yesterday }))),
    );
  }
  const differing = scopes.filter((scope) => JSON.stringify(before.get(scope.repoId)) !== JSON.stringify(after.get(scope.repoId)));
  console.log(`  rows identical on both paths: ${differing.length === 0 ? "yes" : `NO, ${differing.length} repositories differ`}`);
  await time(`full recompute of one synthetic repository (${days} days, ${days * perDay} commits, + survival)`, async () => {
    await computeRepoMetricsRange(connection.db, scopes[0]!, { from: addDays(yesterday, -(days - 1)), to: yesterday });
    await computeRepoSurvival(connection.db, scopes[0]!, { asOfDate: addDays(yesterday, 1) });
  });
}

const name = `sentinel_bench_${randomBytes(4).toString("hex")}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
let connection: DatabaseConnection | undefined;
try {
  await migrateDatabase(databaseUrl(name));
  connection = connectPostgres(databaseUrl(name), { applicationName: "sentinel-bench", max: 10 });
  if (Number(values.repos) > 0) await benchSynthetic(connection);
  else await benchDemo(connection);
} finally {
  await connection?.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
