/**
 * `npm run bench`: Sentinel on a large generated organisation (`sentinel generate`: 100 repositories, two years, about
 * 10 million code events), measured the way it runs. Prints a Markdown table and writes the numbers as JSON to
 * bench/results/<timestamp>.json.
 *
 *   dashboard  the production web server (`npm run start:web`, NODE_ENV=production) against the generated database,
 *              signed in as the generated organisation's owner with a session cookie signed by the server's secret:
 *              every page's loader over HTTP, one request at a time — the first (cold) request, then p50/p95 of
 *              `--requests` more — and the rendered page; the API's endpoints with a read key (bench/pages.ts lists
 *              both; a path no route of the build answers is reported "skipped: route not found"); the web
 *              process's peak memory.
 *   jobs       the scheduled jobs' code: yesterday's daily metrics for every repository (8 at a time, twice), one
 *              repository's full recompute (every day of the history, then survival), the weekly survival run.
 *   plans      every read of the dashboard's loaders EXPLAINed on the large data set: a sequential scan of
 *              code_events or code_attribution fails the run.
 *   ingest     scripts/bench-ingest.ts (webhook answers, pipeline, import) as a child process; its output is included.
 *
 * The database (default postgres://postgres@127.0.0.1:5432/sentinel_bench) is created and generated when it holds no
 * complete generation of the requested size; --reuse measures whatever generation it holds, --regenerate always
 * generates first. Generating takes tens of minutes on two cores.
 *
 * Options: --only dashboard,jobs,plans,ingest  --database-url URL  --redis-url URL  --reuse | --regenerate
 *          --repos 100 --days 730 --seed 1  --requests 200  --skip-build (serve the existing build/ as it is)
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import postgres from "postgres";
import { z } from "zod";
import { createApiKey, revokeApiKey } from "../application/access/api-keys.server.ts";
import { dashboardReads } from "../bench/dashboard-reads.ts";
import { benchPages, routeOf, type BenchTargets, type BuildRoute } from "../bench/pages.ts";
import { productionCommand } from "./harness/production-command.ts";
import { addDays } from "../domain/metrics/time.ts";
import { createSessionStorage } from "../infrastructure/auth/session.ts";
import { findCompleteGeneration, GENERATOR_VERSION, type GenerationSettings } from "../bench/generate.ts";
import { DAILY_FAN_OUT, repositoryScopes, runDailyMetrics, runFullRecompute, runWeeklySurvival } from "../bench/jobs.ts";
import { DEFAULT_SHAPE } from "../bench/large-organization.ts";
import { measure, percentile } from "../bench/measure.ts";
import { connectPostgres } from "../infrastructure/db/client.ts";
import { migrateDatabase } from "../infrastructure/db/migrate.ts";
import { createStatementRecorder, explainStatement, isRead, sequentialScans } from "../bench/query-plans.ts";
import { deleteKeys } from "../tests/support/queue.ts";

const SECTIONS = ["dashboard", "jobs", "plans", "ingest"] as const;
type Section = (typeof SECTIONS)[number];
/** The tables that grow with history: a read that scans one whole gets slower every day (issue 18 adds commits by author and pull requests). */
const BIG_TABLES = ["code_events", "code_attribution", "commits", "commit_file_patches", "pull_requests", "deployments"];
/** The issue's goals on this machine. */
const GOALS = { loaderP95Ms: 50, dailyMetricsSeconds: 5, memoryMb: 300 };

const count = (flag: string, min: number, max: number, fallback: number) =>
  z.coerce.number({ message: `${flag} must be a whole number` }).int(`${flag} must be a whole number`).min(min, `${flag} must be at least ${min}`).max(max, `${flag} must be at most ${max}`).default(fallback);

