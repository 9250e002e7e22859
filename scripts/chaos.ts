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
 *      GitHub answers 500 and then 429 for a while; later, while the alerts go out, Slack accepts posts and never answers.
 * The script plays GitHub: it keeps the App's delivery log (a failed attempt is logged, never retried by itself), and
 * the hourly recovery job (jobs/recovery.ts) lists that log and asks for redeliveries, which are sent again with the
 * same X-GitHub-Delivery. Once the queues have drained it computes the daily metrics (the recompute path, then the
 * nightly job for the last day, which evaluates the alert rules) and compares both runs: every delivery recorded once,
 * every commit analysed once with the same attribution, identical repo_metrics rows, every alert delivered exactly once
 * per channel. It prints the counts and exits 1 on any difference.
 *
 * Options: --deliveries N (default 10000), --quick (1,000 deliveries at 50/s, for the test), --rate N (deliveries/s
 * offered, default 250), --concurrency N (requests in flight, default 32), --repos N (default 3), --seed N (the input),
 * --timeout S (default 900: the run gives up, cleans up and fails after that). Debugging: --only clean|chaos runs one
 * of the two, --keep-databases leaves each run's database behind (named in the output).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { z } from "zod";
import { addDays, localClock } from "../domain/metrics/time.ts";
import type { JobContext, QueueName } from "../domain/ports.ts";
import { saveAlertSettings } from "../infrastructure/alerts/alert-settings.ts";
import { connectPostgres, type DatabaseConnection } from "../infrastructure/db/client.ts";
import { migrateDatabase } from "../infrastructure/db/migrate.ts";
import { organizations, repositories } from "../infrastructure/db/schema/index.ts";
import { loadCorpusCommits, type GitHubCommitRecord } from "../infrastructure/github/corpus-fixture.ts";
import { startFakeGitHub, type FakeGitHub } from "../infrastructure/github/fake-github.ts";
import { createGitHubApi } from "../infrastructure/github/github-api.ts";
import { testPrivateKey } from "../infrastructure/github/test-github.ts";
import {
  deploymentPayload,
  deploymentStatusPayload,
  installationPayload,
  pullRequestPayload,
  pullRequestReviewPayload,
  pushPayload,
  signDelivery,
  type FixtureAccount,
  type FixtureRepository,
} from "../infrastructure/github/webhook-fixtures.ts";
import { silentLogger } from "../infrastructure/logging/logger.ts";
import { computeRepoMetricsRange, loadRepositoryScope } from "../infrastructure/metrics/repo-metrics.ts";
import { addChannel } from "../infrastructure/notify/channel-settings.ts";
import { startFakeChannels, type FakeChannels } from "../infrastructure/notify/fake-channels.ts";
import { createQueueRuntime, type QueueRuntime } from "../infrastructure/queue/index.ts";
import { freePort, sleep, startThrowawayRedis, type ThrowawayRedis } from "../infrastructure/queue/test-support.ts";
import { COMPUTE_METRICS_DAILY, periodJobId } from "../jobs/metrics.ts";
import { createRecoveryJobs, RECOVER_DELIVERIES_JOB } from "../jobs/recovery.ts";

const USAGE =
  "npm run chaos -- [--deliveries 10000] [--quick] [--rate 250] [--concurrency 32] [--repos 3] [--seed 9] [--timeout 900]\n" +
  "  debugging: [--only clean|chaos] (one run, no comparison) [--keep-databases] (keep each run's database)";

