import { spawn } from "node:child_process";
import { and, eq } from "drizzle-orm";
import type { NormalisedCommit } from "../../domain/detection/index.ts";
import { planHistoryImport, type HistoryCommit } from "../../domain/ingestion/history-plan.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { organizations, repositories, type RiskOverride } from "../../infrastructure/db/schema/index.ts";
import { readGitCommits } from "../../infrastructure/git/git-log.ts";
import { recordCommitAnalysis } from "../analysis/analyze-stored-commit.ts";
import { applyHistoryPlan, commitRefusal, recordCommitFailures, type CommitFailure } from "./commit-failures.ts";

/**
 * `sentinel import`: the history of a local clone through the same planner, write path and detection engine as
 * live GitHub data — for teams without a GitHub App or behind a firewall. Every write is keyed, so a second run
 * adds nothing and only analyses commits still pending (or failed).
 *
 * A commit that cannot be stored — git cannot read it, or PostgreSQL refuses its rows — is recorded in
 * `commit_failures` with the reason and left out, and the import goes on with the others (commit-failures.ts).
 */

export interface LocalImportOptions {
  dir: string;
  /** owner/name as it should appear in Sentinel. */
  fullName: string;
  /** Organisation slug; created when missing. Default: the owner, lower-cased. */
  orgSlug?: string;
  /** Only commits committed at or after this instant. */
  since?: Date;
}

export interface LocalImportResult {
  orgId: string;
  repoId: string;
  orgCreated: boolean;
  commitsRead: number;
  commitsNew: number;
  analysed: number;
  skipped: number;
  /** Commits left out: unreadable by git, or refused by PostgreSQL. Each has a `commit_failures` row. */
  failed: CommitFailure[];
  /** Of `failed`, the commits git could not read (not counted in `commitsRead`). */
  unreadable: number;
}

const BATCH = 250;
const ANALYSIS_CONCURRENCY = 4;

function runGit(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-C", dir, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out).toString("utf8").trim()) : reject(new Error(`git ${args[0]} failed (${code})`))));
  });
}

/** How many commits the import will read (for the progress bar); null when git cannot tell. */
export async function countLocalCommits(dir: string, since?: Date): Promise<number | null> {
  const args = ["rev-list", "--count", "--no-merges", ...(since ? [`--since=${since.toISOString()}`] : []), "HEAD", "--"];
  const text = await runGit(dir, args).catch(() => null);
  const count = text === null ? NaN : Number(text);
  return Number.isFinite(count) ? count : null;
}

async function currentBranch(dir: string): Promise<string> {
  const name = await runGit(dir, ["symbolic-ref", "--short", "-q", "HEAD"]).catch(() => "");
  return name || "main";
}

async function ensureOrganizationAndRepository(
  db: Database,
  options: { slug: string; fullName: string; defaultBranch: string },
): Promise<{ orgId: string; orgCreated: boolean; repo: { id: string; orgId: string; riskOverrides: RiskOverride[] } }> {
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, options.slug));
    let orgId = existing?.id;
    if (!orgId) {
      const [created] = await tx
        .insert(organizations)
        .values({ slug: options.slug, name: options.fullName.split("/")[0] ?? options.slug })
        .onConflictDoNothing({ target: organizations.slug })
        .returning({ id: organizations.id });
      orgId = created?.id ?? (await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, options.slug)))[0]!.id;
    }
    await tx
      .insert(repositories)
      .values({ orgId, fullName: options.fullName, defaultBranch: options.defaultBranch, source: "local", isPrivate: true })
      .onConflictDoNothing({ target: [repositories.orgId, repositories.fullName] });
    const [repo] = await tx
      .select({ id: repositories.id, orgId: repositories.orgId, riskOverrides: repositories.riskOverrides })
      .from(repositories)
      .where(and(eq(repositories.orgId, orgId), eq(repositories.fullName, options.fullName)));
    return { orgId, orgCreated: !existing, repo: repo! };
  });
}

function historyCommit(commit: NormalisedCommit): HistoryCommit {
  return {
    sha: commit.sha.toLowerCase(),
    authorName: commit.author.name,
    authorEmail: commit.author.email,
    authorLogin: null,
    authoredAt: commit.author.date,
    message: commit.message,
    parentCount: commit.parents.length,
  };
}

async function forEachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await run(item);
      }
    }),
  );
}

export async function importLocalHistory(
  db: Database,
  options: LocalImportOptions,
  onProgress?: (progress: { done: number; total: number | null }) => void,
): Promise<LocalImportResult> {
  const branch = await currentBranch(options.dir).catch(() => "main");
  const total = await countLocalCommits(options.dir, options.since);
  const slug = options.orgSlug ?? options.fullName.split("/")[0]!.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  const { orgId, orgCreated, repo } = await ensureOrganizationAndRepository(db, { slug, fullName: options.fullName, defaultBranch: branch });
  const repositoryRef = { githubId: 0, fullName: options.fullName, defaultBranch: branch, isPrivate: true };
  const since = options.since?.getTime();

  const result: LocalImportResult = { orgId, repoId: repo.id, orgCreated, commitsRead: 0, commitsNew: 0, analysed: 0, skipped: 0, failed: [], unreadable: 0 };
  let batch: NormalisedCommit[] = [];
  let unreadable: CommitFailure[] = [];
  const flush = async () => {
    const failures = unreadable;
    unreadable = [];
    const current = batch;
    batch = [];
    if (current.length > 0) {
      const plan = planHistoryImport({ repository: repositoryRef, installationId: null, branch, onDefaultBranch: true, commits: current.map(historyCommit), origin: "import" });
      const { outcome, refused } = await applyHistoryPlan(db, repo, plan);
      failures.push(...refused);
      result.commitsNew += outcome.eventsInserted;
      const pending = new Set(outcome.commitsToAnalyze.map((target) => target.sha));
      await forEachLimited(
        current.filter((commit) => pending.has(commit.sha.toLowerCase())),
        ANALYSIS_CONCURRENCY,
        async (commit) => {
          const sha = commit.sha.toLowerCase();
          let analysis;
          try {
            analysis = await recordCommitAnalysis(db, { orgId, repoId: repo.id, sha, riskOverrides: repo.riskOverrides }, { ...commit, branch });
          } catch (error) {
            const reason = commitRefusal(error);
            if (reason === null) throw error;
            failures.push({ sha, reason });
            return;
          }
          if (analysis.status === "analyzed") result.analysed += 1;
          else result.skipped += 1;
        },
      );
    }
    await recordCommitFailures(db, repo, "import", failures);
    result.failed.push(...failures);
    if (current.length > 0) onProgress?.({ done: result.commitsRead, total });
  };

  const onUnreadable = (commit: CommitFailure) => {
    result.unreadable += 1;
    unreadable.push({ sha: commit.sha.toLowerCase(), reason: commit.reason });
  };
  for await (const commit of readGitCommits(options.dir, { rev: "HEAD", onUnreadable })) {
    // git log lists newest first by commit date, so the first commit older than --since ends the walk.
    if (since !== undefined && Date.parse(commit.committer.date) < since) break;
    result.commitsRead += 1;
    batch.push(commit);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return result;
}
