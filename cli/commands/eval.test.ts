import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeCommit, DETECTOR_TRAINING_PRIOR, fromCorpusRecord, type EvaluationReport } from "../../domain/detection/index.ts";
import { estimateAiShare } from "../../domain/metrics/ai-share.ts";
import { bufferIo } from "../../tests/support/cli.ts";
import { CliUsageError } from "../command.ts";
import { runCli } from "../main.ts";
import { evalCommand } from "./eval.ts";

// Small corpora in the corpus record format, written per test run. The engine's weights change over time, so the
// assertions check structure and relationships (counts, sums, the share estimator's own answer), not confidences.
let sequence = 0;
function record(repo: string, label: "ai" | "human", options: { message?: string; lines?: number; path?: string } = {}) {
  sequence += 1;
  const lines = options.lines ?? 4;
  const patch = `@@ -0,0 +1,${lines} @@\n${Array.from({ length: lines }, (_, index) => `+export const value${index} = ${index};`).join("\n")}`;
  const date = `2025-03-0${(sequence % 9) + 1}T10:00:00+00:00`;
  return {
    repo,
    label,
    marker: label === "ai" ? "claude-code-trailer" : null,
    sha: sequence.toString(16).padStart(40, "0"),
    parents: [],
    commit: {
      author: { name: "Dev", email: "dev@example.com", date },
      committer: { name: "Dev", email: "dev@example.com", date },
      message:
        options.message ??
        (label === "ai"
          ? "Add values module\n\nExplains the change at length.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>"
          : "add values"),
    },
    stats: { additions: lines, deletions: 0, total: lines },
    files: [{ filename: options.path ?? `src/values${sequence}.ts`, status: "added", additions: lines, deletions: 0, changes: lines, patch }],
    truncated: false,
    x_author_prev: null,
  };
}

type CorpusRecord = ReturnType<typeof record>;
const jsonl = (records: CorpusRecord[]) => `${records.map((entry) => JSON.stringify(entry)).join("\n")}\n`;

const fileA = [record("o/agent", "ai", { lines: 40 }), record("o/agent", "ai", { lines: 12 }), record("o/both", "human", { lines: 3 })];
const fileB = [record("o/people", "human", { lines: 2 }), record("o/people", "human", { lines: 0 }), record("o/both", "ai", { lines: 25 })];
const fileC = [record("o/people", "human", { lines: 7, path: "package-lock.json" })];

