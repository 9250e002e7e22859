import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import type { GitHubCommitRecord } from "./fixtures/corpus.ts";
import { checkHistory, chronological, formatReport, optionsSchema, type CorpusHistory } from "../scripts/check-history.ts";
import { cleanUpTo, cleanupMark } from "../scripts/harness/lifecycle.ts";
import { TEST_POSTGRES_URL } from "./support/config.ts";

const sha = (n: number) => n.toString(16).padStart(40, "0");

function commit(n: number, options: { date: string; author: { name: string; email: string }; message: string; file: string; lines: string[] }): GitHubCommitRecord {
  const identity = { ...options.author, date: options.date };
  return {
    sha: sha(n),
    parents: [{ sha: sha(n + 1000) }],
    commit: { author: identity, committer: identity, message: options.message },
    author: null,
    stats: { additions: options.lines.length, deletions: 0, total: options.lines.length },
    files: [
      {
        filename: options.file,
        status: "modified",
        additions: options.lines.length,
        deletions: 0,
        changes: options.lines.length,
        patch: `@@ -10,0 +11,${options.lines.length} @@\n${options.lines.map((line) => `+${line}`).join("\n")}`,
      },
    ],
    truncated: false,
  };
}

const ana = { name: "Ana Lima", email: "ana@example.org" };
const human: CorpusHistory = {
  repo: "careful/tool",
  label: "human",
  file: "synthetic",
  // Given newest first: the script pushes them oldest first.
  commits: chronological([
    commit(2, { date: "2025-06-03T16:40:00+02:00", author: ana, message: "parser: accept a trailing comma", file: "parser.go", lines: ["\tif tok == ',' {", "\t\tcontinue", "\t}"] }),
    commit(1, { date: "2025-06-02T10:05:00+02:00", author: ana, message: "Fix off-by-one in the line counter", file: "count.go", lines: ["\treturn n + 1"] }),
  ]),
};
const agent: CorpusHistory = {
  repo: "agentic/app",
  label: "ai",
  file: "synthetic",
  commits: [
    commit(3, {
      date: "2025-06-04T09:00:00Z",
      author: ana,
      message:
        "Add CSV export for the report table\n\nExports every visible column and escapes quotes.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
      file: "src/export.ts",
      lines: Array.from({ length: 24 }, (_, index) => `export const column${index} = (row: Row) => escapeCsv(String(row.values[${index}] ?? ""));`),
    }),
  ],
};

/** The share column of a repository's row in the printed table, as a number. */
function printedShare(report: string, repo: string): number {
  const row = report.split("\n").find((line) => line.startsWith(`| ${repo} |`));
  const share = row?.split("|")[5]?.trim().match(/^([\d.]+) %/)?.[1];
  if (share === undefined) throw new Error(`no share for ${repo} in:\n${report}`);
  return Number(share);
}

describe("npm run check:history", () => {
  it("pushes synthetic histories through the web server and worker and prints the share the repository page shows", async () => {
    const mark = cleanupMark();
    const notes: string[] = [];
    let databaseName: string | undefined;
    let report: string;
    try {
      const results = await checkHistory([human, agent], {
        note: (message) => {
          notes.push(message);
          databaseName ??= /database (sentinel_history_\w+)/.exec(message)?.[1];
        },
        postgresUrl: TEST_POSTGRES_URL,
        // The read window and the quiet time zone are chosen from "now": a fixed one keeps them off the calendar.
        now: new Date("2025-07-01T12:00:00Z"),
        pushSize: 20,
        top: 1,
        keepDatabase: false,
      });
      report = formatReport(results);
      expect(results.map((result) => [result.repo, result.pushed, result.analysed])).toEqual([
        ["careful/tool", 2, 2],
        ["agentic/app", 1, 1],
      ]);
      expect(results.every((result) => result.apiAiShare === result.aiShare)).toBe(true);
    } finally {
      await cleanUpTo(mark);
    }
    expect(printedShare(report, "careful/tool"), report).toBeLessThanOrEqual(3);
    expect(printedShare(report, "agentic/app"), report).toBeGreaterThanOrEqual(60);
    expect(report).toMatch(/\| careful\/tool \| human \| 2 \/ 2 \| \d+ \| .+ \| detector sentinel-detector-/);
    // Everything it created is gone.
    expect(databaseName, notes.join("\n")).toBeDefined();
    const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
    try {
      expect(await admin`select 1 from pg_database where datname = ${databaseName!}`).toHaveLength(0);
    } finally {
      await admin.end();
    }
  }, 90_000);

  it("checks its options before it reads or starts anything", () => {
    const corpus = mkdtempSync(path.join(tmpdir(), "check-history-options-"));
    try {
      writeFileSync(path.join(corpus, "a.jsonl.gz"), "");
      const issues = (env: Record<string, string>, values: Record<string, unknown>) => {
        const parsed = optionsSchema(env).safeParse(values);
        return parsed.success ? [] : parsed.error.issues.map((issue) => `--${issue.path.join(".")} ${issue.message}`);
      };
      const here = { SENTINEL_CORPUS_DIR: corpus };
      expect(optionsSchema(here).parse({ files: "a.jsonl.gz", repos: "lxc/incus, ruuda/rcl" })).toMatchObject({ repos: ["lxc/incus", "ruuda/rcl"], "push-size": 20, timeout: 2400 });
      expect(issues(here, { files: "../secrets.txt" })).toEqual(["--files takes file names of the corpus folder ending in .jsonl or .jsonl.gz"]);
      expect(issues(here, { files: "a.jsonl.gz", repos: "incus" })).toEqual(["--repos takes owner/name repositories, comma-separated"]);
      expect(issues(here, { files: "a.jsonl.gz", "push-size": "0" })).toEqual(["--push-size must be at least 1"]);
      expect(issues({ SENTINEL_CORPUS_DIR: "/nonexistent" }, { files: "a.jsonl.gz" })).toEqual(["--files names a.jsonl.gz, which is not in /nonexistent"]);
    } finally {
      rmSync(corpus, { recursive: true, force: true });
    }
  });
});
