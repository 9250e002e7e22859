import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DETECTOR_VERSION } from "../../domain/detection/index.ts";
import { bufferIo } from "../../tests/support/cli.ts";
import { createTestDatabase, waitForLockWaiter, type TestDatabase } from "../../tests/support/database.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import {
  HISTORY_NOW,
  OLD_DETECTOR_VERSION,
  rewindToOldDetector,
  seedAnalysedHistory,
  snapshotMetrics,
  snapshotVerdicts,
  type AnalysedHistory,
} from "../../tests/support/rescore-history.ts";
import { recomputeStaleMetrics } from "../../application/metrics/recompute.ts";
import { markMetricsStale } from "../../application/metrics/stale-ranges.ts";
import { createMemoryLock } from "../../infrastructure/queue/memory-lock.ts";
import { runCli } from "../main.ts";

let database: TestDatabase;
let history: AnalysedHistory;
let fresh: Awaited<ReturnType<typeof snapshotVerdicts>>;
let freshMetrics: Awaited<ReturnType<typeof snapshotMetrics>>;
let gitDir: string;
const savedEnv = { ...process.env };

/** The commands run as of the history's fixed now, so which days they recompute does not move with the calendar. */
const clock = fixedClock(HISTORY_NOW);

/** Metrics of the verdicts stored now, over the whole history, as the command computes them (as of HISTORY_NOW). */
async function recomputeWholeHistory(): Promise<void> {
  await markMetricsStale(database.db, { orgId: history.orgId, repoId: history.repoId, first: "2026-06-01T00:00:00Z", last: "2026-06-10T23:00:00Z" });
  await recomputeStaleMetrics({ db: database.db, lock: createMemoryLock(), now: clock.now() }, [history.repoId]);
}

async function versions(repoId: string): Promise<string[]> {
  const rows = await database.sql<{ detector_version: string }[]>`
    select detector_version from commits where repo_id = ${repoId} order by authored_at, sha`;
  return rows.map((row) => row.detector_version);
}

const SUMMARY = /^Re-scored (\d+) commits? with (\S+) \((\d+) changed confidence\) in (\d+) repositor(?:y|ies)(?:: ([^;]+))?; skipped (\d+) already current; metrics recomputed for (\d+) days?; \d+\.\d s\.\n$/;

