/**
 * `npm run check:history`: what AI share the product shows for the real history of chosen corpus repositories
 * (issue 15: a project's history during its AI ban must read ≤ 3 %). Every commit goes the production way, on
 * loopback: the chaos/soak deployment (scripts/harness/) — a database of its own, created, migrated and dropped, a
 * `redis-server` of its own, the real web server and worker processes — and a GitHub fake serving the corpus commits.
 * One installation holds one repository per corpus repository; each repository's commits are pushed as signed `push`
 * deliveries to the webhook route, oldest first (author date, then committer date), and each push is processed
 * before the next is sent, so the worker finds the author's earlier commits when it derives the previous one (the
 * corpus's `x_author_prev` is corpus context, never served). The worker analyses them with the production jobs;
 * then the daily metrics are recomputed over each repository's span with the code `sentinel metrics` runs, and the
 * share is read with the repository page's own presenter (getRepoOverview: its AI-share card, plausible range and
 * detector versions), its window stretched to the whole span.
 *
 * Prints a table (repository, corpus label, commits pushed / analysed, written lines, AI share and range, detector
 * version, and for how many commits the product's previous commit of the author is the corpus's `x_author_prev`); for a
 * human repository whose share or range passes 3 %, the commits that drive it with their top signals. Progress lines
 * go to stderr; `--json` puts a machine report on stdout.
 *
 * Options: --files a.jsonl.gz,b.jsonl.gz (default: the modern-human, conventional-human and ai-extra files),
 * --repos owner/name,… (default: every repository of the files), --strip-markers (remove agent markers from the
 * served commits and the push payloads, as `sentinel eval --strip-markers` does), --push-size N (commits per push,
 * default 20), --top N (commits explained per repository, default 3), --corpus DIR (default: SENTINEL_CORPUS_DIR or the
 * shared corpus folder next to the repository), --timeout S (hard deadline, default 2400, exit 124), --json,
 * --keep-database.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { getRepoOverview, getRepoShareEstimate } from "../app/presenters/repository.server.ts";
import { formatDetectorVersions, formatPercent, formatShareRange, percentOfFraction } from "../app/utils/format.ts";
import { fromGitHubCommit, stripMarkers } from "../domain/detection/index.ts";
import { localClock } from "../domain/metrics/time.ts";
import type { GitHubCommitRecord } from "../tests/fixtures/corpus.ts";
import { testPrivateKey } from "../tests/fakes/github-client.ts";
import { installationPayload, pushPayload, signDelivery, type FixtureAccount, type FixtureRepository } from "../tests/fixtures/webhooks.ts";
import { recomputeMetrics } from "../application/metrics/recompute.ts";
import { quietTimeZone, type HarnessInput, type SignedDelivery } from "./harness/deliveries.ts";
import { FatalError, runHarness, setPhase, until } from "./harness/lifecycle.ts";
import { parseOptionsOrExit, readArgsOrExit, wholeNumber } from "./harness/options.ts";
import { formatUnexpectedExits } from "./harness/processes.ts";
import { startStack, waitForDrain } from "./harness/stack.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DEFAULT_CORPUS_DIR = path.resolve(ROOT, "../shared/corpus");
export const DEFAULT_FILES = ["commits-modern-human.jsonl.gz", "commits-conventional-human.jsonl.gz", "commits-ai-extra.jsonl.gz"];
/** Issue 15's goal for a project's history during its AI ban. */
export const HUMAN_GOAL_PERCENT = 3;
const SECRET = "check-history-secret";
const APP_ID = 12345;
const DAY_MS = 86_400_000;

export const USAGE =
  "npm run check:history -- [--files a.jsonl.gz,b.jsonl.gz] [--repos owner/name,…] [--strip-markers] [--push-size 20]\n" +
  "  [--top 3] [--corpus DIR] [--timeout 2400] [--json] [--keep-database]";