const optionsSchema = z
  .object({
    only: z
      .string()
      .default(SECTIONS.join(","))
      .transform((value) => value.split(",").map((part) => part.trim()).filter(Boolean))
      .pipe(z.array(z.enum(SECTIONS, { message: `--only takes a comma-separated list of ${SECTIONS.join(", ")}` })).min(1, "--only needs at least one section")),
    "database-url": z.string().url("--database-url must be a postgres:// URL").default("postgres://postgres@127.0.0.1:5432/sentinel_bench"),
    "redis-url": z.string().url("--redis-url must be a redis:// URL").default("redis://127.0.0.1:6379"),
    reuse: z.boolean().default(false),
    regenerate: z.boolean().default(false),
    "skip-build": z.boolean().default(false),
    repos: count("--repos", 1, 1000, DEFAULT_SHAPE.repos),
    days: count("--days", 7, 3650, DEFAULT_SHAPE.days),
    seed: count("--seed", 0, 2 ** 31 - 1, DEFAULT_SHAPE.seed),
    requests: count("--requests", 1, 10_000, 200),
  })
  .refine((options) => !(options.reuse && options.regenerate), { message: "--reuse and --regenerate exclude each other" });

function parseOptions() {
  let raw;
  try {
    raw = parseArgs({
      options: {
        only: { type: "string" },
        "database-url": { type: "string" },
        "redis-url": { type: "string" },
        reuse: { type: "boolean" },
        regenerate: { type: "boolean" },
        "skip-build": { type: "boolean" },
        repos: { type: "string" },
        days: { type: "string" },
        seed: { type: "string" },
        requests: { type: "string" },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues.map((issue) => issue.message).join("; "));
  return parsed.data;
}

function fail(message: string): never {
  process.stderr.write(`npm run bench: ${message}\n`);
  process.exit(2);
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "–");
const seconds = (value: number) => value.toFixed(2);

// ---------------------------------------------------------------------------------------------------------------
// The data set

interface DataSet extends BenchTargets {
  url: string;
  orgId: string;
  benchUserId: string;
  settings: GenerationSettings;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function runChild(command: string, args: string[], env: NodeJS.ProcessEnv, options: { captureStdout: boolean }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", options.captureStdout ? "pipe" : "inherit", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function prepareDataSet(options: ReturnType<typeof parseOptions>): Promise<DataSet> {
  const url = options["database-url"];
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(withDatabase(url, "postgres"), { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin<{ present: boolean }[]>`select exists (select 1 from pg_database where datname = ${name}) as present`;
    if (!exists!.present) {
      if (options.reuse) fail(`--reuse: database ${name} does not exist`);
      await admin.unsafe(`create database "${name.replace(/"/g, "")}"`);
    }
  } finally {
    await admin.end();
  }
  await migrateDatabase(url);
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  try {
    let generation = await findCompleteGeneration(sql, "bench");
    // A generation by an older generator lacks what newer pages read (teams, reviews, the agent mix): it does not fit.
    const fits =
      generation !== null &&
      generation.settings.repos === options.repos &&
      generation.settings.days === options.days &&
      generation.settings.seed === options.seed &&
      generation.settings.generator === GENERATOR_VERSION;
    if (options.reuse && generation === null) fail(`--reuse: ${name} holds no complete generation of "bench" (run without --reuse, or npx sentinel generate)`);
    if (options.regenerate || (!options.reuse && !fits)) {
      log(`Generating the data set into ${name} (this takes a while) …`);
      const result = await runChild(
        process.execPath,
        ["bin/sentinel.js", "generate", "--org", "bench", "--repos", String(options.repos), "--days", String(options.days), "--seed", String(options.seed)],
        { ...process.env, DATABASE_URL: url, REDIS_URL: "" },
        { captureStdout: false },
      );
      if (result.code !== 0) fail(`sentinel generate failed (exit ${result.code})`);
      generation = await findCompleteGeneration(sql, "bench");
    }
    if (!generation?.benchUserId) fail(`${name} has no bench user in the generated organisation`);
    const orgId = generation.orgId;
    const [busiest] = await sql<{ id: string; full_name: string }[]>`
      select r.id, r.full_name from repositories r
      join repo_daily_activity d on d.repo_id = r.id and d.org_id = ${orgId}
      where r.org_id = ${orgId} group by r.id, r.full_name order by sum(d.commits) desc limit 1`;
    const [event] = await sql<{ id: string }[]>`
      select id from code_events where repo_id = ${busiest!.id} and type = 'commit' order by timestamp desc limit 1`;
    const [incident] = await sql<{ id: string }[]>`
      select i.id from incidents i where i.org_id = ${orgId} and exists (select 1 from incident_commits c where c.incident_id = i.id)
      order by i.started_at desc limit 1`;
    const [pullRequest] = await sql<{ number: number }[]>`
      select number from pull_requests where repo_id = ${busiest!.id} and state = 'merged' order by merged_at desc, number desc limit 1`;
    const [alert] = await sql<{ id: string }[]>`
      select id from alerts where org_id = ${orgId} and repo_id = ${busiest!.id} order by triggered_at desc limit 1`;
    const [team] = await sql<{ id: string }[]>`
      select t.id from teams t join team_members m on m.team_id = t.id where t.org_id = ${orgId} group by t.id, t.slug order by count(*) desc, t.slug limit 1`;
    // The file page of the busiest file: the one the most commits changed (its history is the longest to read).
    const [file] = await sql<{ file_path: string }[]>`
      select file_path from code_attribution where repo_id = ${busiest!.id} group by file_path order by count(*) desc, file_path limit 1`;
    return {
      url,
      orgId,
      benchUserId: generation.benchUserId,
      settings: generation.settings,
      busiestRepoId: busiest!.id,
      busiestRepoName: busiest!.full_name,
      eventId: Number(event!.id),
      incidentId: incident!.id,
      lastDay: addDays(generation.settings.until, -1),
      pullRequestNumber: pullRequest?.number ?? null,
      teamId: team?.id ?? null,
      alertId: alert?.id ?? null,
      filePath: file?.file_path ?? null,
    };
  } finally {
    await sql.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Dashboard over HTTP

interface PageResult {
  page: string;
  path: string | null;
  kind: "page" | "api";
  /** Why it was not measured ("route not found": the page is not in this build yet), or null. */
  skipped: string | null;
  status: number;
  coldMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  documentP50Ms: number;
  documentP95Ms: number;
  /** The web process's CPU per loader request (its own work: routing, session, serialising; not PostgreSQL's). */
  serverCpuMsPerRequest: number;
  bytes: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Peak and current resident memory of a process, in MB (Linux). */
function memoryOf(pid: number): { peakMb: number; currentMb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? Number.NaN) / 1024;
    return { peakMb: field("VmHWM"), currentMb: field("VmRSS") };
  } catch {
    return null;
  }
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process has used so far, in ms (Linux): less noisy than wall time on a shared machine. */
function cpuMsOf(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return Number.NaN;
  }
}

async function timedGet(url: string, headers: Record<string, string>): Promise<{ ms: number; status: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers, redirect: "manual" });
  const body = await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status, bytes: body.byteLength };
}

async function benchDashboard(data: DataSet, options: ReturnType<typeof parseOptions>) {
  // The server serves build/: a build older than the sources would measure old loaders.
  if (!options["skip-build"] || !fs.existsSync("build/index.js")) {
    log("Building the web app (npm run build) …");
    const built = await runChild("npm", ["run", "build", "--silent"], process.env, { captureStdout: true });
    if (built.code !== 0) fail("npm run build failed");
  }
  const web = productionCommand("start:web");
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as { routes: Record<string, BuildRoute> };
  const secret = randomBytes(32).toString("hex");
  const prefix = `sentinel-bench-${randomBytes(4).toString("hex")}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The production entry point, as `npm run start:web` runs it: the compiled server of `npm run build` with its node
  // flags (ADRs 023, 024), one process, so its memory is the web process's.
  const server = spawn(process.execPath, [...web.flags, web.entry], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: data.url,
      REDIS_URL: options["redis-url"],
      REDIS_PREFIX: prefix,
      SESSION_SECRET: secret,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      // The benchmark sends a few thousand API requests a minute with one key: measured under the default 600 a
      // minute, the later endpoints answered 429 in a millisecond and their figures meant nothing.
      RATE_LIMIT_API_PER_MINUTE: "1000000",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let serverErrors = "";
  server.stderr.on("data", (chunk: Buffer) => (serverErrors += chunk.toString()));
  const results: PageResult[] = [];
  let memory: ReturnType<typeof memoryOf> = null;
  // The API's endpoints are called as an integration would: with a read key of the organisation, revoked at the end.
  const keys = connectPostgres(data.url, { applicationName: "sentinel-bench-keys", max: 1 });
  const apiKey = await createApiKey(keys.db, data.orgId, { name: "npm run bench", scope: "read", expires: "1d" }, data.benchUserId, new Date());
  if (!apiKey.ok) throw new Error(`creating the bench's API key failed: ${JSON.stringify(apiKey.fieldErrors)}`);
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the web server exited (${server.exitCode}): ${serverErrors.slice(-2000)}`);
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the web server did not answer /healthz within 180 s: ${serverErrors.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Signed in the way the server signs in: its own session cookie, signed with its secret.
    const storage = createSessionStorage({ sessionSecrets: [secret], isProduction: true });
    const session = await storage.getSession();
    session.set("userId", data.benchUserId);
    session.set("orgId", data.orgId);
    const cookie = (await storage.commitSession(session)).split(";")[0]!;

    const pages = benchPages(data);

    // The session must really sign in: the overview renders the generated organisation, not the login page.
    const check = await fetch(`${base}/dashboard`, { headers: { cookie }, redirect: "manual" });
    const html = await check.text();
    if (check.status !== 200 || !html.includes("bench (generated)")) throw new Error(`signing in failed: /dashboard answered ${check.status}`);

    for (const page of pages) {
      const pathname = page.path?.split("?")[0] ?? "";
      const skipped = page.path === null ? (page.missing ?? "nothing to show") : routeOf(build.routes, pathname) === null ? "route not found" : null;
      if (skipped !== null) {
        results.push({ page: page.page, path: page.path, kind: page.kind, skipped, status: 0, coldMs: Number.NaN, p50Ms: Number.NaN, p95Ms: Number.NaN, maxMs: Number.NaN, documentP50Ms: Number.NaN, documentP95Ms: Number.NaN, serverCpuMsPerRequest: Number.NaN, bytes: 0 });
        log(`  ${page.page.padEnd(52)} skipped: ${skipped}${page.path === null ? "" : ` (${pathname})`}`);
        continue;
      }
      const search = page.path!.split("?")[1];
      const headers: Record<string, string> = page.kind === "api" ? { authorization: `Bearer ${apiKey.key}` } : { cookie };
      // Single fetch: the loaders' data alone, as the browser asks for it on client-side navigation; the API as it is.
      const dataUrl = page.kind === "api" ? `${base}${page.path}` : `${base}${pathname === "/" ? "/_root" : pathname}.data${search ? `?${search}` : ""}`;
      const cold = await timedGet(dataUrl, headers);
      const warm: number[] = [];
      let status = cold.status;
      const cpuBefore = cpuMsOf(server.pid!);
      for (let index = 0; index < options.requests; index += 1) {
        const response = await timedGet(dataUrl, headers);
        warm.push(response.ms);
        if (response.status !== 200) status = response.status;
      }
      const serverCpuMsPerRequest = (cpuMsOf(server.pid!) - cpuBefore) / options.requests;
      // The rendered document (an API answer is its own document).
      const documents: number[] = [];
      for (let index = 0; page.kind === "page" && index < Math.min(options.requests, 50); index += 1) {
        const response = await timedGet(`${base}${page.path}`, headers);
        documents.push(response.ms);
        if (response.status !== 200) status = response.status;
      }
      const result: PageResult = {
        page: page.page,
        path: page.path,
        kind: page.kind,
        skipped: null,
        status,
        coldMs: cold.ms,
        p50Ms: percentile(warm, 50),
        p95Ms: percentile(warm, 95),
        maxMs: Math.max(...warm),
        documentP50Ms: percentile(documents, 50),
        documentP95Ms: percentile(documents, 95),
        serverCpuMsPerRequest,
        bytes: cold.bytes,
      };
      results.push(result);
      log(`  ${page.page.padEnd(52)} cold ${ms(result.coldMs).padStart(7)} ms  p50 ${ms(result.p50Ms).padStart(6)}  p95 ${ms(result.p95Ms).padStart(6)}  page p95 ${ms(result.documentP95Ms).padStart(6)}${status === 200 ? "" : `  status ${status}`}`);
    }
    memory = memoryOf(server.pid!);
  } finally {
    await revokeApiKey(keys.db, data.orgId, apiKey.id, new Date());
    await keys.close();
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("close", resolve));
    const redis = new Redis(options["redis-url"], { lazyConnect: true });
    await redis.connect();
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
  }
  return { requests: options.requests, pages: results, memory, loadAverageAtEnd: os.loadavg() };
}

// ---------------------------------------------------------------------------------------------------------------
// Jobs

async function benchJobs(data: DataSet) {
  const connection = connectPostgres(data.url, { applicationName: "sentinel-bench-jobs", max: 10 });
  try {
    const scopes = await repositoryScopes(connection.db, data.orgId);
    const busiest = scopes.find((scope) => scope.repoId === data.busiestRepoId)!;
    const day = addDays(data.settings.until, -1);
    const rows: { job: string; wallSeconds: number; cpuSeconds: number; goalSeconds: number | null }[] = [];
    const record = (job: string, timed: { wallSeconds: number; cpuSeconds: number }, goalSeconds: number | null = null) => {
      rows.push({ job, wallSeconds: timed.wallSeconds, cpuSeconds: timed.cpuSeconds, goalSeconds });
      log(`  ${job.padEnd(72)} ${seconds(timed.wallSeconds).padStart(7)} s wall ${seconds(timed.cpuSeconds).padStart(6)} s node CPU`);
    };
    for (const round of [1, 2]) {
      record(`Daily metrics (${day}), ${scopes.length} repositories, ${DAILY_FAN_OUT} at a time${round === 2 ? ", again" : ""}`, await measure(() => runDailyMetrics(connection.db, scopes, day)), GOALS.dailyMetricsSeconds);
    }
    record(`Full recompute of ${busiest.fullName} (${data.settings.days} days, then survival)`, await measure(() => runFullRecompute(connection.db, busiest, day, data.settings.days)));
    record(`Weekly survival, ${scopes.length} repositories, ${DAILY_FAN_OUT} at a time`, await measure(() => runWeeklySurvival(connection.db, scopes, data.settings.until)));
    return { day, jobs: rows, memory: memoryOf(process.pid) };
  } finally {
    await connection.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Query plans on the large data set

async function benchPlans(data: DataSet) {
  const recorder = createStatementRecorder();
  const connection = connectPostgres(data.url, { applicationName: "sentinel-bench-plans", max: 1, onQuery: recorder.record });
  try {
    const now = new Date(`${data.settings.until}T12:00:00Z`);
    const reads = dashboardReads(connection.db, { orgId: data.orgId, userId: data.benchUserId, repoId: data.busiestRepoId, eventId: data.eventId, incidentId: data.incidentId, filePath: data.filePath, now });
    const timings: { read: string; medianMs: number }[] = [];
    for (const read of reads) {
      const label = `${read.page}: ${read.label}`;
      await recorder.capture(label, read.run);
      const runs: number[] = [];
      for (let index = 0; index < 5; index += 1) runs.push((await measure(read.run)).wallSeconds * 1000);
      timings.push({ read: label, medianMs: percentile(runs, 50) });
    }
    const statements = recorder.statements.filter(isRead);
    const seen = new Set<string>();
    const offenders: { read: string; tables: string[]; query: string }[] = [];
    for (const statement of statements) {
      const key = `${statement.query}\u0000${JSON.stringify(statement.parameters)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const tables = sequentialScans(await explainStatement(connection.sql, statement)).filter((table) => BIG_TABLES.includes(table));
      if (tables.length > 0) offenders.push({ read: statement.label, tables, query: statement.query.replace(/\s+/g, " ").trim() });
    }
    return { reads: reads.length, statements: seen.size, offenders, timings };
  } finally {
    await connection.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ingest (scripts/bench-ingest.ts, another engineer's benchmark, as a child process)

async function benchIngest() {
  const tsx = ["node_modules/.bin/tsx", "scripts/bench-ingest.ts"];
  let result = await runChild(process.execPath, [...tsx, "--json"], process.env, { captureStdout: true });
  // Until it takes --json, run it as it is and keep its printed table.
  if (result.code !== 0 && /Unknown option '--json'/.test(result.stderr)) result = await runChild(process.execPath, tsx, process.env, { captureStdout: true });
  let json: unknown = null;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    // Not JSON: the text is reported as printed.
  }
  return { exitCode: result.code, json, text: json === null ? result.stdout.trim() : null };
}

// ---------------------------------------------------------------------------------------------------------------

async function postgresVersion(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ version: string }[]>`select current_setting('server_version') as version`;
    return row!.version;
  } finally {
    await sql.end();
  }
}

async function main() {
  const options = parseOptions();
  const sections = new Set<Section>(options.only);
  const started = new Date();
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", memoryGb: Math.round(os.totalmem() / 2 ** 30), loadAverageAtStart: os.loadavg(), node: process.version };
  const needsData = sections.has("dashboard") || sections.has("jobs") || sections.has("plans");
  const data = needsData ? await prepareDataSet(options) : null;
  const report: Record<string, unknown> = { startedAt: started.toISOString(), machine, options: { ...options, only: [...sections] } };
  if (data) {
    report.dataSet = { database: new URL(data.url).pathname.slice(1), postgres: await postgresVersion(data.url), ...data.settings };
  }
  const markdown: string[] = [`## Sentinel benchmark, ${started.toISOString().slice(0, 16).replace("T", " ")} UTC`, ""];
  markdown.push(`Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, load average ${machine.loadAverageAtStart.map((value) => value.toFixed(1)).join(" / ")} at start; Node ${machine.node}.`);
  if (data) {
    const counts = data.settings.counts;
    markdown.push(
      `Data set: ${data.settings.repos} repositories × ${data.settings.days} days up to ${data.settings.until} (seed ${data.settings.seed}), PostgreSQL ${(report.dataSet as { postgres: string }).postgres}: ` +
        `${counts.code_events.toLocaleString("en-US")} code_events, ${counts.code_attribution.toLocaleString("en-US")} code_attribution, ${counts.commits.toLocaleString("en-US")} commits, ` +
        `${counts.pull_requests.toLocaleString("en-US")} pull requests, ${counts.deployments.toLocaleString("en-US")} deployments, ${counts.incidents.toLocaleString("en-US")} incidents.`,
    );
  }
  markdown.push("");
  let failed = false;

  if (data && sections.has("dashboard")) {
    log(`Dashboard: ${options.requests} requests per page …`);
    const loadBefore = os.loadavg();
    const dashboard = await benchDashboard(data, options);
    report.dashboard = dashboard;
    markdown.push(`### Dashboard and API (HTTP, signed in or with a read API key, one request at a time; loader = the page's data request or the API call, ${options.requests} after the cold one; page = the rendered document)`, "");
    markdown.push("| Page | Cold (ms) | Loader p50 (ms) | Loader p95 (ms) | Web CPU / request (ms) | Page p50 (ms) | Page p95 (ms) | p95 < 50 ms |", "|---|---:|---:|---:|---:|---:|---:|:---:|");
    for (const page of dashboard.pages) {
      if (page.skipped !== null) {
        markdown.push(`| ${page.page} | skipped: ${page.skipped} | | | | | | |`);
        continue;
      }
      markdown.push(`| ${page.page}${page.status === 200 ? "" : ` (HTTP ${page.status})`} | ${ms(page.coldMs)} | ${ms(page.p50Ms)} | ${ms(page.p95Ms)} | ${ms(page.serverCpuMsPerRequest)} | ${ms(page.documentP50Ms)} | ${ms(page.documentP95Ms)} | ${page.p95Ms < GOALS.loaderP95Ms ? "yes" : "**no**"} |`);
      if (page.status !== 200) failed = true;
    }
    const skipped = dashboard.pages.filter((page) => page.skipped !== null);
    if (skipped.length > 0) markdown.push("", `Skipped: ${skipped.map((page) => `${page.page} (${page.skipped})`).join("; ")}.`);
    markdown.push("", `Load average ${loadBefore[0]!.toFixed(1)} before and ${dashboard.loadAverageAtEnd[0]!.toFixed(1)} after this section (other work on the machine inflates wall times; web CPU per request does not include PostgreSQL's time).`);
    if (dashboard.memory) markdown.push(`Web process: peak RSS ${dashboard.memory.peakMb.toFixed(0)} MB (goal < ${GOALS.memoryMb} MB).`);
    markdown.push("");
  }
  if (data && sections.has("jobs")) {
    log("Jobs …");
    const jobs = await benchJobs(data);
    report.jobs = jobs;
    markdown.push("### Jobs (the workers' code, on this process)", "", "| Job | Wall (s) | Node CPU (s) | Goal |", "|---|---:|---:|---|");
    for (const job of jobs.jobs) markdown.push(`| ${job.job} | ${seconds(job.wallSeconds)} | ${seconds(job.cpuSeconds)} | ${job.goalSeconds === null ? "" : `< ${job.goalSeconds} s: ${job.wallSeconds < job.goalSeconds ? "yes" : "**no**"}`} |`);
    if (jobs.memory) markdown.push("", `Jobs process: peak RSS ${jobs.memory.peakMb.toFixed(0)} MB (goal < ${GOALS.memoryMb} MB for a worker).`);
    markdown.push("");
  }
  if (data && sections.has("plans")) {
    log("Query plans …");
    const plans = await benchPlans(data);
    report.plans = plans;
    markdown.push("### Query plans (every read of the dashboard's loaders, EXPLAIN on this data set)", "");
    if (plans.offenders.length === 0) markdown.push(`${plans.statements} statements from ${plans.reads} reads: no sequential scan of ${BIG_TABLES.join(" or ")}.`);
    else {
      failed = true;
      markdown.push("**Sequential scans:**", "");
      for (const offender of plans.offenders) markdown.push(`- ${offender.read}: ${offender.tables.join(", ")} — \`${offender.query.slice(0, 200)}\``);
    }
    markdown.push("", "| Read (in process, median of 5) | ms |", "|---|---:|", ...plans.timings.map((timing) => `| ${timing.read} | ${ms(timing.medianMs)} |`), "");
  }
  if (sections.has("ingest")) {
    log("Ingest (scripts/bench-ingest.ts) …");
    const ingest = await benchIngest();
    report.ingest = ingest;
    markdown.push("### Ingest (scripts/bench-ingest.ts)", "");
    markdown.push("```", ingest.json === null ? (ingest.text ?? "") : JSON.stringify(ingest.json, null, 2), "```", "");
    if (ingest.exitCode !== 0) {
      failed = true;
      markdown.push(`bench-ingest exited with ${ingest.exitCode}.`, "");
    }
  }
  report.finishedAt = new Date().toISOString();
  report.loadAverageAtEnd = os.loadavg();
  fs.mkdirSync("bench/results", { recursive: true });
  const file = path.join("bench/results", `${started.toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  markdown.push(`Load average at the end: ${os.loadavg().map((value) => value.toFixed(1)).join(" / ")}. JSON: ${file}`);
  process.stdout.write(`${markdown.join("\n")}\n`);
  process.exitCode = failed ? 1 : 0;
}

await main();