beforeAll(async () => {
  database = await createTestDatabase();
  history = await seedAnalysedHistory(database.db, "cli-rescore", { owner: 92001, repo: 92002, installation: 9201 });
  process.env.DATABASE_URL = database.url;
  delete process.env.REDIS_URL;
  process.env.LOG_LEVEL = "silent";
  fresh = await snapshotVerdicts(database.sql, history.repoId);
  await recomputeWholeHistory();
  freshMetrics = await snapshotMetrics(database.sql, history.repoId);

  // A local clone imported with `sentinel import`: its analyses were given their context (no PR, git's own order).
  gitDir = mkdtempSync(path.join(tmpdir(), "sentinel-rescore-"));
  const git = (args: string[], env: Record<string, string> = {}) => execFileSync("git", ["-C", gitDir, ...args], { env: { ...process.env, ...env }, stdio: "ignore" });
  execFileSync("git", ["init", "-q", "-b", "main", gitDir]);
  for (let index = 0; index < 5; index += 1) {
    writeFileSync(path.join(gitDir, `tool${index}.ts`), `export function tool${index}(input: string): string {\n  return input.trim();\n}\n`);
    git(["add", "."]);
    const date = `2026-05-0${index + 1}T23:30:00+02:00`;
    const message = index % 2 === 0 ? `Add tool ${index}\n\nCo-Authored-By: Claude <noreply@anthropic.com>` : `Add tool ${index}`;
    const who = { GIT_AUTHOR_NAME: "Ada", GIT_AUTHOR_EMAIL: "ada@example.com", GIT_COMMITTER_NAME: "Ada", GIT_COMMITTER_EMAIL: "ada@example.com" };
    git(["commit", "-q", "-m", message], { ...who, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  }
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  rmSync(gitDir, { recursive: true, force: true });
  await database?.drop();
});

describe("sentinel rescore", () => {
  it("re-scores a detector change's commits to what a fresh analysis writes, recomputes their metrics, and a second run re-scores none", async () => {
    await rewindToOldDetector(database.sql, history.repoId);
    await recomputeWholeHistory();
    expect((await snapshotMetrics(database.sql, history.repoId)).metrics).not.toEqual(freshMetrics.metrics);

    const io = bufferIo({ clock });
    expect(await runCli(["rescore", "--repo", history.fullName], io)).toBe(0);
    const [, rescored, version, changed, repositories, how, skipped, days] = SUMMARY.exec(io.out()) ?? [];
    expect({ rescored, version, changed, repositories, how, skipped, days }).toEqual({
      rescored: "24",
      version: DETECTOR_VERSION,
      changed: "24",
      repositories: "1",
      how: "24 from stored input",
      skipped: "0",
      // The re-scored days and those after them up to the day before HISTORY_NOW, which read them in their AI-share
      // prior window.
      days: "30",
    });
    expect(io.err()).toContain("rescore: 24/24 (100 %)");
    expect(io.err()).toContain(`metrics ${history.fullName}: 30/30 (100 %)`);
    expect(await snapshotVerdicts(database.sql, history.repoId)).toEqual(fresh);
    expect(await snapshotMetrics(database.sql, history.repoId)).toEqual(freshMetrics);

    const again = bufferIo({ isTTY: true, clock });
    expect(await runCli(["rescore", "--org", history.orgSlug], again)).toBe(0);
    expect(again.out()).toMatch(/^Re-scored 0 commits with \S+ \(0 changed confidence\) in 0 repositories; skipped 24 already current; metrics recomputed for 0 days; /);
    expect(await snapshotVerdicts(database.sql, history.repoId)).toEqual(fresh);
  });

  it("killed midway, leaves whole batches; run again, it finishes and the result equals an uninterrupted run", async () => {
    await rewindToOldDetector(database.sql, history.repoId);
    // The third commit is locked by this test: the child writes the first batch of two, then waits inside the second.
    const [third] = await database.sql<{ sha: string }[]>`
      select sha from commits where repo_id = ${history.repoId} order by authored_at, sha offset 2 limit 1`;
    const holder = await database.sql.reserve();
    await holder`begin`;
    await holder`select 1 from commits where repo_id = ${history.repoId} and sha = ${third!.sha} for update`;
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "test", DATABASE_URL: database.url, LOG_LEVEL: "warn" };
    delete env.REDIS_URL;
    const child = spawn(process.execPath, ["bin/sentinel.js", "rescore", "--repo", history.fullName, "--batch-size", "2"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, "exit");
    try {
      await waitForLockWaiter(database.sql, database.name, { timeoutMs: 30_000, what: `the child's second batch (output: ${output})` });
      child.kill("SIGKILL");
      await exited;
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await holder`rollback`;
      holder.release();
    }
    const midway = await versions(history.repoId);
    expect(midway.slice(0, 2)).toEqual([DETECTOR_VERSION, DETECTOR_VERSION]);
    expect(midway.slice(2).every((version) => version === OLD_DETECTOR_VERSION)).toBe(true);
    expect(await database.sql`select 1 from metrics_stale_ranges where repo_id = ${history.repoId}`).toHaveLength(1);

    const io = bufferIo({ clock });
    expect(await runCli(["rescore", "--repo", history.fullName], io)).toBe(0);
    expect(io.out()).toMatch(/^Re-scored 22 commits .* skipped 2 already current; metrics recomputed for 30 days; /);
    expect(await snapshotVerdicts(database.sql, history.repoId)).toEqual(fresh);
    expect(await snapshotMetrics(database.sql, history.repoId)).toEqual(freshMetrics);
  }, 60_000);

  it("re-scores `sentinel import`'s commits with the context their import gave them", async () => {
    expect(await runCli(["import", gitDir, "--repo", "acme/tools", "--org", "acme-local"], bufferIo({ clock }))).toBe(0);
    const [repo] = await database.sql<{ id: string }[]>`select id from repositories where full_name = 'acme/tools'`;
    const imported = await snapshotVerdicts(database.sql, repo!.id);
    expect(imported.inputs.every((row) => (row.input as { context: unknown }).context !== null)).toBe(true);
    await rewindToOldDetector(database.sql, repo!.id);
    const io = bufferIo({ isTTY: true, clock });
    expect(await runCli(["rescore", "--org", "acme-local"], io)).toBe(0);
    expect(io.out()).toMatch(/^Re-scored 5 commits .* in 1 repository: 5 from stored input; skipped 0 already current; /);
    expect(io.err()).toMatch(/\rrescore {6}\[#{24}\] 5\/5 100 %\n/);
    expect(await snapshotVerdicts(database.sql, repo!.id)).toEqual(imported);

    // Imported before inputs were kept: git could re-read it, but Sentinel does not record where the clone is.
    const [oldest] = imported.inputs;
    await database.sql`delete from commit_detection_inputs where repo_id = ${repo!.id} and commit_sha = ${oldest!.commit_sha}`;
    await rewindToOldDetector(database.sql, repo!.id);
    const legacy = bufferIo({ clock });
    expect(await runCli(["rescore", "--org", "acme-local"], legacy)).toBe(0);
    expect(legacy.out()).toMatch(
      /^Re-scored 4 commits .* in 1 repository: 4 from stored input; skipped 0 already current, 1 that cannot be rebuilt without GitHub \(1: no stored input and imported from a local clone whose path Sentinel does not record\); /,
    );
    const [kept] = await database.sql<{ detector_version: string }[]>`
      select detector_version from commits where repo_id = ${repo!.id} and sha = ${oldest!.commit_sha}`;
    expect(kept!.detector_version).toBe(OLD_DETECTOR_VERSION);
  });

  it("says which commits it rebuilt from their push payloads (analysed before inputs were kept)", async () => {
    const legacy = history.records.slice(0, 2).map((record) => record.sha);
    await database.sql`delete from commit_detection_inputs where repo_id = ${history.repoId} and commit_sha in ${database.sql(legacy)}`;
    await rewindToOldDetector(database.sql, history.repoId);
    const io = bufferIo({ clock });
    expect(await runCli(["rescore", "--repo", history.fullName], io)).toBe(0);
    expect(io.out()).toMatch(/^Re-scored 24 commits with \S+ \(24 changed confidence\) in 1 repository: 22 from stored input, 2 rebuilt from push payload; skipped 0 already current; /);
    const { inputs, ...rows } = await snapshotVerdicts(database.sql, history.repoId);
    const { inputs: _freshInputs, ...freshRows } = fresh;
    expect(rows).toEqual(freshRows);
    expect(inputs.filter((row) => (row.input as { rebuiltFrom?: string }).rebuiltFrom === "push-payload").map((row) => row.commit_sha).sort()).toEqual([...legacy].sort());
  });

  it("an unknown organisation or repository is one clear line and a non-zero exit; bad input is a usage error", async () => {
    const unknownRepo = bufferIo({ clock });
    expect(await runCli(["rescore", "--repo", "nobody/nothing"], unknownRepo)).toBe(1);
    expect(unknownRepo.err()).toBe("sentinel rescore: no enabled repository named nobody/nothing\n");
    expect(unknownRepo.out()).toBe("");

    const unknownOrg = bufferIo({ clock });
    expect(await runCli(["rescore", "--org", "nobody"], unknownOrg)).toBe(1);
    expect(unknownOrg.err()).toBe('sentinel rescore: no organisation with the slug "nobody"\n');

    const wrongOrg = bufferIo({ clock });
    expect(await runCli(["rescore", "--org", "acme-local", "--repo", history.fullName], wrongOrg)).toBe(1);
    expect(wrongOrg.err()).toBe(`sentinel rescore: no enabled repository named ${history.fullName} in organisation "acme-local"\n`);

    for (const [args, message] of [
      [["--repo", "not-a-repo"], "--repo must be owner/name"],
      [["--org", "Not A Slug"], "--org must be a slug"],
      [["--limit", "0"], "--limit must be a positive integer"],
      [["--batch-size", "lots"], "--batch-size must be an integer from 1 to 1000"],
      [["--frobnicate"], "Unknown option '--frobnicate'"],
      [["everything"], 'unexpected argument "everything"'],
    ] as const) {
      const bad = bufferIo({ clock });
      expect(await runCli(["rescore", ...args], bad)).toBe(2);
      expect(bad.err()).toContain(message);
      expect(bad.err().trim().split("\n")).toHaveLength(1);
    }
  });
});