const { values } = parseArgs({
  options: {
    deliveries: { type: "string" },
    quick: { type: "boolean", default: false },
    rate: { type: "string" },
    concurrency: { type: "string" },
    repos: { type: "string" },
    seed: { type: "string" },
    timeout: { type: "string" },
    only: { type: "string" },
    "keep-databases": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const count = (max: number) => z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(max, `must be at most ${max}`);
const parsedOptions = z
  .object({
    deliveries: count(1_000_000).default(values.quick ? 1_000 : 10_000),
    rate: count(100_000).default(values.quick ? 50 : 250),
    concurrency: count(1_000).default(32),
    repos: count(50).default(3),
    seed: count(2 ** 31).default(9),
    timeout: count(24 * 3600).default(900),
    only: z.enum(["clean", "chaos"], { message: "must be clean or chaos" }).optional(),
  })
  .safeParse(values);
if (!parsedOptions.success) {
  for (const issue of parsedOptions.error.issues) console.error(`chaos: --${issue.path.join(".")} ${issue.message}`);
  console.error(USAGE);
  process.exit(2);
}
const OPTIONS = parsedOptions.data;
const DELIVERIES = OPTIONS.deliveries;
const RATE = OPTIONS.rate;
const CONCURRENCY = OPTIONS.concurrency;
const REPOS = OPTIONS.repos;
const SEED = OPTIONS.seed;
const DEADLINE = Date.now() + OPTIONS.timeout * 1000;

const ROOT = path.resolve(import.meta.dirname, "..");
const POSTGRES_URL = process.env.CHAOS_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SECRET = "chaos-webhook-secret";
const APP_ID = 12345;
const SLACK_CHANNEL = "C0CHAOS0001";
const EMAIL_TO = "oncall@example.com";

// ---------------------------------------------------------------------------------------------------------------
// Everything the run creates is registered here and removed at the end, on failure and on Ctrl-C too.

const cleanups: Array<{ what: string; run: () => Promise<void> | void }> = [];
function onCleanup(what: string, run: () => Promise<void> | void): void {
  cleanups.push({ what, run });
}
/** True while a cleanup runs: processes that exit then were stopped on purpose. */
let tearingDown = false;

/** Undoes, newest first, everything registered since `mark` (a length of the list). */
async function cleanUpTo(mark: number): Promise<void> {
  tearingDown = true;
  for (const { what, run } of cleanups.splice(mark).reverse()) {
    try {
      await run();
    } catch (error) {
      console.error(`chaos: cleaning up ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  tearingDown = false;
}
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= cleanUpTo(0);
  return cleaning;
}
// Ctrl-C reaches this process more than once (from the terminal and relayed by npm/tsx): clean up on the first,
// ignore the rest rather than die halfway through the cleanup.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (cleaning) return;
    console.error(`\nchaos: ${signal}, cleaning up…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

function remaining(what: string): number {
  const left = DEADLINE - Date.now();
  if (left <= 0) throw new Error(`out of time (--timeout) while ${what}`);
  return left;
}

/** Thrown by a probe when waiting longer cannot help (a process died). */
class FatalError extends Error {
  override name = "FatalError";
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Math.min(DEADLINE, Date.now() + (options.timeoutMs ?? remaining(what)));
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error instanceof FatalError) throw error;
      // A probe may hit a connection the chaos just killed: try again.
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : ""}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The input: one installation and a burst of deliveries, built once and sent to both runs.

interface ChaosDelivery {
  deliveryId: string;
  event: string;
  action: string | null;
  body: string;
  headers: Record<string, string>;
  repositoryId: number | null;
}

interface ChaosInput {
  owner: FixtureAccount;
  installationId: number;
  repos: FixtureRepository[];
  install: ChaosDelivery;
  burst: ChaosDelivery[];
  /** Every commit GitHub knows (the fake serves them), some never pushed when the burst is cut. */
  commits: GitHubCommitRecord[];
  /** Commits pushed as distinct in the burst: what must end up analysed. */
  pushedCommits: number;
  /** Local days (in the organisation's zone) the history covers. */
  days: { from: string; to: string };
  timeZone: string;
}

/** mulberry32: a small seeded generator, so the same seed builds the same input. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const MINUTE = 60_000;
/** Commits of a repository are this far apart, so the velocity signal (≤ 15 min) never depends on arrival order. */
const COMMIT_SPACING_MS = 17 * MINUTE;
const AGENT_PR_BODY = "Implements the change.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)";

/**
 * A zone whose local time is now between 00:00 and 00:59, so none of the hourly ticks (daily metrics at 02:00 local,
 * catch-up after it, review queue 09–18, survival on Sunday 03:00) falls due for the organisation during the run: the
 * only metrics and alerts are the ones this script asks for, the same in both runs.
 */
function quietTimeZone(now: Date): string {
  for (let offset = -12; offset <= 14; offset += 1) {
    // Etc/GMT-N is UTC+N (POSIX signs).
    const zone = offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
    if (localClock(now, zone).hour === 0) return zone;
  }
  throw new Error("no time zone is at midnight now");
}

function buildInput(now: Date): ChaosInput {
  const random = seededRandom(SEED);
  const corpus = loadCorpusCommits();
  const owner: FixtureAccount = { id: 90_900, login: "chaos-org" };
  const installationId = 90_901;
  const repos: FixtureRepository[] = Array.from({ length: REPOS }, (_, index) => ({
    id: 90_910 + index,
    full_name: `chaos-org/service-${index + 1}`,
    default_branch: "main",
  }));
  const reviewer: FixtureAccount = { id: 90_950, login: "chaos-reviewer", type: "User" };
  const sign = (event: string, payload: object): ChaosDelivery => {
    const signed = signDelivery(SECRET, event, payload, randomUUID());
    const fields = payload as { action?: string; repository?: { id: number } };
    return { deliveryId: signed.deliveryId, event, action: fields.action ?? null, body: signed.body, headers: signed.headers, repositoryId: fields.repository?.id ?? null };
  };
  const install = sign("installation", installationPayload("created", installationId, owner, repos));

  // About 7.5 deliveries per pull request and at most 2 commits each: enough episodes for the burst, cut at DELIVERIES.
  const episodesPerRepo = Math.ceil(DELIVERIES / 7 / REPOS) + 1;
  const commitsPerRepo = episodesPerRepo * 2;
  const historyStart = now.getTime() - 2 * 86_400_000 - commitsPerRepo * COMMIT_SPACING_MS;
  const commits: GitHubCommitRecord[] = [];
  const episodes: ChaosDelivery[][][] = repos.map(() => []);
  const distinctCommitsOf = new Map<ChaosDelivery, number>();

  repos.forEach((repo, repoIndex) => {
    const history: GitHubCommitRecord[] = [];
    for (let index = 0; index < commitsPerRepo; index += 1) {
      const source = corpus[(repoIndex * 997 + index) % corpus.length]!;
      const date = iso(historyStart + index * COMMIT_SPACING_MS);
      const sha = sha1(`chaos-${SEED}-${repo.id}-${index}`);
      history.push({
        ...source,
        sha,
        parents: [{ sha: index === 0 ? sha1(`chaos-${SEED}-${repo.id}-root`) : history[index - 1]!.sha }],
        commit: { ...source.commit, author: { ...source.commit.author, date }, committer: { ...source.commit.committer, date } },
      });
    }
    commits.push(...history);
    let next = 0;
    let mainHead = history[0]!.parents[0]!.sha;
    for (let number = 1; next < history.length; number += 1) {
      const size = Math.min(history.length - next, random() < 0.5 ? 1 : 2);
      const group = history.slice(next, next + size);
      next += size;
      const last = Date.parse(group.at(-1)!.commit.author.date);
      const branch = `feature/${number}`;
      const head = group.at(-1)!.sha;
      const at = (minutes: number) => iso(last + minutes * MINUTE);
      // Three in ten pull requests carry an agent's marker in their body, which every PR delivery repeats.
      const agentWritten = random() < 0.3;
      const common = { installationId, owner, repo, number, headRef: branch, headSha: head, createdAt: at(2), ...(agentWritten ? { body: AGENT_PR_BODY } : {}) };
      const mergeSha = sha1(`chaos-${SEED}-${repo.id}-merge-${number}`);
      const episode: ChaosDelivery[] = [];
      const featurePush = sign("push", pushPayload({ installationId, owner, repo, records: group, branch }));
      distinctCommitsOf.set(featurePush, group.length);
      episode.push(featurePush);
      episode.push(sign("pull_request", pullRequestPayload({ ...common, action: "opened", updatedAt: at(2) })));
      episode.push(
        sign("check_run", {
          action: "completed",
          check_run: { id: repo.id * 100_000 + number, head_sha: head, status: "completed", conclusion: "success" },
          repository: { id: repo.id, full_name: repo.full_name },
          installation: { id: installationId },
        }),
      );
      episode.push(sign("pull_request_review", pullRequestReviewPayload({ ...common, reviewId: repo.id * 100_000 + number, reviewer, submittedAt: at(5) })));
      episode.push(
        sign("pull_request", pullRequestPayload({ ...common, action: "closed", merged: true, updatedAt: at(8), mergeCommitSha: mergeSha })),
      );
      // The merge reaches main: GitHub lists the branch's commits again, as not distinct (already recorded).
      const mainPush = pushPayload({ installationId, owner, repo, records: group, branch: "main", before: mainHead });
      mainPush.commits = mainPush.commits.map((commit) => ({ ...commit, distinct: false }));
      mainPush.after = mergeSha;
      mainHead = mergeSha;
      episode.push(sign("push", mainPush));
      if (number % 2 === 0) {
        // Deployments of the merge commit: production, so they count in the DORA metrics. Its sha is not a recorded
        // commit, so `high_risk_deployed` finds no files and the alerts do not depend on analysis timing.
        const deployment = { installationId, owner, repo, deploymentId: repo.id * 100_000 + number, sha: mergeSha, createdAt: at(9) };
        const status = (offset: number, state: "in_progress" | "success" | "failure", minutes: number) =>
          sign("deployment_status", deploymentStatusPayload({ ...deployment, statusId: deployment.deploymentId * 10 + offset, state, at: at(minutes) }));
        episode.push(sign("deployment", deploymentPayload(deployment)));
        episode.push(status(1, "in_progress", 10));
        episode.push(status(2, random() < 0.15 ? "failure" : "success", 12));
      }
      episodes[repoIndex]!.push(episode);
    }
  });

  // Repositories take turns, episode by episode: a plausible interleaving of three busy repositories.
  const burst: ChaosDelivery[] = [];
  for (let index = 0; burst.length < DELIVERIES; index += 1) {
    let added = false;
    for (const repoEpisodes of episodes) {
      const episode = repoEpisodes[index];
      if (!episode) continue;
      added = true;
      burst.push(...episode);
    }
    if (!added) throw new Error("input generator: not enough episodes for --deliveries");
  }
  burst.length = DELIVERIES;
  const pushedCommits = burst.reduce((total, delivery) => total + (distinctCommitsOf.get(delivery) ?? 0), 0);

  const timeZone = quietTimeZone(now);
  const lastCommit = Math.max(...commits.map((record) => Date.parse(record.commit.author.date)));
  return {
    owner,
    installationId,
    repos,
    install,
    burst,
    commits,
    pushedCommits,
    days: { from: localClock(new Date(historyStart), timeZone).date, to: localClock(new Date(lastCommit + 60 * MINUTE), timeZone).date },
    timeZone,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub's side: sends deliveries, keeps the App's delivery log, redelivers when asked.

interface SenderStats {
  attempts: number;
  answered2xx: number;
  refused: number;
  connectionFailures: number;
  redeliveries: number;
}

function createGitHubSide(fake: FakeGitHub, port: () => number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const byId = new Map<string, ChaosDelivery>();
  const answered2xx = new Set<string>();
  const stats: SenderStats = { attempts: 0, answered2xx: 0, refused: 0, connectionFailures: 0, redeliveries: 0 };
  const pending = new Set<Promise<void>>();

  function post(delivery: ChaosDelivery): Promise<number> {
    return new Promise((resolve) => {
      const request = http.request(
        {
          host: "127.0.0.1",
          port: port(),
          path: "/api/webhooks/github",
          method: "POST",
          agent,
          headers: { ...delivery.headers, "content-length": String(Buffer.byteLength(delivery.body)) },
          // GitHub waits 10 s for an answer.
          timeout: 10_000,
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
          response.on("error", () => resolve(0));
        },
      );
      request.on("timeout", () => request.destroy(new Error("timed out")));
      request.on("error", () => resolve(0));
      request.end(delivery.body);
    });
  }

  async function deliver(delivery: ChaosDelivery, redelivery: boolean): Promise<number> {
    byId.set(delivery.deliveryId, delivery);
    const status = await post(delivery);
    stats.attempts += 1;
    if (redelivery) stats.redeliveries += 1;
    if (status >= 200 && status < 300) {
      stats.answered2xx += 1;
      answered2xx.add(delivery.deliveryId);
    } else if (status === 0) stats.connectionFailures += 1;
    else stats.refused += 1;
    fake.recordHookDelivery({
      guid: delivery.deliveryId,
      redelivery,
      status_code: status,
      ...(status === 0 ? { status: "failed to connect to host" } : {}),
      event: delivery.event,
      action: delivery.action,
      installation_id: 90_901,
      repository_id: delivery.repositoryId,
    });
    return status;
  }

  fake.onRedeliver = (logged) => {
    const delivery = byId.get(logged.guid);
    if (!delivery) return;
    const sending = deliver(delivery, true).then(() => undefined);
    pending.add(sending);
    void sending.finally(() => pending.delete(sending));
  };

  return {
    stats,
    answered2xx,
    deliver,
    /** Redeliveries asked for and still in flight. */
    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close() {
      agent.destroy();
    },
  };
}

/** Sends `deliveries` at `rate` per second with at most CONCURRENCY in flight; `onProgress` sees each one sent. */
async function sendBurst(side: ReturnType<typeof createGitHubSide>, deliveries: ChaosDelivery[], onProgress: (sent: number) => void): Promise<number> {
  const started = performance.now();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const running = new Set<Promise<unknown>>();
  for (let index = 0; index < deliveries.length; index += 1) {
    const due = started + (index / RATE) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    while (inFlight >= CONCURRENCY) await new Promise<void>((resolve) => (wake = resolve));
    inFlight += 1;
    const sending = side.deliver(deliveries[index]!, false).finally(() => {
      inFlight -= 1;
      running.delete(sending);
      wake?.();
      wake = undefined;
    });
    running.add(sending);
    onProgress(index + 1);
  }
  await Promise.all([...running]);
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------------------------
// Processes: the run's web server and worker, under a supervisor that restarts a process that exits unexpectedly,
// as the production setup's `restart: unless-stopped` (docker-compose.yml) or a process manager does. Each such exit
// is counted and reported: it is a finding even when nothing is lost.

interface SentinelProcess {
  child: ChildProcess;
  exited: Promise<void>;
}

function startSentinelProcess(name: string, entry: string, env: NodeJS.ProcessEnv, logPath: string): SentinelProcess {
  const log = openSync(logPath, "a");
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "infrastructure/runtime", entry)], { cwd: ROOT, env, stdio: ["ignore", log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  onCleanup(`${name} (pid ${child.pid})`, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  return { child, exited };
}

function logTail(logPath: string, lines = 15): string {
  try {
    return readFileSync(logPath, "utf8").trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** The last fatal line of a log (pino level 60, or a Node stack), for the report of an unexpected exit. */
function crashCause(logPath: string): string {
  const lines = logTail(logPath, 60).split("\n");
  const fatal = lines.findLast((line) => line.includes('"level":60'));
  if (fatal) {
    try {
      const entry = JSON.parse(fatal) as { msg?: string; err?: { message?: string } };
      return entry.err?.message ?? entry.msg ?? fatal;
    } catch {
      return fatal;
    }
  }
  return lines.find((line) => /^\w*Error\b/.test(line.trim())) ?? lines.at(-1) ?? "?";
}

const MAX_UNEXPECTED_EXITS = 5;

interface Supervised {
  name: string;
  readonly child: ChildProcess;
  /** Starts the process and waits until it (or the one the supervisor restarted in its place) is ready. */
  start(): Promise<void>;
  /** Sends `signal` and waits for the exit, which is expected (no restart). */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Unexpected exits, each followed by a restart. */
  crashes: string[];
  /** Rejects when the process cannot be kept running (it keeps exiting). */
  failure: Promise<never>;
  starts: number;
}

function supervise(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logPath: string,
  waitReady: (what: string) => Promise<void>,
  note: (message: string) => void,
): Supervised {
  let current: SentinelProcess | undefined;
  let expecting = false;
  let fail!: (error: Error) => void;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => undefined);

  function spawnOne(): void {
    supervised.starts += 1;
    const started = startSentinelProcess(name, entry, env, logPath);
    current = started;
    void started.exited.then(() => {
      // The cleanup kills whatever runs then: not a crash to restart.
      if (expecting || tearingDown || current !== started) return;
      const cause = crashCause(logPath);
      supervised.crashes.push(cause);
      note(`${name} (pid ${started.child.pid}) exited unexpectedly (${started.child.exitCode ?? started.child.signalCode}): ${cause}; restarting it`);
      if (supervised.crashes.length > MAX_UNEXPECTED_EXITS) {
        fail(new FatalError(`the ${name} process exited unexpectedly ${supervised.crashes.length} times:\n${logTail(logPath)}`));
        return;
      }
      setTimeout(() => {
        if (!expecting && !tearingDown) spawnOne();
      }, 1_000);
    });
  }

  const supervised: Supervised = {
    name,
    crashes: [],
    failure,
    starts: 0,
    get child() {
      return current!.child;
    },
    async start() {
      expecting = false;
      spawnOne();
      await Promise.race([waitReady(`the ${name} to start`), failure]);
    },
    async stop(signal) {
      if (!current) return;
      expecting = true;
      current.child.kill(signal);
      await current.exited;
    },
  };
  return supervised;
}

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
  /** Unexpected process exits (restarted by the supervisor), with their cause. */
  crashes: string[];
  seconds: number;
}

/** One run, whose databases, processes and fakes are all removed when it ends. */
async function runScenario(name: "clean" | "chaos", input: ChaosInput, privateKey: string): Promise<RunReport> {
  const mark = cleanups.length;
  try {
    return await runScenarioIn(name, input, privateKey);
  } finally {
    await cleanUpTo(mark);
  }
}

async function runScenarioIn(name: "clean" | "chaos", input: ChaosInput, privateKey: string): Promise<RunReport> {
  const started = performance.now();
  const timeline: string[] = [];
  const note = (message: string) => {
    const line = `  t+${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${message}`;
    timeline.push(line);
    console.log(`[${name}]${line}`);
  };
  const faults: Record<string, number> = {};
  const suffix = randomBytes(4).toString("hex");
  const dbName = `sentinel_chaos_${suffix}_${name}`;
  const prefix = `sentinel-chaos-${suffix}`;
  const dir = mkdtempSync(path.join(tmpdir(), `sentinel-chaos-${name}-`));
  onCleanup(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));

  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  onCleanup("admin connection", () => admin.end({ timeout: 5 }));
  await admin.unsafe(`create database ${dbName}`);
  onCleanup(`database ${dbName}`, async () => {
    if (values["keep-databases"]) console.log(`[${name}] kept database ${dbName}`);
    else await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  });
  const databaseUrl = (() => {
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${dbName}`;
    return url.toString();
  })();
  await migrateDatabase(databaseUrl);

  // Redis of the run's own, with an append-only file: a restart keeps the queues, as a production Redis does.
  const redisDir = path.join(dir, "redis");
  mkdirSync(redisDir);
  let redis: ThrowawayRedis = await startThrowawayRedis({ appendOnlyDir: redisDir, maxmemoryPolicy: "noeviction" });
  const redisPort = redis.port;
  onCleanup(`redis-server on ${redisPort}`, () => redis.stop());

  const fake = await startFakeGitHub();
  onCleanup("GitHub fake", () => fake.close());
  fake.addCommits(input.commits);
  const channels: FakeChannels = await startFakeChannels();
  onCleanup("Slack/Resend fakes", () => channels.close());

  const webPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    HOST: "127.0.0.1",
    PORT: String(webPort),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_APP_ID: String(APP_ID),
    GITHUB_APP_PRIVATE_KEY: privateKey,
    GITHUB_API_URL: fake.url,
    GITHUB_BACKFILL_DAYS: "0",
    SLACK_API_URL: channels.slackApiUrl,
    SLACK_BOT_TOKEN: "xoxb-chaos-token",
    RESEND_BASE_URL: channels.resendBaseUrl,
    RESEND_API_KEY: "re_chaos_key",
    ALERT_EMAIL_FROM: "Sentinel <alerts@example.com>",
  };
  // The web's access log at info is 10,000 lines of no interest; warnings and 5xx are kept.
  const webEnv = { ...env, LOG_LEVEL: "warn" };
  const webLog = path.join(dir, "web.log");
  const workerLog = path.join(dir, "worker.log");

  const web = supervise(
    "web",
    "start-web.ts",
    webEnv,
    webLog,
    (what) =>
      until(what, async () => {
        const response = await fetch(`http://127.0.0.1:${webPort}/healthz`).catch(() => null);
        return response?.status === 200;
      }, { timeoutMs: 60_000, intervalMs: 100 }).then(() => undefined),
    note,
  );
  const readyLines = () => (existsSync(workerLog) ? readFileSync(workerLog, "utf8").split("Sentinel worker is running").length : 1);
  let workerReadyLines = 1;
  const worker = supervise(
    "worker",
    "start-worker.ts",
    env,
    workerLog,
    // A new "is running" line in the log: this start, or the restart that replaced it.
    async (what) => {
      const before = workerReadyLines;
      await until(what, async () => readyLines() > before, { timeoutMs: 60_000, intervalMs: 100 });
      workerReadyLines = readyLines();
    },
    note,
  );
  let supervisionFailure: Error | undefined;
  for (const supervised of [web, worker]) supervised.failure.catch((error: Error) => (supervisionFailure = error));
  /** Inside waits: fail at once when a process could not be kept running. */
  const alive = () => {
    if (supervisionFailure) throw new FatalError(supervisionFailure.message);
  };
  await Promise.all([web.start(), worker.start()]);
  note(`web (port ${webPort}) and worker up; database ${dbName}, redis-server on ${redisPort}`);

  // The script's own view: database checks, the queue for the metrics jobs and the recovery job's run.
  const database: DatabaseConnection = connectPostgres(databaseUrl, { applicationName: "sentinel-chaos", max: 4 });
  onCleanup("script database pool", () => database.close());
  const runtime: QueueRuntime = createQueueRuntime({ redisUrl: redis.url, prefix, logger: silentLogger });
  onCleanup("script queue connection", () => runtime.close());
  await runtime.assertReady();
  const github = createGitHubApi({ appId: APP_ID, privateKey, baseUrl: fake.url });
  const side = createGitHubSide(fake, () => webPort);
  onCleanup("sender sockets", () => side.close());

  // The installation first: it creates the organisation and its repositories, which then get a Slack channel, an
  // email channel and alert rules sensitive enough to fire on this history.
  await side.deliver(input.install, false);
  const org = await until("the installation to be processed", async () => {
    const [row] = await database.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.githubAccountId, input.owner.id));
    return row;
  }, { timeoutMs: 30_000 });
  await database.db.update(organizations).set({ timezone: input.timeZone }).where(eq(organizations.id, org.id));
  for (const channel of [
    { kind: "slack", name: "#chaos-alerts", target: SLACK_CHANNEL },
    { kind: "email", name: "On-call", addresses: EMAIL_TO },
  ]) {
    const added = await addChannel(database.db, org.id, channel, { secretKey: undefined });
    if (!added.ok) throw new Error(`adding the ${channel.kind} channel failed: ${JSON.stringify(added.fieldErrors)}`);
  }
  const saved = await saveAlertSettings(database.db, org.id, {
    ai_code_critical: { thresholdPercent: 0, minLines: 1, windowDays: 90 },
    ai_share_spike: { increasePoints: 0, minLines: 1 },
    ai_tax_high: { thresholdPercent: 0, humanRatio: 1, windowDays: 90 },
  });
  if (!saved.ok) throw new Error(`saving alert settings failed: ${JSON.stringify(saved.fieldErrors)}`);

  // ---- the burst, with the faults in turn
  // Faults start in turn, each at its share of the burst and not before the previous one was injected; what heals
  // them (a process starting again) runs on while the next one starts.
  let faultChain: Promise<void> = Promise.resolve();
  const healing: Promise<void>[] = [];
  const heal = (run: () => Promise<void>) => {
    const healed = run();
    healed.catch(() => undefined); // awaited after the burst; not an unhandled rejection meanwhile
    healing.push(healed);
  };
  const schedule: Array<{ at: number; name: string; run: () => Promise<void> }> =
    name === "clean"
      ? []
      : [
          {
            at: 0.1,
            name: "worker SIGKILL",
            run: async () => {
              const pid = worker.child.pid;
              await worker.stop("SIGKILL");
              faults.workerKilled = 1;
              note(`SIGKILL worker (pid ${pid}); starting another`);
              heal(async () => {
                  await sleep(1_000);
                  await worker.start();
                  note("worker restarted");
              });
            },
          },
          {
            at: 0.25,
            name: "Redis restart",
            run: async () => {
              note("Redis: shutdown (SIGTERM)");
              await redis.stop("SIGTERM");
              await sleep(1_500);
              redis = await startThrowawayRedis({ port: redisPort, appendOnlyDir: redisDir, maxmemoryPolicy: "noeviction" });
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
              await web.stop("SIGTERM");
              faults.webRestarted = web.child.exitCode === 0 ? 1 : 0;
              faults.webShutdownMs = Math.round(performance.now() - stopping);
              note(`web SIGTERM (pid ${pid}) → exited ${web.child.exitCode} after ${faults.webShutdownMs} ms; starting another`);
              heal(async () => {
                  await web.start();
                  note("web restarted");
              });
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
              heal(async () => {
                  await sleep(8_000);
                  faults.githubFailures = fake.requests.slice(before).filter((request) => request.path.startsWith("/repos/")).length;
                  note(`GitHub healthy again (${faults.githubFailures} requests to /repos/ in the window)`);
              });
            },
          },
        ];
  let nextFault = 0;
  note(`burst: ${input.burst.length.toLocaleString("en-US")} deliveries at up to ${RATE}/s, ${CONCURRENCY} in flight`);
  const burstSeconds = await sendBurst(side, input.burst, (sent) => {
    while (nextFault < schedule.length && sent >= schedule[nextFault]!.at * input.burst.length) {
      const fault = schedule[nextFault++]!;
      faultChain = faultChain.then(fault.run);
    }
  });
  note(`burst sent in ${burstSeconds.toFixed(1)} s: ${side.stats.answered2xx} answered 2xx, ${side.stats.refused} refused, ${side.stats.connectionFailures} connection failures`);
  await faultChain;
  await Promise.all(healing);

  // ---- recovery: GitHub's delivery log → redeliveries, and recorded deliveries that lost their job
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

  // ---- drain
  const queues: QueueName[] = ["webhooks", "analysis", "scheduled-jobs", "notifications"];
  const drained = async () => {
    alive();
    const [row] = await database.sql<{ queued: number; pending: number }[]>`
      select (select count(*)::int from webhook_deliveries where status = 'queued') as queued,
             (select count(*)::int from commits where analysis_status = 'pending') as pending`;
    if (row!.queued > 0 || row!.pending > 0) return false;
    for (const queue of queues) {
      const counts = await runtime.queue.counts(queue);
      // The job schedulers keep one delayed job each for their next tick.
      if (counts.waiting + counts.active > 0 || (queue !== "scheduled-jobs" && counts.delayed > 0)) return false;
    }
    return true;
  };
  // Twice, a second apart: a job finishing between two reads may just have queued the next one.
  await until("the queues to drain", async () => {
    if (!(await drained())) return false;
    await sleep(1_000);
    return drained();
  }, { intervalMs: 500 }).catch(async (error: unknown) => {
    throw new Error(`${(error as Error).message}\n${await describeState(database, runtime)}\nworker log:\n${logTail(workerLog)}\nweb log:\n${logTail(webLog)}`);
  });
  note("queues drained");

  // ---- metrics and alerts: the recompute path for all days but the last, then the nightly job for the last day
  const repoRows = await database.db
    .select({ id: repositories.id, fullName: repositories.fullName })
    .from(repositories)
    .where(eq(repositories.orgId, org.id));
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

  const report = await collect(name, input, database, runtime, channels, side.answered2xx);
  await Promise.all([web.stop("SIGTERM"), worker.stop("SIGTERM")]);
  note(`stopped (web started ${web.starts} times, worker ${worker.starts} times)`);
  return {
    ...report,
    timeline,
    sender: { ...side.stats },
    burstSeconds,
    recoveryRounds,
    redeliveryRequests,
    faults,
    crashes: [...web.crashes.map((cause) => `web: ${cause}`), ...worker.crashes.map((cause) => `worker: ${cause}`)],
    seconds: (performance.now() - started) / 1000,
  };
}

/** What is still unfinished, for the message of a run that does not drain in time. */
async function describeState(database: DatabaseConnection, runtime: QueueRuntime): Promise<string> {
  const lines: string[] = [];
  try {
    const rows = await database.sql<{ what: string; n: number }[]>`
      select 'deliveries ' || status as what, count(*)::int as n from webhook_deliveries group by status
      union all select 'commits ' || analysis_status, count(*)::int from commits group by analysis_status
      union all select 'alert deliveries ' || status, count(*)::int from alert_deliveries group by status`;
    lines.push(rows.map((row) => `${row.what}: ${row.n}`).join(", "));
    for (const queue of ["webhooks", "analysis", "scheduled-jobs", "notifications"] as const) {
      lines.push(`queue ${queue}: ${JSON.stringify(await runtime.queue.counts(queue))}`);
      const failed = await runtime.queue.listFailed(queue, { offset: 0, limit: 3 });
      for (const job of failed) lines.push(`  failed ${job.name} ${job.id}: ${job.failedReason}`);
    }
  } catch (error) {
    lines.push(`(state unreadable: ${error instanceof Error ? error.message : String(error)})`);
  }
  return lines.join("\n");
}

type Collected = Omit<RunReport, "timeline" | "sender" | "burstSeconds" | "recoveryRounds" | "redeliveryRequests" | "faults" | "crashes" | "seconds">;

async function collect(
  name: string,
  input: ChaosInput,
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
  for (const queue of ["webhooks", "analysis", "scheduled-jobs", "notifications"] as const) failedJobs[queue] = (await runtime.queue.counts(queue)).failed;

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
  /** Not a difference in what was recorded, but worth a look (printed with "!"). */
  warn?: boolean;
}

function compare(input: ChaosInput, clean: RunReport, chaos: RunReport): Check[] {
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
  checks.push({
    label: "unexpected process exits (restarted)",
    clean: String(clean.crashes.length),
    chaos: String(chaos.crashes.length),
    ok: true,
    warn: clean.crashes.length + chaos.crashes.length > 0,
  });
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
    const mark = !check.ok ? "✗ DIFFERENCE" : check.warn ? "! see below" : "";
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
  const input = buildInput(now);
  const privateKey = testPrivateKey();
  console.log(
    `Sentinel chaos run — ${now.toISOString()}, node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((value) => value.toFixed(1)).join(" ")}, loopback only\n` +
      `input: ${input.burst.length.toLocaleString("en-US")} deliveries (+1 installation) to ${input.repos.length} repositories, ${input.pushedCommits.toLocaleString("en-US")} commits pushed, ` +
      `days ${input.days.from} … ${input.days.to} (${input.timeZone})`,
  );
  if (OPTIONS.only) {
    const run = await runScenario(OPTIONS.only, input, privateKey);
    console.log(JSON.stringify({ ...run, metrics: { rows: run.metrics.rows } }, null, 2));
    return 0;
  }
  const clean = await runScenario("clean", input, privateKey);
  const chaos = await runScenario("chaos", input, privateKey);
  const checks = [...compare(input, clean, chaos), ...faultChecks(chaos)];
  printTable(checks);
  for (const run of [clean, chaos]) {
    for (const crash of run.crashes) console.log(`! ${run.name} run: ${crash}`);
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

process.on("unhandledRejection", (error) => {
  console.error(`chaos: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  void cleanUp().finally(() => process.exit(1));
});

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  code = 1;
} finally {
  await cleanUp();
}
process.exit(code);