let dir: string;
let pathA: string;
let pathB: string;
let pathC: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sentinel-eval-"));
  pathA = join(dir, "a.jsonl.gz");
  pathB = join(dir, "b.jsonl");
  pathC = join(dir, "c.jsonl.gz");
  writeFileSync(pathA, gzipSync(jsonl(fileA)));
  writeFileSync(pathB, jsonl(fileB));
  writeFileSync(pathC, gzipSync(jsonl(fileC)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runJson(args: string[]): Promise<EvaluationReport> {
  const io = bufferIo();
  expect(await evalCommand.run([...args, "--json"], io)).toBe(0);
  expect(io.err()).toBe("");
  return JSON.parse(io.out()) as EvaluationReport;
}

/** What the engine says about the fixture records, computed independently of the command. */
function attributions(records: CorpusRecord[]) {
  return records.map((entry) => ({ repo: entry.repo, label: entry.label, ...analyzeCommit(fromCorpusRecord(entry).commit, { commitOnly: true }) }));
}

describe("sentinel eval over several corpus files", () => {
  it("scores the records of every file together and reports each file, repository, FPR target and calibration bin", async () => {
    const report = await runJson([pathA, pathB, pathC]);
    expect(report).toMatchObject({ n: 7, ai: 3, human: 4, threshold: 0.5 });
    expect(Object.keys(report)).toEqual([
      "n", "ai", "human", "threshold", "tp", "fp", "tn", "fn", "precision", "recall", "fpr", "f1", "auc", "by_marker", "by_signal",
      "by_file", "by_repo", "recall_at_fpr", "threshold_at_fpr", "calibration", "ece",
    ]);

    expect(Object.keys(report.by_file)).toEqual(["a.jsonl.gz", "b.jsonl", "c.jsonl.gz"]);
    expect(report.by_file["a.jsonl.gz"]).toMatchObject({ n: 3, ai: 2, human: 1 });
    expect(report.by_file["b.jsonl"]).toMatchObject({ n: 3, ai: 1, human: 2 });
    expect(report.by_file["c.jsonl.gz"]).toMatchObject({ n: 1, ai: 0, human: 1, recall: null });
    const files = Object.values(report.by_file);
    expect(files.reduce((sum, file) => sum + file.flagged, 0)).toBe(report.tp + report.fp);

    const scored = attributions([...fileA, ...fileB, ...fileC]);
    expect(Object.keys(report.by_repo)).toEqual(["o/agent", "o/both", "o/people"]);
    expect(report.by_repo["o/agent"]?.label).toBe("ai");
    expect(report.by_repo["o/both"]?.label).toBe("mixed");
    expect(report.by_repo["o/people"]?.label).toBe("human");
    for (const [repo, entry] of Object.entries(report.by_repo)) {
      const commits = scored.filter((commit) => commit.repo === repo);
      expect(entry.n, repo).toBe(commits.length);
      expect(entry.flagged, repo).toBe(commits.filter((commit) => commit.confidence >= 0.5).length);
      expect(entry.lines_added, repo).toBe(commits.reduce((sum, commit) => sum + commit.writtenLines, 0));
      const estimate = estimateAiShare(
        commits.map((commit) => ({ confidence: commit.confidence, lines: commit.writtenLines })),
        { trainingPrior: DETECTOR_TRAINING_PRIOR },
      );
      expect(entry.ai_share, repo).toBeCloseTo(estimate.share ?? 0, 4);
      expect(entry.ai_lines, repo).toBeCloseTo(estimate.aiLines, 4);
      expect(entry.ai_share_low, repo).toBeLessThanOrEqual(entry.ai_share);
      expect(entry.ai_share_high, repo).toBeGreaterThanOrEqual(entry.ai_share);
    }
    // Written lines are the added lines of code: 40 + 12, and for o/people 2 + 0 + none of the lockfile's 7.
    expect(report.by_repo["o/agent"]?.lines_added).toBe(52);
    expect(report.by_repo["o/people"]?.lines_added).toBe(2);

    expect(Object.keys(report.recall_at_fpr)).toEqual(["0.001", "0.005", "0.01", "0.02"]);
    expect(Object.keys(report.threshold_at_fpr)).toEqual(["0.001", "0.005", "0.01", "0.02"]);
    for (const recall of Object.values(report.recall_at_fpr)) expect(recall).toBeGreaterThanOrEqual(0);

    expect(report.calibration.map((bin) => bin.bin)).toHaveLength(10);
    expect(report.calibration.reduce((sum, bin) => sum + bin.count, 0)).toBe(7);
    expect(report.calibration.reduce((sum, bin) => sum + (bin.ai_fraction ?? 0) * bin.count, 0)).toBeCloseTo(3, 2);
    expect(report.ece).toBeGreaterThanOrEqual(0);
    expect(report.ece).toBeLessThanOrEqual(1);
  });

  it("applies --only-repos / --skip-repos across files", async () => {
    const only = await runJson([pathA, pathB, "--only-repos", "o/both"]);
    expect(only).toMatchObject({ n: 2, ai: 1, human: 1 });
    expect(Object.keys(only.by_repo)).toEqual(["o/both"]);
    const skipped = await runJson([pathA, pathB, pathC, "--skip-repos", "o/people,o/agent"]);
    expect(Object.keys(skipped.by_file)).toEqual(["a.jsonl.gz", "b.jsonl"]);
  });

  it("names a file by its path where two basenames collide", async () => {
    const other = join(dir, "other");
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, "b.jsonl"), jsonl(fileC));
    const report = await runJson([pathB, join(other, "b.jsonl")]);
    expect(Object.keys(report.by_file).sort()).toEqual([join(other, "b.jsonl"), pathB].sort());
  });

  it("prints calibration, recall at each FPR, the files and the repositories in the human-readable report", async () => {
    const io = bufferIo();
    expect(await evalCommand.run([pathA, pathB, pathC, "--strip-markers"], io)).toBe(0);
    const out = io.out();
    expect(out).toContain("7 commits (3 ai, 4 human), threshold 0.5, markers stripped");
    expect(out).toMatch(/recall at false-positive rate ≤ 0\.1 %: .*0\.5 %: .*1\.0 %: .*2\.0 %: /);
    expect(out).toMatch(/calibration \(expected calibration error \d\.\d{3}\):/);
    expect(out).toMatch(/^ {2}0\.9-1\.0 /m);
    expect(out).toMatch(/^c\.jsonl\.gz +1 +0 +1 /m);
    expect(out).toMatch(/^o\/agent +ai +2 +\d+ +52 +\d+\.\d %/m);
    expect(out).toMatch(/^o\/both +mixed +2 /m);
    expect(io.err()).toBe("");
  });

  it("shows progress on stderr only when it is a terminal", async () => {
    const tty = bufferIo({ isTTY: true });
    expect(await evalCommand.run([pathA, pathB, "--json"], tty)).toBe(0);
    expect(tty.err()).toContain("reading");
    expect(tty.err()).toContain("scoring");
    expect(tty.err()).toContain("6/6");
    expect(JSON.parse(tty.out())).toMatchObject({ n: 6 });
  });
});

