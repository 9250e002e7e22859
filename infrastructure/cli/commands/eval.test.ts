import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectAgentMarkers, stripMarkers } from "../../../domain/detection/index.ts";
import { bufferIo } from "../../../tests/support/cli.ts";
import { CliUsageError } from "../command.ts";
import { evalCommand, readCorpus } from "./eval.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const corpusPath = resolve(repoRoot, "../shared/corpus/commits-dev.jsonl.gz");


async function runJson(args: string[]) {
  const io = bufferIo();
  expect(await evalCommand.run([corpusPath, "--json", ...args], io)).toBe(0);
  return JSON.parse(io.out());
}

// Held out while the soft signals were tuned (docs/decisions/010-detection-engine.md).
const HELD_OUT = "tursodatabase/turso,laravel/boost,modelcontextprotocol/csharp-sdk,spf13/cobra,psf/requests,pallets/flask";
// The other 21 repositories in three rotating folds (each mixes languages and both labels).
const FOLDS = [
  "Aider-AI/aider,antiwork/helper,charmbracelet/crush,epicweb-dev/epic-stack,expressjs/express,BurntSushi/ripgrep,google/gson",
  "getsentry/sentry-mcp,github/github-mcp-server,BloopAI/vibe-kanban,steipete/Peekaboo,modelcontextprotocol/java-sdk,go-chi/chi,tj/commander.js",
  "anthropics/claude-code-action,PrefectHQ/fastmcp,modelcontextprotocol/python-sdk,taskforcesh/bullmq,sindresorhus/got,Sairyss/domain-driven-hexagon",
];

describe("sentinel eval on the dev corpus", () => {
  it("meets the with-markers goal: recall ≥ 99 %, false-positive rate ≤ 0.5 %", async () => {
    const report = await runJson([]);
    expect(Object.keys(report).sort()).toEqual(["ai", "auc", "by_marker", "by_signal", "f1", "fn", "fp", "fpr", "human", "n", "precision", "recall", "threshold", "tn", "tp"]);
    expect(report).toMatchObject({ n: 2985, ai: 1478, human: 1507, threshold: 0.5 });
    expect(report.recall).toBeGreaterThanOrEqual(0.99);
    expect(report.fpr).toBeLessThanOrEqual(0.005);
    expect(report.by_signal["agent-identity"].fired_human).toBe(0);
  });

  it("holds the with-markers goal on the held-out repositories", async () => {
    const report = await runJson(["--only-repos", HELD_OUT]);
    expect(report.recall).toBeGreaterThanOrEqual(0.99);
    expect(report.fpr).toBeLessThanOrEqual(0.005);
  });

  it("meets the stripped goal overall (recall ≥ 40 %, false-positive rate ≤ 2 %) and keeps its false positives on held-out repositories", async () => {
    const all = await runJson(["--strip-markers"]);
    const heldOut = await runJson(["--strip-markers", "--only-repos", HELD_OUT]);
    for (const report of [all, heldOut]) expect(report.fpr).toBeLessThanOrEqual(0.02);
    // Floors just under the measured level (44.7 % overall, 24.9 % held out): see the decision record for why
    // the held-out repositories stay below the goal.
    expect(all.recall).toBeGreaterThanOrEqual(0.44);
    expect(heldOut.recall).toBeGreaterThanOrEqual(0.24);
    expect(Object.keys(all.by_signal).filter((id) => id.startsWith("agent-"))).toEqual([]);
  });

  it("keeps the stripped false-positive rate under 2 % on every repository fold", async () => {
    for (const fold of FOLDS) {
      const report = await runJson(["--strip-markers", "--only-repos", fold]);
      expect(report.fpr, fold).toBeLessThanOrEqual(0.02);
      // Measured 33.5 %, 67.1 %, 44.3 %.
      expect(report.recall, fold).toBeGreaterThanOrEqual(0.3);
    }
  });

  it("strips every marker the detector knows from every corpus record", async () => {
    const examples = await readCorpus(corpusPath);
    const left = examples.map((example) => detectAgentMarkers(stripMarkers(example.commit))).filter((signals) => signals.length > 0);
    expect(left).toEqual([]);
  });
});

describe("sentinel eval input errors", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sentinel-eval-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function usageError(args: string[]): Promise<string> {
    const error = await evalCommand.run(args, bufferIo()).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CliUsageError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }

  it("names a missing file", async () => {
    expect(await usageError([join(dir, "missing.jsonl.gz")])).toContain("no such file");
    expect(await usageError([])).toBe("path: missing <corpus.jsonl.gz> argument");
  });

  it("names the line of a corrupt record", async () => {
    const good = JSON.stringify({ repo: "o/r", label: "human", sha: "a", commit: { message: "m" }, files: [] });
    const path = join(dir, "corrupt.jsonl.gz");
    writeFileSync(path, gzipSync(`${good}\n{"repo": "o/r", "label": \n`));
    expect(await usageError([path])).toBe(`${path}:2: not valid JSON`);
    const badLabel = join(dir, "label.jsonl");
    writeFileSync(badLabel, `${good}\n${good.replace('"human"', '"robot"')}\n`);
    expect(await usageError([badLabel])).toMatch(/label\.jsonl:2: not a corpus record \(label: /);
  });

  it("rejects a threshold outside 0–1 and unknown options", async () => {
    expect(await usageError([corpusPath, "--threshold", "2"])).toBe("threshold: expected a number from 0 to 1");
    expect(await usageError([corpusPath, "--threshold", "abc"])).toBe("threshold: expected a number from 0 to 1");
    expect(await usageError([corpusPath, "--bogus"])).toContain("--bogus");
  });
});
