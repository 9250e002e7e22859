/**
 * `npm run chaos`: the chaos run of issue 9, on loopback only, bounded in time, cleaning up after itself.
 *
 * The same input — an installation, then a burst of signed deliveries (pushes of real corpus commits, pull requests,
 * reviews, deployments, events Sentinel ignores) — goes twice through the real web server (`start-web.ts`) and a real
 * worker process (`start-worker.ts`), each run with its own database, its own `redis-server` and its own local GitHub,
 * Slack and Resend fakes:
 *   1. clean: nothing fails;
 *   2. chaos: in turn, mid-burst — the worker is SIGKILLed and started again, Redis is restarted, every PostgreSQL
 *      connection of the run's database is terminated, the web server gets SIGTERM under load and is started again,
 *      GitHub answers 500 and then 429 for a while, the worker gets SIGTERM (it must finish its jobs and exit 0) and is
 *      started again; later, while the alerts go out, Slack accepts posts and never answers.
 * The script plays GitHub: it keeps the App's delivery log (a failed attempt is logged, never retried by itself), and
 * the hourly recovery job (jobs/recovery.ts) lists that log and asks for redeliveries, which are sent again with the
 * same X-GitHub-Delivery. Once the queues have drained it computes the daily metrics (the recompute path, then the
 * nightly job for the last day, which evaluates the alert rules) and compares both runs: every delivery recorded once,
 * every commit analysed once with the same attribution, identical repo_metrics rows, every alert delivered exactly once
 * per channel. It prints the counts and exits 1 on any difference, on any process exit it did not cause with its own
 * signal (printed with the process's last stderr lines; the supervisor restarts it so the run can still be compared),
 * on a SIGTERM answered by anything but exit 0, and on a fault that did not happen.
 *
 * Options: --deliveries N (default 10000), --quick (1,000 deliveries at 50/s, for the test), --rate N (deliveries/s
 * offered, default 250), --concurrency N (requests in flight, default 32), --repos N (default 3), --seed N (the input),
 * --timeout S (default 900): a hard watchdog over the whole run — migrations, the burst, collecting data — after which
 * it kills every process it started, removes what it created and exits 124, naming what it was doing. Debugging: --only clean|chaos runs one
 * of the two, --keep-databases leaves each run's database behind (named in the output).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import type postgres from "postgres";
import { z } from "zod";
import { addDays } from "../domain/metrics/time.ts";
import type { JobContext } from "../domain/ports.ts";
import { saveAlertSettings } from "../application/alerts/alert-settings.server.ts";
import type { DatabaseConnection } from "../infrastructure/db/client.ts";
import { repositories } from "../infrastructure/db/schema/index.ts";
import { testPrivateKey } from "../tests/fakes/github-client.ts";
import { silentLogger } from "../infrastructure/logging/logger.ts";
import { computeRepoMetricsRange, loadRepositoryScope } from "../application/metrics/repo-metrics.ts";
import { addChannel } from "../application/notifications/channel-settings.server.ts";
import type { FakeChannels } from "../tests/fakes/channels.ts";
import type { QueueRuntime } from "../infrastructure/queue/index.ts";
import { sleep } from "../tests/support/queue.ts";
import { COMPUTE_METRICS_DAILY, periodJobId } from "../jobs/metrics.ts";
import { createRecoveryJobs, RECOVER_DELIVERIES_JOB } from "../jobs/recovery.ts";
import { buildInput, sendAtRate, type HarnessInput, type SenderStats } from "./harness/deliveries.ts";
import { cleanupMark, cleanUpTo, remaining, runHarness, setPhase, until } from "./harness/lifecycle.ts";
import { parseOptionsOrExit, readArgsOrExit, wholeNumber } from "./harness/options.ts";
import { formatUnexpectedExits, type UnexpectedExit } from "./harness/processes.ts";
import { QUEUES, startStack, waitForDrain, type Stack } from "./harness/stack.ts";

const USAGE =
  "npm run chaos -- [--deliveries 10000] [--quick] [--rate 250] [--concurrency 32] [--repos 3] [--seed 9] [--timeout 900]\n" +
  "  debugging: [--only clean|chaos] (one run, no comparison) [--keep-databases] (keep each run's database)";

const values = readArgsOrExit(
  "chaos",
  {
    deliveries: { type: "string" },
    quick: { type: "boolean", default: false },
    rate: { type: "string" },
    concurrency: { type: "string" },
    repos: { type: "string" },
    seed: { type: "string" },
    timeout: { type: "string" },
    only: { type: "string" },
    "keep-databases": { type: "boolean", default: false },
  },
  USAGE,
);

const OPTIONS = parseOptionsOrExit(
  "chaos",
  z.object({
    deliveries: wholeNumber(1_000_000).default(values.quick ? 1_000 : 10_000),
    rate: wholeNumber(100_000).default(values.quick ? 50 : 250),
    concurrency: wholeNumber(1_000).default(32),
    repos: wholeNumber(50).default(3),
    seed: wholeNumber(2 ** 31).default(9),
    timeout: wholeNumber(24 * 3600).default(900),
    only: z.enum(["clean", "chaos"], { message: "must be clean or chaos" }).optional(),
  }),
  values,
  USAGE,
);
const DELIVERIES = OPTIONS.deliveries;
const RATE = OPTIONS.rate;
const CONCURRENCY = OPTIONS.concurrency;
const REPOS = OPTIONS.repos;
const SEED = OPTIONS.seed;

const ROOT = path.resolve(import.meta.dirname, "..");
const POSTGRES_URL = process.env.CHAOS_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SECRET = "chaos-webhook-secret";
const APP_ID = 12345;
const SLACK_CHANNEL = "C0CHAOS0001";
const EMAIL_TO = "oncall@example.com";
const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------------------------
// One run.

interface RunReport {
  name: string;
  timeline: string[];
  sender: SenderStats;
  burstSeconds: number;
  answered2xxNotRecorded: number;
  recoveryRounds: number;
  redeliveryRequests: number;
  deliveries: { recorded: number; expected: number; byStatus: Record<string, number>; missing: number };
  codeEvents: Record<string, number>;
  commits: { recorded: number; analyzed: number; skipped: number; pending: number; failed: number; digest: string; bySha: Map<string, string> };
  attribution: { rows: number; distinct: number; digest: string };
  pullRequests: string;
  deployments: string;
  metrics: { rows: number; byKey: Map<string, string> };
  alerts: { list: string[]; slackPostsPerAlert: number[]; emailsPerAlert: number[]; deliveriesByStatus: Record<string, number> };
  failedJobs: Record<string, number>;
  faults: Record<string, number>;
  /** Unexpected process exits (restarted by the supervisor), with their cause and last stderr lines. */
  crashes: UnexpectedExit[];
  /** Exit codes of the web and worker at the run's final SIGTERM. */
  finalExitCodes: string;
  seconds: number;
}

