import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";

/**
 * Real commits in GitHub's "get a commit" shape from the shared corpus (../shared/corpus, read at run time, never
 * copied into the repository), with the corpus's own label fields removed: what GitHub's API would serve.
 * For tests and the ingestion benchmark.
 */
export interface GitHubCommitRecord {
  sha: string;
  parents: Array<{ sha: string }>;
  commit: { author: { name: string; email: string; date: string }; committer: { name: string; email: string; date: string }; message: string };
  author: { login: string } | null;
  stats?: unknown;
  files: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export function corpusPath(): string {
  return process.env.SENTINEL_CORPUS ?? path.resolve(process.cwd(), "../shared/corpus/commits-dev.jsonl.gz");
}

let cached: GitHubCommitRecord[] | undefined;

export function loadCorpusCommits(limit?: number): GitHubCommitRecord[] {
  if (!cached) {
    const text = gunzipSync(readFileSync(corpusPath())).toString("utf8");
    cached = text
      .split("\n")
      .filter((line) => line.trim().length > 0)
      .map((line) => {
        const record = JSON.parse(line) as Record<string, unknown>;
        const clean: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(record)) {
          if (key === "label" || key === "marker" || key === "markers" || key === "repo" || key.startsWith("x_")) continue;
          clean[key] = value;
        }
        clean.parents = ((record.parents as string[] | undefined) ?? []).map((sha) => ({ sha }));
        const author = (record.commit as { author: { email: string } }).author;
        const login = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/.exec(author.email)?.[1] ?? null;
        clean.author = login ? { login } : null;
        return clean as GitHubCommitRecord;
      });
  }
  return limit === undefined ? cached : cached.slice(0, limit);
}

/** The push payload's view of a commit (what GitHub lists in `commits[]` of a push). */
export function pushCommitOf(record: GitHubCommitRecord): Record<string, unknown> {
  const files = record.files as Array<{ filename: string; status: string }>;
  return {
    id: record.sha,
    tree_id: record.sha,
    distinct: true,
    message: record.commit.message,
    timestamp: record.commit.author.date,
    url: `https://github.com/x/y/commit/${record.sha}`,
    author: { name: record.commit.author.name, email: record.commit.author.email, ...(record.author ? { username: record.author.login } : {}) },
    committer: { name: record.commit.committer.name, email: record.commit.committer.email },
    added: files.filter((file) => file.status === "added").map((file) => file.filename),
    removed: files.filter((file) => file.status === "removed").map((file) => file.filename),
    modified: files.filter((file) => file.status !== "added" && file.status !== "removed").map((file) => file.filename),
  };
}

/**
 * `count` commits built from corpus records (their files, messages and authors) with fresh shas and dates spread
 * over the last `days` days, newest first, each the parent of the one before: a plausible recent branch history.
 */
export function recentHistory(count: number, options: { now: Date; days?: number; salt?: string }): GitHubCommitRecord[] {
  const base = loadCorpusCommits();
  const span = (options.days ?? 60) * 86_400_000;
  const records: GitHubCommitRecord[] = [];
  for (let index = 0; index < count; index += 1) {
    const source = base[index % base.length]!;
    const sha = createHash("sha1").update(`${options.salt ?? "history"}-${index}`).digest("hex");
    const date = new Date(options.now.getTime() - span + Math.floor(((index + 1) * span) / (count + 1))).toISOString().replace(".000Z", "Z");
    records.push({
      ...source,
      sha,
      parents: [],
      commit: { ...source.commit, author: { ...source.commit.author, date }, committer: { ...source.commit.committer, date } },
    });
  }
  for (let index = 1; index < records.length; index += 1) records[index]!.parents = [{ sha: records[index - 1]!.sha }];
  return records.reverse();
}