describe("sentinel eval input errors", () => {
  async function usageError(args: string[]): Promise<string> {
    const io = bufferIo({ isTTY: true });
    const error = await evalCommand.run(args, io).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CliUsageError);
    // Nothing was scored: no report and no scoring progress.
    expect(io.out()).toBe("");
    expect(io.err()).not.toContain("scoring");
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }

  it("names a missing file, even after good ones", async () => {
    const missing = join(dir, "missing.jsonl.gz");
    expect(await usageError([pathA, pathB, missing])).toBe(`${missing}: no such file`);
    expect(await usageError([dir])).toBe(`${dir}: is a directory, not a corpus file`);
  });

  it("names the file of a corrupt gzip", async () => {
    const notGzip = join(dir, "plain.jsonl.gz");
    writeFileSync(notGzip, jsonl(fileA));
    expect(await usageError([pathA, notGzip])).toBe(`${notGzip}: not a gzip file`);
    const cut = join(dir, "cut.jsonl.gz");
    const whole = gzipSync(jsonl(fileA));
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    expect(await usageError([cut, pathB])).toMatch(new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not a valid gzip file \\(`));
  });

  it("names the file and line of a corrupt record", async () => {
    const good = JSON.stringify(fileA[0]);
    const badJson = join(dir, "corrupt.jsonl.gz");
    writeFileSync(badJson, gzipSync(`${good}\n{"repo": "o/r", "label": \n`));
    expect(await usageError([pathA, badJson])).toBe(`${badJson}:2: not valid JSON`);
    const badLabel = join(dir, "label.jsonl");
    writeFileSync(badLabel, `${good}\n\n${good.replace('"ai"', '"robot"')}\n`);
    expect(await usageError([badLabel, pathB])).toMatch(/label\.jsonl:3: not a corpus record \(label: /);
    const notRecord = join(dir, "array.jsonl");
    writeFileSync(notRecord, `[1, 2]\n`);
    expect(await usageError([notRecord])).toMatch(/array\.jsonl:1: not a corpus record \(/);
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "\n");
    expect(await usageError([empty])).toBe(`${empty}: no records`);
  });

  it("validates the options", async () => {
    expect(await usageError([])).toBe("files: missing <corpus.jsonl.gz> argument");
    expect(await usageError([pathA, pathB, pathA])).toBe(`files: ${pathA} is listed twice`);
    expect(await usageError([pathA, "--threshold", "2"])).toBe("threshold: expected a number from 0 to 1");
    expect(await usageError([pathA, "--threshold", "abc"])).toBe("threshold: expected a number from 0 to 1");
    expect(await usageError([pathA, "--bogus"])).toContain("--bogus");
    expect(await usageError([pathA, "--only-repos", "nobody/here"])).toBe("no records left after --only-repos/--skip-repos");
  });

  it("exits 2 with one line on stderr from the CLI", async () => {
    const io = bufferIo();
    const missing = join(dir, "nope.jsonl.gz");
    expect(await runCli(["eval", pathA, missing], io)).toBe(2);
    expect(io.err()).toBe(`sentinel eval: ${missing}: no such file\n`);
    expect(io.out()).toBe("");
  });
});
