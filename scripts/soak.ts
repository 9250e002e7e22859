/**
 * `npm run soak`: a steady stream of signed deliveries through the real web server and worker processes for a while,
 * watching for what a short burst cannot show — memory that keeps growing, answers that get slower, queues that fall
 * behind, deliveries lost. On loopback only, bounded in time, removing everything it created (also on Ctrl-C).
 *
 * The deployment is the chaos run's (scripts/harness/): a database, a `redis-server` and GitHub/Slack/Resend fakes of
 * its own, `start-web.ts` and `start-worker.ts` under the supervisor, the same generated deliveries (pushes of corpus
 * commits, pull requests, reviews, check runs, deployments). Every --interval seconds it samples the web and worker
 * RSS, the p50/p99 of the webhook answers in that interval, the queue depths and the deliveries recorded against those
 * sent. When the time is up it waits for the queues to drain, prints the samples as a Markdown table and a verdict.
 *
 * It exits 1 when (each rule is printed with its numbers):
 *   - a delivery got no 2xx answer, or one answered 2xx is not recorded, or a recorded one is not `processed`/`ignored`;
 *   - a pushed commit is not recorded, not analysed, or analysed twice (a duplicate attribution row, a second event);
 *   - the queues do not drain within --drain-timeout seconds after the last delivery;
 *   - memory keeps growing: for the web or the worker, the median RSS of the last third of the samples taken while
 *     sending is more than --max-growth MB above the median of the middle third (the first third is warm-up: tsx
 *     compiling, pools filling, V8 sizing its heap);
 *   - answers get slow: the p99 of all the answers in the last third of the run is above --max-p99 ms;
 *   - a process exited without the soak's own signal, or did not exit 0 on the final SIGTERM.
 *
 * Options: --rate N (deliveries/s, default 50), --minutes N (default 10), --interval S (default 10), --repos N (3),
 * --concurrency N (requests in flight, 16), --seed N, --max-growth MB (40), --max-p99 MS (500), --drain-timeout S (180),
 * --timeout S (default: the minutes plus 10 minutes; a hard watchdog, exit 124), --keep-database.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { z } from "zod";
import { testPrivateKey } from "../tests/fakes/github-client.ts";
import { sleep } from "../tests/support/queue.ts";
import { buildInput, sendAtRate, type SignedDelivery } from "./harness/deliveries.ts";
import { runHarness, setPhase } from "./harness/lifecycle.ts";
import { parseOptionsOrExit, readArgsOrExit, wholeNumber } from "./harness/options.ts";
import { formatUnexpectedExits } from "./harness/processes.ts";
import { startStack, waitForDrain, type Stack } from "./harness/stack.ts";

const USAGE =
  "npm run soak -- [--rate 50] [--minutes 10] [--interval 10] [--repos 3] [--concurrency 16] [--seed 7]\n" +
  "  [--max-growth 40] [--max-p99 500] [--drain-timeout 180] [--timeout S] [--keep-database]";

const values = readArgsOrExit(
  "soak",
  {
    rate: { type: "string" },
    minutes: { type: "string" },
    interval: { type: "string" },
    repos: { type: "string" },
    concurrency: { type: "string" },
    seed: { type: "string" },
    "max-growth": { type: "string" },
    "max-p99": { type: "string" },
    "drain-timeout": { type: "string" },
    timeout: { type: "string" },
    "keep-database": { type: "boolean", default: false },
  },
  USAGE,
);
const OPTIONS = parseOptionsOrExit(
  "soak",
  z.object({
    rate: wholeNumber(2_000).default(50),
    minutes: wholeNumber(24 * 60).default(10),
    interval: wholeNumber(600).default(10),
    repos: wholeNumber(50).default(3),
    concurrency: wholeNumber(1_000).default(16),
    seed: wholeNumber(2 ** 31).default(7),
    "max-growth": wholeNumber(100_000).default(40),
    "max-p99": wholeNumber(60_000).default(500),
    "drain-timeout": wholeNumber(3_600).default(180),
    timeout: wholeNumber(48 * 3600).optional(),
  }),
  values,
  USAGE,
);
const TIMEOUT_SECONDS = OPTIONS.timeout ?? OPTIONS.minutes * 60 + 600;

const ROOT = path.resolve(import.meta.dirname, "..");
const POSTGRES_URL = process.env.SOAK_DATABASE_URL ?? process.env.CHAOS_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SECRET = "soak-webhook-secret";
const APP_ID = 12345;
const MB = 1024 * 1024;

/** Resident memory of a process in bytes (Linux /proc; `ps` elsewhere), or null once it is gone. */
function rssBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux, or the process is gone
  }
  try {
    return Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }).trim()) * 1024 || null;
  } catch {
    return null;
  }
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function median(values: number[]): number | null {
  return percentile([...values].sort((a, b) => a - b), 50);
}