export const ARG_OPTIONS = {
  files: { type: "string" },
  repos: { type: "string" },
  "strip-markers": { type: "boolean", default: false },
  "push-size": { type: "string" },
  top: { type: "string" },
  corpus: { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean", default: false },
  "keep-database": { type: "boolean", default: false },
} as const;

const FILE_NAME = /^[\w.-]+\.jsonl(?:\.gz)?$/;

/** A comma-separated list whose every item matches `pattern` (one message for the list, not one per index). */
const commaList = (what: string, pattern: RegExp, message: string) =>
  z
    .string()
    .transform((value) => value.split(",").map((part) => part.trim()).filter(Boolean))
    .refine((items) => items.length > 0, `needs at least one ${what}`)
    .refine((items) => items.every((item) => pattern.test(item)), message);

/** The options, checked before anything is read or started; `corpus` defaults to SENTINEL_CORPUS_DIR, then the shared folder. */
export function optionsSchema(env: Record<string, string | undefined> = process.env) {
  return z
    .object({
      files: commaList("file", FILE_NAME, "takes file names of the corpus folder ending in .jsonl or .jsonl.gz").default(DEFAULT_FILES),
      repos: commaList("repository", /^[\w.-]+\/[\w.-]+$/, "takes owner/name repositories, comma-separated").optional(),
      "strip-markers": z.boolean().default(false),
      "push-size": wholeNumber(2_048).default(20),
      top: z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(0, "must be at least 0").max(50, "must be at most 50").default(3),
      corpus: z.string().min(1).default(env.SENTINEL_CORPUS_DIR ?? DEFAULT_CORPUS_DIR),
      timeout: wholeNumber(24 * 3600).default(2_400),
      json: z.boolean().default(false),
      "keep-database": z.boolean().default(false),
    })
    .superRefine((options, context) => {
      for (const file of options.files) {
        if (FILE_NAME.test(file) && !existsSync(path.join(options.corpus, file))) context.addIssue({ code: "custom", path: ["files"], message: `names ${file}, which is not in ${options.corpus}` });
      }
    });
}
export type CheckHistoryOptions = z.infer<ReturnType<typeof optionsSchema>>;

// ---------------------------------------------------------------------------------------------------------------
// The corpus, as GitHub would serve it

/** One corpus repository's history: what is served and pushed, oldest first. */
export interface CorpusHistory {
  repo: string;
  /** The corpus labels of its records ("human", "ai", or "ai+human"). */
  label: string;
  file: string;
  commits: GitHubCommitRecord[];
  /**
   * The corpus's `x_author_prev` date by sha (null: none), never served: only compared with the previous commit the
   * product derives from what was pushed, which lacks the author's commits the corpus did not select.
   */
  authorPrevious?: Map<string, string | null>;
}

const corpusLineSchema = z.looseObject({
  repo: z.string(),
  label: z.enum(["ai", "human"]),
  sha: z.string().min(1),
  x_author_prev: z.object({ date: z.string() }).nullish(),
  commit: z.looseObject({ author: z.looseObject({ date: z.string() }), committer: z.looseObject({ date: z.string() }), message: z.string() }),
});

const NOREPLY_LOGIN = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/;

/**
 * A corpus record as GitHub's "get a commit" serves it: the corpus's own fields (`repo`, labels, `x_…`) left out,
 * parents as objects, the author's login where the email is GitHub's noreply address — what tests/fixtures/corpus.ts does
 * for the DEV file it caches, for any record.
 */
export function servedCommitOf(record: Record<string, unknown>): GitHubCommitRecord {
  const served: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === "label" || key === "marker" || key === "markers" || key === "repo" || key.startsWith("x_")) continue;
    served[key] = value;
  }
  served.parents = ((record.parents as Array<string | { sha: string }> | undefined) ?? []).map((parent) => (typeof parent === "string" ? { sha: parent } : parent));
  const email = (record.commit as { author: { email?: string } }).author.email ?? "";
  const login = NOREPLY_LOGIN.exec(email)?.[1] ?? null;
  served.author = login ? { login } : null;
  return served as GitHubCommitRecord;
}

