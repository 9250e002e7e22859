/**
 * Metrics timings on a throwaway database of the local PostgreSQL (dropped at the end):
 *   1. the demo organisation (seeded through ingestion + analysis): yesterday's daily metrics for all its
 *      repositories, as the 02:00 fan-out runs them, and one repository's full recompute (every day + survival);
 *   2. with --repos N --days D --commits C: the generated organisation of `sentinel generate`
 *      (bench/large-organization.ts) with N equally busy repositories of C commits a repository-day
 *      on average over D days: the daily metrics for all N repositories (8 at a time), whole-window and focused
 *      replay, and the full recompute of one of them. `npm run bench` times the same jobs on the full data set.
 * Run: npm run bench:metrics [-- --demo-days 90] [-- --repos 100 --days 30 --commits 70]
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { localYesterday } from "../domain/metrics/time.ts";
import { loadOrganizationHistory, shapeOf } from "../bench/generate.ts";
import { DAILY_FAN_OUT, repositoryScopes, runDailyMetrics, runFullRecompute } from "../bench/jobs.ts";
import { describeShape } from "../bench/large-organization.ts";
import { measure } from "../bench/measure.ts";
import { connectPostgres, type DatabaseConnection } from "../infrastructure/db/client.ts";
import { migrateDatabase } from "../infrastructure/db/migrate.ts";
import { seedDemoOrganization } from "../demo/seed.ts";
import { silentLogger } from "../infrastructure/logging/logger.ts";
import { createInProcessQueue } from "../infrastructure/queue/in-process-queue.ts";

const { values } = parseArgs({
  options: {
    "demo-days": { type: "string", default: "90" },
    repos: { type: "string", default: "0" },
    days: { type: "string", default: "730" },
    commits: { type: "string", default: "70" },
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
  const { value, wallSeconds, cpuSeconds } = await measure(run);
  console.log(`${label.padEnd(72)} ${wallSeconds.toFixed(2).padStart(8)} s wall, ${cpuSeconds.toFixed(2).padStart(7)} s node CPU`);
  return value;
}

async function benchDemo(connection: DatabaseConnection): Promise<void> {
  const days = Number(values["demo-days"]);
  const seeded = await time(`seed the demo organisation (${days} days, analysis inline)`, () =>
    seedDemoOrganization({ db: connection.db, queue: createInProcessQueue(), logger: silentLogger }, { analysis: "inline", days, now: NOW }),
  );
  const scopes = await repositoryScopes(connection.db, seeded.orgId);
  const [counts] = await connection.sql<{ commits: number; patches: number }[]>`
    select (select count(*) from commits)::int as commits, (select count(*) from commit_file_patches)::int as patches`;
  console.log(`  ${scopes.length} repositories, ${counts!.commits} commits, ${counts!.patches} stored patches`);
  const yesterday = localYesterday(NOW, TZ);
  await time(`daily metrics, all ${scopes.length} demo repositories (${yesterday})`, () => runDailyMetrics(connection.db, scopes, yesterday));
  const busiest = scopes[0]!;
  await time(`full recompute of ${busiest.fullName} (${days} days + survival)`, () => runFullRecompute(connection.db, busiest, yesterday, days));
}

async function benchSynthetic(connection: DatabaseConnection): Promise<void> {
  const repos = Number(values.repos);
  const days = Number(values.days);
  const perDay = Number(values.commits);
  const shape = shapeOf({ repos, days, commitsPerRepoDay: perDay, activity: "uniform", seed: 42, until: NOW.toISOString().slice(0, 10) });
  const generated = await time(`seed (COPY) ${describeShape(shape)}`, () => loadOrganizationHistory(connection.sql, { ...shape, slug: "bench" }));
  const scopes = await repositoryScopes(connection.db, generated.orgId);
  console.log(`  ${Object.entries(generated.counts).map(([table, count]) => `${table} ${count}`).join(", ")}`);
  const yesterday = localYesterday(NOW, TZ);
  const before = new Map<string, unknown>();
  const after = new Map<string, unknown>();
  // Twice each, alternating, so neither path profits alone from a warm cache.
  for (const round of [1, 2]) {
    const whole = await time(`[${round}] daily metrics, ${repos} repositories (${DAILY_FAN_OUT} at a time), whole-window replay (before ADR 032)`, () =>
      runDailyMetrics(connection.db, scopes, yesterday, { focusedReplay: false }),
    );
    const focused = await time(`[${round}] daily metrics, ${repos} repositories (${DAILY_FAN_OUT} at a time), focused replay (ADR 032)`, () =>
      runDailyMetrics(connection.db, scopes, yesterday),
    );
    for (const [repoId, rows] of whole) before.set(repoId, rows);
    for (const [repoId, rows] of focused) after.set(repoId, rows);
  }
  const differing = scopes.filter((scope) => JSON.stringify(before.get(scope.repoId)) !== JSON.stringify(after.get(scope.repoId)));
  console.log(`  rows identical on both paths: ${differing.length === 0 ? "yes" : `NO, ${differing.length} repositories differ`}`);
  await time(`full recompute of one generated repository (${days} days + survival)`, () => runFullRecompute(connection.db, scopes[0]!, yesterday, days));
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