interface Sample {
  seconds: number;
  sent: number;
  answered2xx: number;
  notAnswered2xx: number;
  recorded: number;
  queuedDeliveries: number;
  pendingCommits: number;
  /** Jobs waiting, active or delayed, per queue. */
  webhooksJobs: number;
  analysisJobs: number;
  webRss: number | null;
  workerRss: number | null;
  answers: number;
  p50: number | null;
  p99: number | null;
  /** Taken while deliveries were being sent (not during the drain). */
  sending: boolean;
}

async function takeSample(stack: Stack, started: number, sending: boolean, latencies: number[]): Promise<Sample> {
  const sorted = latencies.splice(0).sort((a, b) => a - b);
  const [row] = await stack.database.sql<{ recorded: number; queued: number; pending: number }[]>`
    select (select count(*)::int from webhook_deliveries) as recorded,
           (select count(*)::int from webhook_deliveries where status = 'queued') as queued,
           (select count(*)::int from commits where analysis_status = 'pending') as pending`;
  const jobs = async (queue: "webhooks" | "analysis") => {
    const counts = await stack.runtime.queue.counts(queue);
    return counts.waiting + counts.active + counts.delayed;
  };
  const stats = stack.side.stats;
  return {
    seconds: (performance.now() - started) / 1000,
    sent: stats.attempts,
    answered2xx: stats.answered2xx,
    notAnswered2xx: stats.refused + stats.connectionFailures,
    recorded: row!.recorded,
    queuedDeliveries: row!.queued,
    pendingCommits: row!.pending,
    webhooksJobs: await jobs("webhooks"),
    analysisJobs: await jobs("analysis"),
    webRss: rssBytes(stack.web.child.pid),
    workerRss: rssBytes(stack.worker.child.pid),
    answers: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    sending,
  };
}

const mb = (bytes: number | null) => (bytes === null ? "-" : (bytes / MB).toFixed(0));
const ms = (value: number | null) => (value === null ? "-" : value.toFixed(value < 10 ? 1 : 0));

function samplesTable(samples: Sample[]): string {
  const lines = [
    "| t (s) | sent | recorded | not 2xx | queued deliveries | webhooks / analysis jobs | pending commits | web RSS (MB) | worker RSS (MB) | answers | p50 (ms) | p99 (ms) |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const sample of samples) {
    lines.push(
      `| ${sample.seconds.toFixed(0)}${sample.sending ? "" : " (drain)"} | ${sample.sent} | ${sample.recorded} | ${sample.notAnswered2xx} | ${sample.queuedDeliveries} | ` +
        `${sample.webhooksJobs} / ${sample.analysisJobs} | ${sample.pendingCommits} | ${mb(sample.webRss)} | ${mb(sample.workerRss)} | ${sample.answers} | ${ms(sample.p50)} | ${ms(sample.p99)} |`,
    );
  }
  return lines.join("\n");
}

interface Verdict {
  rule: string;
  measured: string;
  ok: boolean;
}