/**
 * The commit with every explicit agent marker removed (domain/detection stripMarkers, as `sentinel eval
 * --strip-markers`): its message, and agent authors or committers replaced by a human co-author or a neutral name.
 */
export function withoutMarkers(record: GitHubCommitRecord): GitHubCommitRecord {
  const stripped = stripMarkers(fromGitHubCommit(record));
  const login = NOREPLY_LOGIN.exec(stripped.author.email)?.[1] ?? null;
  return {
    ...record,
    commit: {
      ...record.commit,
      message: stripped.message,
      author: { ...record.commit.author, name: stripped.author.name, email: stripped.author.email },
      committer: { ...record.commit.committer, name: stripped.committer.name, email: stripped.committer.email },
    },
    author: login ? { login } : null,
  };
}

const time = (date: string) => Date.parse(date);

/** Oldest first by author date, then committer date (the corpus's own order within a group). */
export function chronological(records: GitHubCommitRecord[]): GitHubCommitRecord[] {
  return [...records].sort(
    (a, b) => time(a.commit.author.date) - time(b.commit.author.date) || time(a.commit.committer.date) - time(b.commit.committer.date),
  );
}

/** The chosen repositories of the chosen files; throws naming a repository that none of the files holds. */
export function loadHistories(options: { corpus: string; files: string[]; repos?: string[]; stripMarkers: boolean }): CorpusHistory[] {
  const byRepo = new Map<string, { labels: Set<string>; file: string; commits: GitHubCommitRecord[]; authorPrevious: Map<string, string | null> }>();
  for (const file of options.files) {
    const bytes = readFileSync(path.join(options.corpus, file));
    const text = file.endsWith(".gz") ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
    text.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      const parsed = corpusLineSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${index + 1}: not a corpus record (${parsed.error.issues[0]?.message})`);
      const record = parsed.data;
      if (options.repos && !options.repos.includes(record.repo)) return;
      let entry = byRepo.get(record.repo);
      if (!entry) byRepo.set(record.repo, (entry = { labels: new Set(), file, commits: [], authorPrevious: new Map() }));
      entry.labels.add(record.label);
      entry.authorPrevious.set(record.sha, record.x_author_prev?.date ?? null);
      const served = servedCommitOf(record);
      entry.commits.push(options.stripMarkers ? withoutMarkers(served) : served);
    });
  }
  const missing = (options.repos ?? []).filter((repo) => !byRepo.has(repo));
  if (missing.length > 0) throw new Error(`no records of ${missing.join(", ")} in ${options.files.join(", ")}`);
  return [...byRepo].map(([repo, entry]) => ({
    repo,
    label: [...entry.labels].sort().join("+"),
    file: entry.file,
    commits: chronological(entry.commits),
    authorPrevious: entry.authorPrevious,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Through the product

export interface ExplainedCommit {
  sha: string;
  subject: string;
  authoredAt: string;
  confidence: number;
  writtenLines: number;
  /** Its part of the repository's Σ confidence × written lines (before the prior re-weights the confidences). */
  weight: number;
  signals: Array<{ id: string; weight: number; evidence: string }>;
}

export interface RepositoryShare {
  repo: string;
  label: string;
  file: string;
  pushed: number;
  analysed: number;
  skipped: number;
  writtenLines: number;
  /** Percent, as the repository page shows it; null without written lines. */
  aiShare: number | null;
  aiShareLow: number | null;
  aiShareHigh: number | null;
  detectorVersions: string[];
  /** UTC days of the first and last commit: the span read. */
  from: string;
  to: string;
  /** The same span through the API metrics endpoint's presenter (getRepoShareEstimate): should equal aiShare. */
  apiAiShare: number | null;
  /**
   * The author's previous commit the product derived (the latest earlier commit of the same email in the repository)
   * against the corpus's `x_author_prev`: the same, farther back or none (the corpus did not select the ones between).
   * Null without corpus context.
   */
  authorPrevious: { asInCorpus: number; fartherBack: number; none: number } | null;
  topCommits: ExplainedCommit[];
}

export interface HistoryRun {
  /** Progress lines (stderr in the script). */
  note: (message: string) => void;
  postgresUrl: string;
  pushSize: number;
  top: number;
  keepDatabase: boolean;
  /** Today, for the page's window (its last day); the real clock in the script. */
  now?: Date;
}

const utcDay = (date: string) => new Date(time(date)).toISOString().slice(0, 10);

/**
 * Pushes each history through the deployment and reads what the repository page shows for its whole span. Everything
 * it starts is registered with the harness's lifecycle (scripts/harness/lifecycle.ts) and removed by its cleanup.
 */
export async function checkHistory(histories: CorpusHistory[], run: HistoryRun): Promise<RepositoryShare[]> {
  const now = run.now ?? new Date();
  const owner: FixtureAccount = { id: 77_700, login: "history-check" };
  const installationId = 77_701;
  const repos: FixtureRepository[] = histories.map((history, index) => ({ id: 77_710 + index, full_name: history.repo, default_branch: "main" }));
  const sign = (event: string, payload: object): SignedDelivery => {
    const signed = signDelivery(SECRET, event, payload);
    const fields = payload as { action?: string; repository?: { id: number } };
    return { deliveryId: signed.deliveryId, event, action: fields.action ?? null, body: signed.body, headers: signed.headers, repositoryId: fields.repository?.id ?? null };
  };
  const allCommits = histories.flatMap((history) => history.commits);
  const firstDate = allCommits.reduce((first, record) => Math.min(first, time(record.commit.author.date)), now.getTime());
  const timeZone = quietTimeZone(now);
  const input: HarnessInput = {
    owner,
    installationId,
    repos,
    install: sign("installation", installationPayload("created", installationId, owner, repos)),
    burst: [],
    commits: allCommits,
    pushedCommits: allCommits.length,
    days: { from: localClock(new Date(firstDate), timeZone).date, to: localClock(now, timeZone).date },
    timeZone,
  };
  const started = performance.now();
  const note = (message: string) => run.note(`  t+${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${message}`);
  const stack = await startStack({
    harness: "history",
    run: "check",
    input,
    postgresUrl: run.postgresUrl,
    secret: SECRET,
    appId: APP_ID,
    privateKey: testPrivateKey(),
    concurrency: 4,
    keepDatabase: run.keepDatabase,
    note,
  });
  const sqlClient = stack.database.sql;
  const repoIds = new Map<string, string>();
  for (const row of await sqlClient<{ id: string; full_name: string }[]>`select id::text, full_name from repositories where org_id = ${stack.orgId}`) {
    repoIds.set(row.full_name, row.id);
  }
  const notInstalled = histories.filter((history) => !repoIds.has(history.repo)).map((history) => history.repo);
  if (notInstalled.length > 0) throw new Error(`the installation did not create ${notInstalled.join(", ")}`);

  // Pushes, oldest first across every repository; each processed (its commits recorded) before the next is sent.
  setPhase("pushing the histories");
  const pushes = histories.flatMap((history, index) => {
    const batches: GitHubCommitRecord[][] = [];
    for (let at = 0; at < history.commits.length; at += run.pushSize) batches.push(history.commits.slice(at, at + run.pushSize));
    return batches.map((records) => ({ repo: repos[index]!, records }));
  });
  pushes.sort((a, b) => time(a.records[0]!.commit.author.date) - time(b.records[0]!.commit.author.date));
  let sentCommits = 0;
  let lastNote = performance.now();
  for (const [index, push] of pushes.entries()) {
    stack.alive();
    const delivery = sign("push", pushPayload({ installationId, owner, repo: push.repo, records: push.records }));
    const status = await stack.side.deliver(delivery, false);
    if (status < 200 || status >= 300) throw new Error(`the webhook route answered ${status} to a push of ${push.repo.full_name}`);
    await until(`the push ${delivery.deliveryId} of ${push.repo.full_name} to be processed`, async () => {
      stack.alive();
      const [row] = await sqlClient<{ status: string; error: string | null }[]>`select status, error from webhook_deliveries where delivery_id = ${delivery.deliveryId}`;
      if (row?.status === "failed") throw new FatalError(`the push ${delivery.deliveryId} of ${push.repo.full_name} failed: ${row.error ?? "no error recorded"}`);
      return row?.status === "processed";
    }, { timeoutMs: 120_000, intervalMs: 25 });
    sentCommits += push.records.length;
    if (performance.now() - lastNote > 5_000 || index === pushes.length - 1) {
      lastNote = performance.now();
      const [pending] = await sqlClient<{ n: number }[]>`select count(*)::int as n from commits where analysis_status = 'pending'`;
      note(`pushed ${index + 1}/${pushes.length} (${sentCommits}/${allCommits.length} commits), ${pending!.n} waiting for analysis`);
    }
  }

  setPhase("waiting for the analyses");
  await waitForDrain(stack, { timeoutMs: 30 * 60_000 });
  note("every push processed and every commit analysed");

  setPhase("recomputing the daily metrics (sentinel metrics)");
  const results: RepositoryShare[] = [];
  for (const history of histories) {
    const first = history.commits[0]!;
    const last = history.commits.at(-1)!;
    // `sentinel metrics --repo … --from … --to …`: local days in the organisation's zone.
    const recomputed = await recomputeMetrics(
      { db: stack.database.db, lock: stack.runtime.lock, now },
      { repo: history.repo, orgId: stack.orgId, from: localClock(new Date(first.commit.author.date), timeZone).date, to: localClock(new Date(last.commit.author.date), timeZone).date },
    );
    if (!recomputed.ok) throw new Error(`sentinel metrics for ${history.repo}: ${recomputed.message}`);
    const { days, from, to } = recomputed.repositories[0]!;
    note(`${history.repo}: metrics of ${days} day(s) ${from} … ${to} recomputed`);
  }

  setPhase("reading the AI share");
  for (const history of histories) {
    const repoId = repoIds.get(history.repo)!;
    const from = utcDay(history.commits[0]!.commit.author.date);
    const to = utcDay(history.commits.at(-1)!.commit.author.date);
    // The repository page's window ends today; stretched back to the first commit it covers the whole history.
    const windowDays = Math.max(1, Math.round((Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1);
    const overview = await getRepoOverview(stack.database.db, stack.orgId, repoId, now, windowDays);
    if (!overview) throw new Error(`the repository page found no ${history.repo}`);
    const api = await getRepoShareEstimate(stack.database.db, stack.orgId, repoId, { from, to });
    const [counts] = await sqlClient<{ analysed: number; skipped: number; recorded: number }[]>`
      select count(*) filter (where analysis_status = 'analyzed')::int as analysed, count(*) filter (where analysis_status = 'skipped')::int as skipped,
        count(*)::int as recorded
      from commits where repo_id = ${repoId}`;
    results.push({
      repo: history.repo,
      label: history.label,
      file: history.file,
      pushed: history.commits.length,
      analysed: counts!.analysed,
      skipped: counts!.skipped,
      writtenLines: overview.cards.writtenLines,
      // The report speaks percents; the presenters answer fractions 0–1 as the API does (issue 19).
      aiShare: percentOfFraction(overview.cards.aiShare),
      aiShareLow: percentOfFraction(overview.cards.aiShareLow),
      aiShareHigh: percentOfFraction(overview.cards.aiShareHigh),
      detectorVersions: overview.detectorVersions,
      from,
      to,
      apiAiShare: percentOfFraction(api.aiShare),
      authorPrevious: history.authorPrevious ? await compareAuthorPrevious(stack.database.db, repoId, history.authorPrevious) : null,
      topCommits: run.top > 0 ? await explainShare(stack.database.db, repoId, run.top) : [],
    });
    if (counts!.recorded !== history.commits.length) note(`${history.repo}: ${counts!.recorded} commits recorded of ${history.commits.length} pushed`);
  }
  const crashes = stack.unexpectedExits();
  if (crashes.length > 0) note(formatUnexpectedExits("check:history", crashes));
  return results;
}

/** How the previous commit the product derives for each commit (analyze-stored-commit.ts's query) compares with the corpus's. */
async function compareAuthorPrevious(
  db: Parameters<typeof getRepoOverview>[0],
  repoId: string,
  corpus: Map<string, string | null>,
): Promise<NonNullable<RepositoryShare["authorPrevious"]>> {
  const rows = await db.execute<{ sha: string; previous: string | null }>(sql`
    select c.sha, (select max(earlier.authored_at) from commits earlier
      where earlier.repo_id = c.repo_id and earlier.author_email = c.author_email and earlier.authored_at < c.authored_at)::text as previous
    from commits c where c.repo_id = ${repoId}::uuid`);
  const counts = { asInCorpus: 0, fartherBack: 0, none: 0 };
  for (const row of rows) {
    const recorded = corpus.get(row.sha) ?? null;
    const derived = row.previous === null ? null : Date.parse(row.previous);
    if (derived === null) counts[recorded === null ? "asInCorpus" : "none"] += 1;
    else if (recorded !== null && Math.abs(derived - Date.parse(recorded)) < 1_000) counts.asInCorpus += 1;
    else counts.fartherBack += 1;
  }
  return counts;
}

/** The commits that carry most of a repository's expected AI lines (confidence × written lines), with their top signals. */
async function explainShare(db: Parameters<typeof getRepoOverview>[0], repoId: string, top: number): Promise<ExplainedCommit[]> {
  const rows = await db.execute<{ sha: string; subject: string; authored_at: string; confidence: number; written_lines: number; total: number; signals: unknown }>(sql`
    select sha, message_headline as subject, authored_at::text, ai_confidence as confidence, written_lines, signals,
      sum(ai_confidence * written_lines) over () as total
    from commits
    where repo_id = ${repoId}::uuid and analysis_status = 'analyzed'
    order by ai_confidence * written_lines desc, authored_at
    limit ${top}`);
  return rows.map((row) => {
    const signals = z.array(z.looseObject({ id: z.string(), weight: z.number(), evidence: z.string().default("") })).catch([]).parse(row.signals);
    return {
      sha: row.sha,
      subject: row.subject,
      authoredAt: new Date(row.authored_at).toISOString(),
      confidence: row.confidence,
      writtenLines: row.written_lines,
      weight: row.total > 0 ? (row.confidence * row.written_lines) / row.total : 0,
      signals: signals
        .sort((a, b) => b.weight - a.weight)
        .slice(0, 3)
        .map(({ id, weight, evidence }) => ({ id, weight, evidence })),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The report

/** The share as the repository page's card prints it: "0.4 % (0.0–2.1 %)" (app/utils/format.ts). */
export function formatShare(result: Pick<RepositoryShare, "aiShare" | "aiShareLow" | "aiShareHigh">): string {
  const range = formatShareRange(result.aiShareLow, result.aiShareHigh);
  return range ? `${formatPercent(result.aiShare)} (${range})` : formatPercent(result.aiShare);
}

/** The Markdown table of the results, then the commits behind each human repository above the goal. */
export function formatReport(results: RepositoryShare[]): string {
  const lines = [
    "| repository | label | commits pushed / analysed | written lines | AI share (range) | detector version | author's previous commit as in the corpus |",
    "|---|---|---:|---:|---:|---|---:|",
    ...results.map(
      (result) =>
        `| ${result.repo} | ${result.label} | ${result.pushed} / ${result.analysed}${result.skipped > 0 ? ` (${result.skipped} skipped)` : ""} | ` +
        `${result.writtenLines.toLocaleString("en-US")} | ${formatShare(result)} | ${formatDetectorVersions(result.detectorVersions)} | ` +
        `${result.authorPrevious ? `${result.authorPrevious.asInCorpus} / ${result.pushed}` : "–"} |`,
    ),
  ];
  for (const result of results) {
    if (result.apiAiShare !== result.aiShare) lines.push(`\n⚠ ${result.repo}: the API metrics endpoint reads ${formatPercent(result.apiAiShare)} over ${result.from} … ${result.to}`);
  }
  // A human history whose share, or the top of its plausible range, passes the goal: what drives it.
  const above = results.filter((result) => result.label === "human" && Math.max(result.aiShare ?? 0, result.aiShareHigh ?? 0) > HUMAN_GOAL_PERCENT);
  for (const result of above) {
    lines.push("", `${result.repo} reads ${formatShare(result)} (goal ≤ ${HUMAN_GOAL_PERCENT} %); its commits with the largest confidence × written lines:`);
    for (const commit of result.topCommits) {
      lines.push(
        `  ${commit.sha.slice(0, 10)} ${commit.authoredAt.slice(0, 10)} confidence ${commit.confidence.toFixed(2)}, ${commit.writtenLines} written lines, ` +
          `${(commit.weight * 100).toFixed(0)} % of the repository's Σ confidence × lines — ${JSON.stringify(commit.subject.slice(0, 72))}`,
      );
      for (const signal of commit.signals) lines.push(`      ${signal.id} ${signal.weight.toFixed(2)}: ${signal.evidence.slice(0, 100)}`);
    }
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
// The command

async function main(): Promise<never> {
  const values = readArgsOrExit("check:history", ARG_OPTIONS, USAGE);
  const options = parseOptionsOrExit("check:history", optionsSchema(), values, USAGE);
  const progress = (message: string) => process.stderr.write(`${message}\n`);
  // A reader that stops early (`| head`) must not end the run before its cleanup: what it no longer reads is dropped.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  return runHarness({ label: "check:history", timeoutSeconds: options.timeout }, async () => {
    setPhase("reading the corpus");
    let histories: CorpusHistory[];
    try {
      histories = loadHistories({ corpus: options.corpus, files: options.files, ...(options.repos ? { repos: options.repos } : {}), stripMarkers: options["strip-markers"] });
    } catch (error) {
      console.error(`check:history: ${(error as Error).message}`);
      return 2;
    }
    if (histories.length === 0) {
      console.error(`check:history: no records in ${options.files.join(", ")}`);
      return 2;
    }
    // The web process serves the Remix build besides the webhook route (as npm run soak, which builds it too).
    if (!existsSync(path.join(ROOT, "build/index.js"))) {
      setPhase("building the web app");
      progress("building the web app first (remix build)…");
      execFileSync(process.execPath, [path.join(ROOT, "node_modules/.bin/remix"), "build"], { cwd: ROOT, stdio: "ignore" });
    }
    const load = () => loadavg().map((value) => value.toFixed(1)).join(" ");
    const loadAtStart = load();
    const startedAt = new Date();
    progress(
      `Sentinel history check — ${startedAt.toISOString()}, node ${process.version}, ${cpus().length} cores, load average ${loadAtStart}; ` +
        `${histories.length} repositories, ${histories.reduce((sum, history) => sum + history.commits.length, 0)} commits from ${options.files.join(", ")}` +
        `${options["strip-markers"] ? ", agent markers stripped" : ""}`,
    );
    const results = await checkHistory(histories, {
      note: progress,
      postgresUrl: process.env.CHECK_HISTORY_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
      pushSize: options["push-size"],
      top: options.top,
      keepDatabase: options["keep-database"],
    });
    const loadAtEnd = load();
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ startedAt: startedAt.toISOString(), files: options.files, stripMarkers: options["strip-markers"], cores: cpus().length, loadAverage: { start: loadAtStart, end: loadAtEnd }, repositories: results }, null, 2)}\n`,
      );
    } else {
      console.log(`\n${formatReport(results)}\n`);
      console.log(`Markers ${options["strip-markers"] ? "stripped" : "kept"}; load average ${loadAtStart} at the start, ${loadAtEnd} at the end, ${cpus().length} cores.`);
    }
    return 0;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