type RunName = "clean" | "chaos";
/** Prints a line of the run's timeline (seconds since its start) and keeps it for the report. */
type Note = (message: string) => void;
/** What the faults did, by name (killed, restarted, requests failed, shutdown times): the report's `faults`. */
type FaultLog = Record<string, number>;

/** One run, whose databases, processes and fakes are all removed when it ends. */
async function runScenario(name: RunName, input: HarnessInput, privateKey: string): Promise<RunReport> {
  const mark = cleanupMark();
  try {
    return await runScenarioIn(name, input, privateKey);
  } finally {
    await cleanUpTo(mark);
  }
}

/** The run's steps in order: start the stack, set up alerting, the burst with the faults, recovery, drain, metrics and alerts, collect. */
async function runScenarioIn(name: RunName, input: HarnessInput, privateKey: string): Promise<RunReport> {
  const started = performance.now();
  const timeline: string[] = [];
  const note: Note = (message) => {
    const line = `  t+${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${message}`;
    timeline.push(line);
    console.log(`[${name}]${line}`);
  };
  const faults: FaultLog = {};
  const stack = await startStack({
    harness: "chaos",
    run: name,
    input,
    postgresUrl: POSTGRES_URL,
    secret: SECRET,
    appId: APP_ID,
    privateKey,
    concurrency: CONCURRENCY,
    keepDatabase: values["keep-databases"],
    note,
  });
  await configureAlerting(stack);
  const burstSeconds = await sendBurstWithFaults(name, input, stack, faults, note);
  const { recoveryRounds, redeliveryRequests } = await recoverFailedDeliveries(name, stack, note);
  setPhase(`${name} run: waiting for the queues to drain`);
  await waitForDrain(stack);
  note("queues drained");
  await computeMetricsAndDeliverAlerts(name, input, stack, faults, note);

  setPhase(`${name} run: collecting what was recorded`);
  const { web, worker, side } = stack;
  const report = await collect(name, input, stack.database, stack.runtime, stack.channels, side.answered2xx);
  setPhase(`${name} run: stopping the web server and the worker (SIGTERM)`);
  const [webExit, workerExit] = await Promise.all([web.stop("SIGTERM"), worker.stop("SIGTERM")]);
  note(`stopped: web exited ${webExit}, worker ${workerExit} (web started ${web.starts} times, worker ${worker.starts} times)`);
  return {
    ...report,
    timeline,
    sender: { ...side.stats },
    burstSeconds,
    recoveryRounds,
    redeliveryRequests,
    faults,
    crashes: stack.unexpectedExits(),
    finalExitCodes: `${webExit} / ${workerExit}`,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The organisation gets a Slack channel, an email channel and alert rules sensitive enough to fire on this history. */
async function configureAlerting({ database, orgId }: Stack): Promise<void> {
  for (const channel of [
    { kind: "slack", name: "#chaos-alerts", target: SLACK_CHANNEL },
    { kind: "email", name: "On-call", addresses: EMAIL_TO },
  ]) {
    const added = await addChannel(database.db, orgId, channel, { secretKey: undefined });
    if (!added.ok) throw new Error(`adding the ${channel.kind} channel failed: ${JSON.stringify(added.fieldErrors)}`);
  }
  const saved = await saveAlertSettings(database.db, orgId, {
    ai_code_critical: { thresholdPercent: 0, minLines: 1, windowDays: 90 },
    ai_share_spike: { increasePoints: 0, minLines: 1 },
    ai_tax_high: { thresholdPercent: 0, humanRatio: 1, windowDays: 90 },
  });
  if (!saved.ok) throw new Error(`saving alert settings failed: ${JSON.stringify(saved.fieldErrors)}`);
}

/** A fault injected at its share of the burst (`at`, 0–1). */
interface ScheduledFault {
  at: number;
  name: string;
  run: () => Promise<void>;
}

/**
 * The chaos run's faults, in the order they start, and the promises of what heals them (a process starting again),
 * which run on while the next fault starts; the clean run has none.
 */
function faultSchedule(name: RunName, stack: Stack, faults: FaultLog, note: Note): { schedule: ScheduledFault[]; healing: Promise<void>[] } {
  const healing: Promise<void>[] = [];
  if (name === "clean") return { schedule: [], healing };
  const { admin, dbName, fake, web, worker } = stack;
  /** The worker started again after its SIGKILL: the SIGTERM fault waits for it, to stop a worker that is working. */
  let workerBack: Promise<void> = Promise.resolve();
  const heal = (healed: Promise<void>) => {
    healed.catch(() => undefined); // awaited after the burst; not an unhandled rejection meanwhile
    healing.push(healed);
  };
  const schedule: ScheduledFault[] = [
    {
      at: 0.1,
      name: "worker SIGKILL",
      run: async () => {
        const pid = worker.child.pid;
        await worker.stop("SIGKILL");
        faults.workerKilled = 1;
        note(`SIGKILL worker (pid ${pid}); starting another`);
        heal(
          (workerBack = (async () => {
            await sleep(1_000);
            await worker.start();
            note("worker restarted");
          })()),
        );
      },
    },
    {
      at: 0.25,
      name: "Redis restart",
      run: async () => {
        note("Redis: shutdown (SIGTERM)");
        await stack.restartRedis(1_500);
        faults.redisRestarted = 1;
        note("Redis back (append-only file reloaded)");
      },
    },
    {
      at: 0.4,
      name: "PostgreSQL connections dropped",
      run: async () => {
        const rows = await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
        await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
        faults.postgresBackendsTerminated = rows.length;
        note(`pg_terminate_backend on ${rows.length} connections of ${dbName}`);
      },
    },
    {
      at: 0.55,
      name: "web SIGTERM",
      run: async () => {
        const pid = web.child.pid;
        const stopping = performance.now();
        const exit = await web.stop("SIGTERM");
        faults.webRestarted = exit === 0 ? 1 : 0;
        faults.webShutdownMs = Math.round(performance.now() - stopping);
        note(`web SIGTERM (pid ${pid}) → exited ${exit} after ${faults.webShutdownMs} ms; starting another`);
        heal((async () => {
          await web.start();
          note("web restarted");
        })());
      },
    },
    {
      at: 0.7,
      name: "GitHub 500 then 429",
      run: async () => {
        const now = Date.now();
        const before = fake.requests.length;
        fake.fail({ path: /^\/repos\//, times: Number.POSITIVE_INFINITY, until: now + 4_000, status: 500, body: { message: "Server Error" } });
        fake.fail({ path: /^\/repos\//, times: Number.POSITIVE_INFINITY, until: now + 8_000, status: 429, headers: { "retry-after": "2" }, body: { message: "API rate limit exceeded" } });
        note("GitHub answers 500 for 4 s, then 429 (retry-after 2) for 4 s");
        heal((async () => {
          await sleep(8_000);
          faults.githubFailures = fake.requests.slice(before).filter((request) => request.path.startsWith("/repos/")).length;
          note(`GitHub healthy again (${faults.githubFailures} requests to /repos/ in the window)`);
        })());
      },
    },
    {
      at: 0.85,
      name: "worker SIGTERM",
      run: async () => {
        // Graceful shutdown under load: the worker stops taking jobs, finishes its active ones and exits 0;
        // what it had not started stays queued for the next worker. It must be one that is up and working: a
        // worker still starting (migrating, connecting) has no handler yet and dies of the signal.
        await workerBack;
        const pid = worker.child.pid;
        const stopping = performance.now();
        const exit = await worker.stop("SIGTERM");
        faults.workerTerminated = exit === 0 ? 1 : 0;
        faults.workerShutdownMs = Math.round(performance.now() - stopping);
        note(`worker SIGTERM (pid ${pid}) → exited ${exit} after ${faults.workerShutdownMs} ms; starting another`);
        heal((async () => {
          await worker.start();
          note("worker restarted");
        })());
      },
    },
  ];
  return { schedule, healing };
}

/**
 * Sends the burst at the configured rate. Faults start in turn, each at its share of the burst and not before the
 * previous one was injected; returns once every fault ran and healed, with the burst's duration in seconds.
 */
async function sendBurstWithFaults(name: RunName, input: HarnessInput, stack: Stack, faults: FaultLog, note: Note): Promise<number> {
  const { side } = stack;
  const { schedule, healing } = faultSchedule(name, stack, faults, note);
  let faultChain: Promise<void> = Promise.resolve();
  let nextFault = 0;
  note(`burst: ${input.burst.length.toLocaleString("en-US")} deliveries at up to ${RATE}/s, ${CONCURRENCY} in flight`);
  setPhase(`${name} run: the burst`);
  const { seconds: burstSeconds } = await sendAtRate(side, input.burst, {
    rate: RATE,
    concurrency: CONCURRENCY,
    onProgress: (sent) => {
      while (nextFault < schedule.length && sent >= schedule[nextFault]!.at * input.burst.length) {
        const fault = schedule[nextFault++]!;
        faultChain = faultChain.then(() => {
          setPhase(`${name} run: the burst, fault "${fault.name}"`);
          return fault.run();
        });
      }
    },
  });
  note(`burst sent in ${burstSeconds.toFixed(1)} s: ${side.stats.answered2xx} answered 2xx, ${side.stats.refused} refused, ${side.stats.connectionFailures} connection failures`);
  await faultChain;
  await Promise.all(healing);
  return burstSeconds;
}

/**
 * Runs the recovery job until it redelivers nothing (at most five rounds): GitHub's delivery log → redeliveries, and
 * recorded deliveries that lost their job.
 */
async function recoverFailedDeliveries(
  name: RunName,
  { database, runtime, github, side }: Stack,
  note: Note,
): Promise<{ recoveryRounds: number; redeliveryRequests: number }> {
  setPhase(`${name} run: recovery (redeliveries)`);
  const recovery = createRecoveryJobs({
    db: database.db,
    queue: runtime.queue,
    logger: silentLogger,
    github,
    // Run as the hourly schedule would, after the five minutes it leaves in-flight deliveries alone.
    now: () => new Date(Date.now() + 6 * MINUTE),
  })[RECOVER_DELIVERIES_JOB];
  const context: JobContext = { id: "chaos-recovery", name: RECOVER_DELIVERIES_JOB, queue: "scheduled-jobs", data: {}, attemptsMade: 0, updateProgress: async () => {} };
  let recoveryRounds = 0;
  let redeliveryRequests = 0;
  for (;;) {
    remaining("recovering failed deliveries");
    recoveryRounds += 1;
    const result = (await recovery.run({}, context)) as { requeued: { deliveries: number; commits: number }; redelivery: { redelivered: string[]; listed: number } };
    redeliveryRequests += result.redelivery.redelivered.length;
    await side.settled();
    note(
      `recovery run ${recoveryRounds}: listed ${result.redelivery.listed} attempts, redelivered ${result.redelivery.redelivered.length}, ` +
        `re-queued ${result.requeued.deliveries} deliveries and ${result.requeued.commits} commits`,
    );
    if (result.redelivery.redelivered.length === 0 || recoveryRounds >= 5) break;
  }
  return { recoveryRounds, redeliveryRequests };
}

/**
 * Daily metrics and alerts: the recompute path for all days but the last, then the nightly job for the last day (it
 * evaluates the alert rules); in the chaos run Slack accepts posts and never answers meanwhile. Returns once every
 * alert is delivered.
 */
async function computeMetricsAndDeliverAlerts(name: RunName, input: HarnessInput, stack: Stack, faults: FaultLog, note: Note): Promise<void> {
  const { database, runtime, channels, alive } = stack;
  setPhase(`${name} run: daily metrics and alerts`);
  const repoRows = await database.db
    .select({ id: repositories.id, fullName: repositories.fullName })
    .from(repositories)
    .where(eq(repositories.orgId, stack.orgId));
  for (const repo of repoRows) {
    const scope = await loadRepositoryScope(database.db, repo.id);
    await computeRepoMetricsRange(database.db, scope!, { from: input.days.from, to: addDays(input.days.to, -1) });
  }
  let slackHang: Promise<void> = Promise.resolve();
  if (name === "chaos") {
    channels.outage("slack.postMessage", { kind: "accept-then-hang" });
    note("Slack: posts accepted, never answered, for 15 s");
    slackHang = sleep(15_000).then(() => {
      channels.clear("slack.postMessage");
      faults.slackHung = channels.requests.filter((request) => request.status === "hung").length;
      note(`Slack answers again (${faults.slackHung} posts hung)`);
    });
  }
  for (const repo of repoRows) {
    await runtime.queue.enqueue("scheduled-jobs", COMPUTE_METRICS_DAILY, { repoId: repo.id, period: input.days.to }, { jobId: periodJobId(COMPUTE_METRICS_DAILY, repo.id, input.days.to) });
  }
  await slackHang;
  await until("the alerts to be delivered", async () => {
    alive();
    const [row] = await database.sql<{ metrics: number; undelivered: number }[]>`
      select (select count(*)::int from repo_metrics where date = ${input.days.to}) as metrics,
             (select count(*)::int from alert_deliveries where status = 'pending') as undelivered`;
    if (row!.metrics < repoRows.length || row!.undelivered > 0) return false;
    for (const queue of ["scheduled-jobs", "notifications"] as const) {
      const counts = await runtime.queue.counts(queue);
      if (counts.waiting + counts.active > 0 || (queue === "notifications" && counts.delayed > 0)) return false;
    }
    return true;
  }, { intervalMs: 500 });
  note("daily metrics computed, alerts delivered");
}

type Collected = Omit<RunReport, "timeline" | "sender" | "burstSeconds" | "recoveryRounds" | "redeliveryRequests" | "faults" | "crashes" | "finalExitCodes" | "seconds">;

async function collect(
  name: string,
  input: HarnessInput,
  database: DatabaseConnection,
  runtime: QueueRuntime,
  channels: FakeChannels,
  answered2xx: Set<string>,
): Promise<Collected> {
  const sqlClient = database.sql;
  const expectedIds = [input.install.deliveryId, ...input.burst.map((delivery) => delivery.deliveryId)];
  const recordedRows = await sqlClient<{ delivery_id: string; status: string }[]>`select delivery_id, status from webhook_deliveries`;
  const recorded = new Set(recordedRows.map((row) => row.delivery_id));
  const byStatus: Record<string, number> = {};
  for (const row of recordedRows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  const missing = expectedIds.filter((id) => !recorded.has(id)).length;
  const answered2xxNotRecorded = [...answered2xx].filter((id) => !recorded.has(id)).length;

  const codeEvents: Record<string, number> = {};
  for (const row of await sqlClient<{ type: string; n: number }[]>`select type, count(*)::int as n from code_events group by type order by type`) codeEvents[row.type] = row.n;

  const digest = async (query: postgres.PendingQuery<{ digest: string | null }[]>) => ((await query)[0]?.digest ?? "∅").slice(0, 12);
  const [commitCounts] = await sqlClient<{ recorded: number; analyzed: number; skipped: number; pending: number; failed: number }[]>`
    select count(*)::int as recorded,
           count(*) filter (where analysis_status = 'analyzed')::int as analyzed,
           count(*) filter (where analysis_status = 'skipped')::int as skipped,
           count(*) filter (where analysis_status = 'pending')::int as pending,
           count(*) filter (where analysis_status = 'failed')::int as failed
    from commits`;
  const commitDigest = await digest(sqlClient`
    select md5(string_agg(concat_ws('|', r.full_name, c.sha, c.analysis_status, round(c.ai_confidence::numeric, 6), c.lines_added, c.lines_deleted, c.pr_number), E'\n' order by r.full_name, c.sha)) as digest
    from commits c join repositories r on r.id = c.repo_id`);
  const bySha = new Map<string, string>();
  for (const row of await sqlClient<{ sha: string; line: string }[]>`
    select c.sha, concat_ws(' ', c.analysis_status, round(c.ai_confidence::numeric, 4), 'pr', c.pr_number, 'branch', c.branch,
                            (select string_agg(s->>'id', ',') from jsonb_array_elements(c.signals) s)) as line
    from commits c`) {
    bySha.set(row.sha, row.line);
  }
  const [attribution] = await sqlClient<{ rows: number; distinct: number }[]>`
    select count(*)::int as rows, count(distinct (repo_id, commit_sha, file_path))::int as distinct from code_attribution`;
  const attributionDigest = await digest(sqlClient`
    select md5(string_agg(concat_ws('|', r.full_name, a.commit_sha, a.file_path, round(a.ai_confidence::numeric, 6), a.risk_tier, a.lines_added, a.lines_deleted, a.counts_toward_share), E'\n'
                          order by r.full_name, a.commit_sha, a.file_path)) as digest
    from code_attribution a join repositories r on r.id = a.repo_id`);
  const pullRequests = await digest(sqlClient`
    select md5(string_agg(concat_ws('|', r.full_name, p.number, p.state, p.head_sha, p.opened_at, p.first_review_at, p.merged_at, p.closed_at, p.ai_markers::text), E'\n' order by r.full_name, p.number)) as digest
    from pull_requests p join repositories r on r.id = p.repo_id`);
  const deployments = await digest(sqlClient`
    select md5(string_agg(concat_ws('|', r.full_name, d.github_id, d.status, d.is_production, d.created_at, d.finished_at), E'\n' order by r.full_name, d.github_id)) as digest
    from deployments d join repositories r on r.id = d.repo_id`);

  const metricRows = await sqlClient<Record<string, unknown>[]>`
    select r.full_name, m.* from repo_metrics m join repositories r on r.id = m.repo_id order by r.full_name, m.date`;
  const byKey = new Map<string, string>();
  for (const row of metricRows) {
    const { full_name: fullName, date, id: _id, org_id: _org, repo_id: _repo, computed_at: _computed, ...metrics } = row;
    byKey.set(`${String(fullName)} ${String(date)}`, JSON.stringify(metrics));
  }

  const alertRows = await sqlClient<{ id: string; full_name: string | null; rule: string }[]>`
    select a.id, r.full_name, a.rule from alerts a left join repositories r on r.id = a.repo_id order by r.full_name, a.rule`;
  const deliveriesByStatus: Record<string, number> = {};
  for (const row of await sqlClient<{ kind: string; status: string; n: number }[]>`
    select c.kind, d.status, count(*)::int as n from alert_deliveries d join notification_channels c on c.id = d.channel_id group by c.kind, d.status`) {
    deliveriesByStatus[`${row.kind} ${row.status}`] = row.n;
  }
  const slackPostsPerAlert = alertRows.map(
    (alert) => channels.slack.posts.filter((post) => post.channel === SLACK_CHANNEL && post.metadata?.event_payload?.alert_id === alert.id).length,
  );
  const emailsPerAlert = alertRows.map((alert) => channels.resend.emails.filter((email) => email.idempotencyKey?.includes(alert.id)).length);

  const failedJobs: Record<string, number> = {};
  for (const queue of QUEUES) failedJobs[queue] = (await runtime.queue.counts(queue)).failed;

  return {
    name,
    answered2xxNotRecorded,
    deliveries: { recorded: recordedRows.length, expected: expectedIds.length, byStatus, missing },
    codeEvents,
    commits: { ...commitCounts!, digest: commitDigest, bySha },
    attribution: { rows: attribution!.rows, distinct: attribution!.distinct, digest: attributionDigest },
    pullRequests,
    deployments,
    metrics: { rows: metricRows.length, byKey },
    alerts: { list: alertRows.map((row) => `${row.full_name ?? "-"} ${row.rule}`), slackPostsPerAlert, emailsPerAlert, deliveriesByStatus },
    failedJobs,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison

interface Check {
  label: string;
  clean: string;
  chaos: string;
  ok: boolean;
}

function compare(input: HarnessInput, clean: RunReport, chaos: RunReport): Check[] {
  const checks: Check[] = [];
  const row = (label: string, pick: (run: RunReport) => string | number, ok: (a: string, b: string) => boolean = (a, b) => a === b) => {
    const a = String(pick(clean));
    const b = String(pick(chaos));
    checks.push({ label, clean: a, chaos: b, ok: ok(a, b) });
  };
  const info = (label: string, pick: (run: RunReport) => string | number) => {
    checks.push({ label, clean: String(pick(clean)), chaos: String(pick(chaos)), ok: true });
  };
  const expected = input.burst.length + 1;
  info("GitHub: delivery attempts", (run) => run.sender.attempts);
  info("  answered 2xx", (run) => run.sender.answered2xx);
  info("  refused (503, …) / no answer", (run) => `${run.sender.refused} / ${run.sender.connectionFailures}`);
  info("  redeliveries asked by recovery", (run) => run.redeliveryRequests);
  row("answered 2xx but not recorded", (run) => run.answered2xxNotRecorded, (a, b) => a === "0" && b === "0");
  row(`deliveries recorded (of ${expected})`, (run) => run.deliveries.recorded, (a, b) => a === String(expected) && b === String(expected));
  row("deliveries missing", (run) => run.deliveries.missing, (a, b) => a === "0" && b === "0");
  row("deliveries processed / ignored", (run) => `${run.deliveries.byStatus.processed ?? 0} / ${run.deliveries.byStatus.ignored ?? 0}`);
  row("deliveries queued / failed", (run) => `${run.deliveries.byStatus.queued ?? 0} / ${run.deliveries.byStatus.failed ?? 0}`, (a, b) => a === "0 / 0" && b === "0 / 0");
  row("code events", (run) => Object.entries(run.codeEvents).map(([type, n]) => `${type} ${n}`).join(", "));
  row(`commits recorded (of ${input.pushedCommits})`, (run) => run.commits.recorded, (a, b) => a === String(input.pushedCommits) && b === a);
  row("commits analysed / skipped", (run) => `${run.commits.analyzed} / ${run.commits.skipped}`);
  row("commits pending / failed", (run) => `${run.commits.pending} / ${run.commits.failed}`, (a, b) => a === "0 / 0" && b === "0 / 0");
  row("commits digest", (run) => run.commits.digest);
  row("attribution rows", (run) => run.attribution.rows);
  row("attribution duplicates", (run) => run.attribution.rows - run.attribution.distinct, (a, b) => a === "0" && b === "0");
  row("attribution digest", (run) => run.attribution.digest);
  row("pull requests digest", (run) => run.pullRequests);
  row("deployments digest", (run) => run.deployments);
  const differing = [...new Set([...clean.metrics.byKey.keys(), ...chaos.metrics.byKey.keys()])].filter((key) => clean.metrics.byKey.get(key) !== chaos.metrics.byKey.get(key));
  row("repo_metrics rows", (run) => run.metrics.rows, (a, b) => a === b && Number(a) > 0);
  checks.push({ label: "repo_metrics rows that differ", clean: "-", chaos: String(differing.length), ok: differing.length === 0 });
  row("alerts (repository × rule)", (run) => run.alerts.list.length, (a, b) => a === b && Number(a) > 0);
  row("alerts, the same ones", (run) => createHash("sha1").update(run.alerts.list.join("\n")).digest("hex").slice(0, 12));
  const perAlert = (counts: number[]) => (counts.length === 0 ? "-" : `${Math.min(...counts)}–${Math.max(...counts)}`);
  row("Slack posts per alert", (run) => perAlert(run.alerts.slackPostsPerAlert), (a, b) => a === "1–1" && b === "1–1");
  row("emails per alert", (run) => perAlert(run.alerts.emailsPerAlert), (a, b) => a === "1–1" && b === "1–1");
  row("alert deliveries", (run) => Object.entries(run.alerts.deliveriesByStatus).sort().map(([key, n]) => `${key} ${n}`).join(", "));
  // A process that exits without the script's signal is a failure even when nothing was lost (listed below the table).
  row("unexpected process exits", (run) => run.crashes.length, (a, b) => a === "0" && b === "0");
  row("web / worker exit codes at the final SIGTERM", (run) => run.finalExitCodes, (a, b) => a === "0 / 0" && b === "0 / 0");
  info("jobs failed for good", (run) => Object.entries(run.failedJobs).filter(([, n]) => n > 0).map(([queue, n]) => `${queue} ${n}`).join(", ") || "0");
  const commitsDiffering = [...clean.commits.bySha.keys()].filter((sha) => clean.commits.bySha.get(sha) !== chaos.commits.bySha.get(sha));
  for (const sha of commitsDiffering.slice(0, 5)) {
    console.log(`commit ${sha}\n  clean: ${clean.commits.bySha.get(sha)}\n  chaos: ${chaos.commits.bySha.get(sha) ?? "(none)"}`);
  }
  if (differing.length > 0) {
    for (const key of differing.slice(0, 5)) {
      console.log(`repo_metrics ${key}\n  clean: ${clean.metrics.byKey.get(key) ?? "(none)"}\n  chaos: ${chaos.metrics.byKey.get(key) ?? "(none)"}`);
    }
  }
  return checks;
}

function faultChecks(chaos: RunReport): Check[] {
  const took = (label: string, value: number | undefined) => ({ label, clean: "-", chaos: String(value ?? 0), ok: (value ?? 0) > 0 });
  return [
    took("fault: worker SIGKILLed and restarted", chaos.faults.workerKilled),
    took("fault: Redis restarted", chaos.faults.redisRestarted),
    took("fault: PostgreSQL connections terminated", chaos.faults.postgresBackendsTerminated),
    took("fault: web SIGTERM, exit 0, restarted", chaos.faults.webRestarted),
    took("fault: worker SIGTERM, exit 0, restarted", chaos.faults.workerTerminated),
    took("fault: GitHub requests during 500/429", chaos.faults.githubFailures),
    took("fault: Slack posts hung", chaos.faults.slackHung),
  ];
}

function printTable(checks: Check[]): void {
  const width = Math.max(...checks.map((check) => check.label.length));
  const column = (values: string[]) => Math.max(5, ...values.map((value) => value.length));
  const cleanWidth = column(checks.map((check) => check.clean));
  const chaosWidth = column(checks.map((check) => check.chaos));
  console.log(`\n${"".padEnd(width)}  ${"clean".padStart(cleanWidth)}  ${"chaos".padStart(chaosWidth)}`);
  for (const check of checks) {
    const mark = check.ok ? "" : "✗ DIFFERENCE";
    console.log(`${check.label.padEnd(width)}  ${check.clean.padStart(cleanWidth)}  ${check.chaos.padStart(chaosWidth)}  ${mark}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!existsSync(path.join(ROOT, "build/index.js"))) {
    console.log("building the web app first (npm run build)…");
    execFileSync(process.execPath, [path.join(ROOT, "node_modules/.bin/remix"), "build"], { cwd: ROOT, stdio: "ignore" });
  }
  const now = new Date();
  const input = buildInput(now, { deliveries: DELIVERIES, repos: REPOS, seed: SEED, secret: SECRET });
  const privateKey = testPrivateKey();
  console.log(
    `Sentinel chaos run — ${now.toISOString()}, node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((value) => value.toFixed(1)).join(" ")}, loopback only\n` +
      `input: ${input.burst.length.toLocaleString("en-US")} deliveries (+1 installation) to ${input.repos.length} repositories, ${input.pushedCommits.toLocaleString("en-US")} commits pushed, ` +
      `days ${input.days.from} … ${input.days.to} (${input.timeZone})`,
  );
  if (OPTIONS.only) {
    const run = await runScenario(OPTIONS.only, input, privateKey);
    console.log(JSON.stringify({ ...run, metrics: { rows: run.metrics.rows } }, null, 2));
    if (run.crashes.length > 0) console.log(formatUnexpectedExits(run.name, run.crashes));
    return run.crashes.length === 0 ? 0 : 1;
  }
  const clean = await runScenario("clean", input, privateKey);
  const chaos = await runScenario("chaos", input, privateKey);
  const checks = [...compare(input, clean, chaos), ...faultChecks(chaos)];
  printTable(checks);
  for (const run of [clean, chaos]) {
    if (run.crashes.length > 0) console.log(`\n${formatUnexpectedExits(run.name, run.crashes)}`);
  }
  console.log(`\nclean run ${clean.seconds.toFixed(0)} s (burst ${clean.burstSeconds.toFixed(1)} s), chaos run ${chaos.seconds.toFixed(0)} s (burst ${chaos.burstSeconds.toFixed(1)} s)`);
  const failed = checks.filter((check) => !check.ok);
  if (failed.length > 0) {
    console.log(`\n✗ ${failed.length} difference${failed.length === 1 ? "" : "s"}: ${failed.map((check) => check.label).join("; ")}`);
    return 1;
  }
  console.log("\n✓ all checks passed: nothing lost, nothing done twice");
  return 0;
}

await runHarness({ label: "chaos", timeoutSeconds: OPTIONS.timeout }, main);