/** The commits the sent pushes carry as distinct: each must be recorded and analysed once. */
function distinctPushedCommits(sent: SignedDelivery[]): Set<string> {
  const shas = new Set<string>();
  for (const delivery of sent) {
    if (delivery.event !== "push") continue;
    const payload = JSON.parse(delivery.body) as { commits: Array<{ id: string; distinct?: boolean }> };
    for (const commit of payload.commits) if (commit.distinct !== false) shas.add(commit.id);
  }
  return shas;
}

async function main(): Promise<number> {
  if (!existsSync(path.join(ROOT, "build/index.js"))) {
    console.log("building the web app first (npm run build)…");
    execFileSync(process.execPath, [path.join(ROOT, "node_modules/.bin/remix"), "build"], { cwd: ROOT, stdio: "ignore" });
  }
  const now = new Date();
  const planned = OPTIONS.rate * OPTIONS.minutes * 60;
  const input = buildInput(now, { deliveries: planned, repos: OPTIONS.repos, seed: OPTIONS.seed, secret: SECRET });
  console.log(
    `Sentinel soak run — ${now.toISOString()}, node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((value) => value.toFixed(1)).join(" ")}, loopback only\n` +
      `${OPTIONS.rate} deliveries/s for ${OPTIONS.minutes} min (${planned.toLocaleString("en-US")} planned) to ${input.repos.length} repositories, ` +
      `sampled every ${OPTIONS.interval} s; limits: RSS growth ≤ ${OPTIONS["max-growth"]} MB, p99 ≤ ${OPTIONS["max-p99"]} ms, drained within ${OPTIONS["drain-timeout"]} s`,
  );

  const started = performance.now();
  const note = (message: string) => console.log(`  t+${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${message}`);
  const latencies: number[] = [];
  /** Every answer with the time it came, for the p99 of the last third. */
  const answers: Array<{ at: number; ms: number }> = [];
  const stack = await startStack({
    harness: "soak",
    run: "soak",
    input,
    postgresUrl: POSTGRES_URL,
    secret: SECRET,
    appId: APP_ID,
    privateKey: testPrivateKey(),
    concurrency: OPTIONS.concurrency,
    keepDatabase: values["keep-database"],
    note,
    onAnswer: (_status, milliseconds) => {
      latencies.push(milliseconds);
      answers.push({ at: performance.now(), ms: milliseconds });
    },
  });

  // ---- the steady stream, sampled
  setPhase("sending the steady stream");
  const sendStarted = performance.now();
  const stopAt = Date.now() + OPTIONS.minutes * 60_000;
  note(`sending ${OPTIONS.rate}/s for ${OPTIONS.minutes} min, at most ${OPTIONS.concurrency} in flight`);
  let sending = true;
  const stream = sendAtRate(stack.side, input.burst, { rate: OPTIONS.rate, concurrency: OPTIONS.concurrency, stopAt }).finally(() => (sending = false));
  const samples: Sample[] = [];
  const maxSamples = Math.ceil((OPTIONS.minutes * 60) / OPTIONS.interval) + 2;
  for (let tick = 1; sending && tick <= maxSamples; tick += 1) {
    const due = sendStarted + tick * OPTIONS.interval * 1000;
    while (sending && performance.now() < due) await Promise.race([sleep(Math.min(1_000, due - performance.now())), stream]);
    // Taken at a tick of the stream (its last one may come just as the last delivery is answered).
    const sample = await takeSample(stack, sendStarted, true, latencies);
    samples.push(sample);
    note(
      `sent ${sample.sent}, recorded ${sample.recorded}, queued ${sample.queuedDeliveries}, jobs ${sample.webhooksJobs}/${sample.analysisJobs}, ` +
        `RSS web ${mb(sample.webRss)} MB worker ${mb(sample.workerRss)} MB, p50 ${ms(sample.p50)} ms p99 ${ms(sample.p99)} ms`,
    );
  }
  const { seconds: sendSeconds, sent } = await stream;
  const sendEnded = performance.now();
  note(`sent ${sent.toLocaleString("en-US")} deliveries in ${sendSeconds.toFixed(0)} s (${(sent / sendSeconds).toFixed(1)}/s)`);

  // ---- drain
  setPhase("waiting for the queues to drain");
  let drainSeconds: number | null = null;
  try {
    await waitForDrain(stack, { timeoutMs: OPTIONS["drain-timeout"] * 1000 });
    drainSeconds = (performance.now() - sendEnded) / 1000;
    note(`queues drained ${drainSeconds.toFixed(1)} s after the last delivery`);
  } catch (error) {
    note(`queues did not drain: ${(error as Error).message}`);
  }
  samples.push(await takeSample(stack, sendStarted, false, latencies));

  // ---- what was recorded
  setPhase("checking what was recorded");
  const sql = stack.database.sql;
  const sentDeliveries = [input.install, ...input.burst.slice(0, sent)];
  const sentIds = new Set(sentDeliveries.map((delivery) => delivery.deliveryId));
  const recordedRows = await sql<{ delivery_id: string; status: string }[]>`select delivery_id, status from webhook_deliveries`;
  const recordedIds = new Set(recordedRows.map((row) => row.delivery_id));
  const answered2xxNotRecorded = [...stack.side.answered2xx].filter((id) => !recordedIds.has(id)).length;
  const notSent = recordedRows.filter((row) => !sentIds.has(row.delivery_id)).length;
  const unfinished = recordedRows.filter((row) => row.status !== "processed" && row.status !== "ignored").length;
  const expectedCommits = distinctPushedCommits(sentDeliveries);
  const [commitRow] = await sql<{ recorded: number; done: number; events: number; attribution: number; distinct_attribution: number }[]>`
    select (select count(*)::int from commits) as recorded,
           (select count(*)::int from commits where analysis_status in ('analyzed', 'skipped')) as done,
           (select count(*)::int from code_events where type = 'commit') as events,
           (select count(*)::int from code_attribution) as attribution,
           (select count(distinct (repo_id, commit_sha, file_path))::int from code_attribution) as distinct_attribution`;
  const recordedShas = new Set((await sql<{ sha: string }[]>`select sha from commits`).map((row) => row.sha));
  const commitsMissing = [...expectedCommits].filter((sha) => !recordedShas.has(sha)).length;

  setPhase("stopping the web server and the worker (SIGTERM)");
  const [webExit, workerExit] = await Promise.all([stack.web.stop("SIGTERM"), stack.worker.stop("SIGTERM")]);
  note(`stopped: web exited ${webExit}, worker ${workerExit}`);

  // ---- verdict
  const whileSending = samples.filter((sample) => sample.sending);
  const third = Math.floor(whileSending.length / 3);
  const growth = (pick: (sample: Sample) => number | null) => {
    if (third === 0) return null;
    const middle = median(whileSending.slice(third, 2 * third).map(pick).filter((value): value is number => value !== null));
    const last = median(whileSending.slice(2 * third).map(pick).filter((value): value is number => value !== null));
    return middle === null || last === null ? null : { middle, last, growth: last - middle };
  };
  const sendSpan = sendEnded - sendStarted;
  const lastThirdAnswers = answers.filter((answer) => answer.at >= sendStarted + (2 * sendSpan) / 3 && answer.at <= sendEnded).map((answer) => answer.ms).sort((a, b) => a - b);
  const lastThirdP99 = percentile(lastThirdAnswers, 99);
  const allP99 = percentile(answers.map((answer) => answer.ms).sort((a, b) => a - b), 99);
  const notAnswered2xx = stack.side.stats.refused + stack.side.stats.connectionFailures;
  const crashes = stack.unexpectedExits();
  const verdicts: Verdict[] = [
    { rule: "every delivery answered 2xx", measured: `${stack.side.stats.answered2xx} of ${stack.side.stats.attempts} (${notAnswered2xx} not)`, ok: notAnswered2xx === 0 },
    { rule: "every delivery answered 2xx recorded, once", measured: `${recordedRows.length} recorded of ${sentIds.size} sent; ${answered2xxNotRecorded} answered but not recorded; ${notSent} never sent`, ok: answered2xxNotRecorded === 0 && notSent === 0 && recordedRows.length === sentIds.size },
    { rule: "every recorded delivery processed or ignored", measured: `${unfinished} not`, ok: unfinished === 0 },
    {
      rule: "every pushed commit recorded and analysed once",
      measured: `${expectedCommits.size} pushed, ${commitRow!.recorded} recorded (${commitsMissing} missing), ${commitRow!.done} analysed, ${commitRow!.events} commit events, ${commitRow!.attribution - commitRow!.distinct_attribution} duplicate attribution rows`,
      ok: commitsMissing === 0 && commitRow!.recorded === expectedCommits.size && commitRow!.done === commitRow!.recorded && commitRow!.events === commitRow!.recorded && commitRow!.attribution === commitRow!.distinct_attribution,
    },
    { rule: `queues drained within ${OPTIONS["drain-timeout"]} s`, measured: drainSeconds === null ? "no" : `${drainSeconds.toFixed(1)} s after the last delivery`, ok: drainSeconds !== null },
  ];
  for (const [label, pick] of [["web", (sample: Sample) => sample.webRss], ["worker", (sample: Sample) => sample.workerRss]] as const) {
    const measured = growth(pick);
    verdicts.push({
      rule: `${label} RSS, median of the last third ≤ middle third + ${OPTIONS["max-growth"]} MB`,
      measured: measured === null ? "too few samples" : `${mb(measured.middle)} → ${mb(measured.last)} MB (${measured.growth >= 0 ? "+" : ""}${(measured.growth / MB).toFixed(1)} MB)`,
      ok: measured !== null && measured.growth <= OPTIONS["max-growth"] * MB,
    });
  }
  verdicts.push(
    { rule: `p99 of the answers in the last third ≤ ${OPTIONS["max-p99"]} ms`, measured: `${ms(lastThirdP99)} ms (whole run ${ms(allP99)} ms)`, ok: lastThirdP99 !== null && lastThirdP99 <= OPTIONS["max-p99"] },
    { rule: "no unexpected process exit", measured: String(crashes.length), ok: crashes.length === 0 },
    { rule: "web / worker exit 0 on SIGTERM", measured: `${webExit} / ${workerExit}`, ok: webExit === 0 && workerExit === 0 },
  );

  const peak = (pick: (sample: Sample) => number | null) => Math.max(0, ...samples.map(pick).filter((value): value is number => value !== null));
  console.log(`\n## Soak: ${OPTIONS.rate} deliveries/s for ${OPTIONS.minutes} min\n\n${samplesTable(samples)}\n`);
  console.log(
    `Sent ${sent.toLocaleString("en-US")} deliveries in ${sendSeconds.toFixed(0)} s; ${expectedCommits.size.toLocaleString("en-US")} commits pushed; ` +
      `peak RSS web ${mb(peak((sample) => sample.webRss))} MB, worker ${mb(peak((sample) => sample.workerRss))} MB; p99 ${ms(allP99)} ms over the run; ` +
      `load average ${loadavg().map((value) => value.toFixed(1)).join(" ")}.\n`,
  );
  console.log("| Rule | Measured | |\n|---|---|---|");
  for (const verdict of verdicts) console.log(`| ${verdict.rule} | ${verdict.measured} | ${verdict.ok ? "✓" : "✗"} |`);
  if (crashes.length > 0) console.log(`\n${formatUnexpectedExits("soak", crashes)}`);
  const failed = verdicts.filter((verdict) => !verdict.ok);
  if (failed.length > 0) {
    console.log(`\n✗ soak failed: ${failed.map((verdict) => verdict.rule).join("; ")}`);
    return 1;
  }
  console.log("\n✓ soak passed: nothing lost, queues drained, memory and p99 within their bounds");
  return 0;
}

await runHarness({ label: "soak", timeoutSeconds: TIMEOUT_SECONDS }, main);
