import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { codeAttribution, codeEvents, commitFailures, commits, organizations, repositories } from "../../infrastructure/db/schema/index.ts";
import { runCli } from "../main.ts";

let database: TestDatabase;
let dir: string;
const savedEnv = { ...process.env };

function git(args: string[], env: Record<string, string> = {}): void {
  execFileSync("git", ["-C", dir, ...args], { env: { ...process.env, ...env }, stdio: "ignore" });
}

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), "sentinel-import-"));
  execFileSync("git", ["init", "-q", "-b", "main", dir]);
  const people = { GIT_AUTHOR_NAME: "Ada", GIT_AUTHOR_EMAIL: "ada@example.com", GIT_COMMITTER_NAME: "Ada", GIT_COMMITTER_EMAIL: "ada@example.com" };
  for (let index = 0; index < 6; index += 1) {
    writeFileSync(path.join(dir, `module${index}.ts`), `export function handler${index}(input: string): string {\n  return input.trim();\n}\n`);
    git(["add", "."]);
    const date = `2025-0${index + 1}-15T10:00:00+02:00`;
    const message = index % 2 === 0 ? `Add handler ${index}\n\nCo-Authored-By: Claude <noreply@anthropic.com>` : `Add handler ${index}`;
    git(["commit", "-q", "-m", message], { ...people, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  }
  process.env.DATABASE_URL = database.url;
  delete process.env.REDIS_URL;
  process.env.LOG_LEVEL = "silent";
});

afterAll(async () => {
  process.env = savedEnv;
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => new Writable({ write: (chunk, _encoding, done) => void (into.push(String(chunk)), done()) });
  return { out, err, io: { stdout: sink(out), stderr: sink(err), isTTY: false } };
}

async function count(table: typeof commits | typeof codeEvents | typeof codeAttribution, repoId: string): Promise<number> {
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(table).where(eq(table.repoId, repoId));
  return row!.n;
}

describe("sentinel import", () => {
  it("imports a local clone through the write path and the engine; a second run adds nothing", async () => {
    const first = io();
    expect(await runCli(["import", dir, "--repo", "acme/tools", "--org", "acme-local"], first.io)).toBe(0);
    expect(first.out.join("")).toMatch(/6 commits read, 6 new, 6 analysed/);
    expect(first.err.join("")).toMatch(/import: 6\/6 \(100 %\)/);
    const [repo] = await database.db.select().from(repositories).where(eq(repositories.fullName, "acme/tools"));
    expect(repo).toMatchObject({ source: "local", githubId: null, defaultBranch: "main" });
    const [org] = await database.db.select().from(organizations).where(eq(organizations.id, repo!.orgId));
    expect(org!.slug).toBe("acme-local");
    expect(await count(commits, repo!.id)).toBe(6);
    expect(await count(codeEvents, repo!.id)).toBe(6);
    const attributionRows = await count(codeAttribution, repo!.id);
    expect(attributionRows).toBe(6);
    const flagged = await database.db.select({ sha: commits.sha, confidence: commits.aiConfidence }).from(commits).where(eq(commits.repoId, repo!.id));
    expect(flagged.filter((row) => (row.confidence ?? 0) >= 0.5)).toHaveLength(3);

    const second = io();
    expect(await runCli(["import", dir, "--repo", "acme/tools", "--org", "acme-local"], second.io)).toBe(0);
    expect(second.out.join("")).toMatch(/6 commits read, 0 new, 0 analysed/);
    expect(await count(commits, repo!.id)).toBe(6);
    expect(await count(codeAttribution, repo!.id)).toBe(attributionRows);
  });

  it("--since limits the history; bad input is a usage error", async () => {
    const run = io();
    expect(await runCli(["import", dir, "--repo", "acme/recent", "--org", "acme-local", "--since", "2025-04-01"], run.io)).toBe(0);
    expect(run.out.join("")).toMatch(/3 commits read/);
    const bad = io();
    expect(await runCli(["import", dir, "--repo", "not-a-repo"], bad.io)).toBe(2);
    expect(bad.err.join("")).toMatch(/owner\/name/);
    const missing = io();
    expect(await runCli(["import", path.join(dir, "nope"), "--repo", "a/b"], missing.io)).toBe(2);
  });
});

/**
 * A history with one commit PostgreSQL refuses for real: it adds a file whose path (3,000 characters, written to git's
 * index directly, no file system involved) makes its attribution row's unique-index entry larger than a btree page
 * allows ("index row size … exceeds btree version 4 maximum 2704"). And one that turns a file into a symlink, which
 * git prints as a deletion and an addition of one path: that one aborted whole imports before.
 */
function historyWithOneRefusedCommit(options: { onlyRefused?: boolean } = {}): { dir: string; refused: string; linked: string; shas: string[] } {
  const repoDir = mkdtempSync(path.join(tmpdir(), "sentinel-import-refused-"));
  const people = { GIT_AUTHOR_NAME: "Ada", GIT_AUTHOR_EMAIL: "ada@example.com", GIT_COMMITTER_NAME: "Ada", GIT_COMMITTER_EMAIL: "ada@example.com" };
  let day = 10;
  const run = (args: string[]) => execFileSync("git", ["-C", repoDir, ...args], { env: { ...process.env, ...people }, encoding: "utf8" }).trim();
  const commit = (message: string) => {
    const date = `2025-03-${day++}T10:00:00+00:00`;
    execFileSync("git", ["-C", repoDir, "commit", "-q", "-m", message], { env: { ...process.env, ...people, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }, stdio: "ignore" });
    return run(["rev-parse", "HEAD"]);
  };
  run(["init", "-q", "-b", "main"]);
  let first = "";
  if (!options.onlyRefused) {
    writeFileSync(path.join(repoDir, "settings.yml"), "retries: 3\ntimeout: 30\n");
    writeFileSync(path.join(repoDir, "defaults.yml"), "retries: 1\n");
    run(["add", "."]);
    first = commit("Add settings");
  }
  // Hex does not compress, so the index entry stays as long as the path.
  let seed = "sentinel";
  const hex = Array.from({ length: 48 }, () => (seed = createHash("sha256").update(seed).digest("hex"))).join("");
  const segments = Array.from({ length: 15 }, (_, index) => hex.slice(index * 200, (index + 1) * 200));
  const longPath = `generated/${segments.join("/")}/handler.ts`;
  const blob = execFileSync("git", ["-C", repoDir, "hash-object", "-w", "--stdin"], { input: "export const handler = () => 1;\n", encoding: "utf8" }).trim();
  run(["update-index", "--add", "--cacheinfo", `100644,${blob},${longPath}`]);
  const refused = commit("Add a generated handler");
  if (options.onlyRefused) return { dir: repoDir, refused, linked: "", shas: [refused] };
  unlinkSync(path.join(repoDir, "settings.yml"));
  symlinkSync("defaults.yml", path.join(repoDir, "settings.yml"));
  // Named, not "-A": the long path exists only in the index, and "-A" would record its deletion.
  run(["add", "settings.yml"]);
  const linked = commit("Use the default settings");
  writeFileSync(path.join(repoDir, "service.ts"), "export function serve(port: number): number {\n  return port;\n}\n");
  run(["add", "service.ts"]);
  const last = commit("Add the service");
  return { dir: repoDir, refused, linked, shas: [first, refused, linked, last] };
}

describe("sentinel import: a commit that cannot be stored", () => {
  it("stores the other commits, records the refused one with PostgreSQL's reason, lists it at the end and exits 0", async () => {
    const history = historyWithOneRefusedCommit();
    try {
      // A commit an earlier run could not store, stored by this one: its failure row goes away.
      const [org] = await database.db.insert(organizations).values({ slug: "acme-failures", name: "acme" }).returning();
      const [repo] = await database.db.insert(repositories).values({ orgId: org!.id, fullName: "acme/failures", defaultBranch: "main", source: "local" }).returning();
      await database.db.insert(commitFailures).values({ orgId: org!.id, repoId: repo!.id, sha: history.linked, stage: "import", reason: "an older failure" });

      const run = io();
      const code = await runCli(["import", history.dir, "--repo", "acme/failures", "--org", "acme-failures"], run.io);
      expect(run.out.join("")).toMatch(/4 commits read, 4 new, 3 analysed/);
      expect(run.err.join("")).toMatch(
        new RegExp(`1 commit could not be stored:\\n  ${history.refused.slice(0, 7)}  PostgreSQL refused the commit: index row size \\d+ exceeds btree version 4 maximum 2704`),
      );
      expect(code).toBe(0);

      const failures = await database.db.select().from(commitFailures).where(eq(commitFailures.repoId, repo!.id));
      expect(failures).toEqual([expect.objectContaining({ orgId: repo!.orgId, sha: history.refused, stage: "import", reason: expect.stringMatching(/index row size/) })]);
      const stored = await database.db.select({ sha: commits.sha, status: commits.analysisStatus }).from(commits).where(eq(commits.repoId, repo!.id));
      expect(Object.fromEntries(stored.map((row) => [row.sha, row.status]))).toEqual({
        [history.shas[0]!]: "analyzed",
        [history.refused]: "failed",
        [history.linked]: "analyzed",
        [history.shas[3]!]: "analyzed",
      });
      // The refused commit's verdict is all or nothing: not one of its attribution rows was kept.
      const attribution = await database.db
        .select({ sha: codeAttribution.commitSha, path: codeAttribution.filePath, changeType: codeAttribution.changeType })
        .from(codeAttribution)
        .where(eq(codeAttribution.repoId, repo!.id));
      expect(attribution.filter((row) => row.sha === history.refused)).toEqual([]);
      expect(attribution.filter((row) => row.sha === history.linked)).toEqual([{ sha: history.linked, path: "settings.yml", changeType: "changed" }]);
    } finally {
      rmSync(history.dir, { recursive: true, force: true });
    }
  });

  it("records a commit git cannot read (a missing object) with git's fatal line and imports the others", async () => {
    const history = historyWithOneRefusedCommit();
    try {
      const blob = execFileSync("git", ["-C", history.dir, "rev-parse", `${history.shas[3]}:service.ts`], { encoding: "utf8" }).trim();
      unlinkSync(path.join(history.dir, ".git", "objects", blob.slice(0, 2), blob.slice(2)));
      const run = io();
      expect(await runCli(["import", history.dir, "--repo", "acme/unreadable", "--org", "acme-failures"], run.io)).toBe(0);
      expect(run.out.join("")).toMatch(/3 commits read, 3 new, 2 analysed/);
      expect(run.err.join("")).toContain(`2 commits could not be stored:\n  ${history.shas[3]!.slice(0, 7)}  fatal: unable to read ${blob}\n  ${history.refused.slice(0, 7)}  PostgreSQL refused`);
      const [repo] = await database.db.select().from(repositories).where(eq(repositories.fullName, "acme/unreadable"));
      const failures = await database.db.select({ sha: commitFailures.sha, stage: commitFailures.stage, reason: commitFailures.reason }).from(commitFailures).where(eq(commitFailures.repoId, repo!.id));
      expect(failures).toContainEqual({ sha: history.shas[3], stage: "import", reason: `fatal: unable to read ${blob}` });
      expect(await count(commits, repo!.id)).toBe(3);
    } finally {
      rmSync(history.dir, { recursive: true, force: true });
    }
  });

  it("exits non-zero when no commit could be stored", async () => {
    const history = historyWithOneRefusedCommit({ onlyRefused: true });
    try {
      const run = io();
      expect(await runCli(["import", history.dir, "--repo", "acme/only-refused", "--org", "acme-failures"], run.io)).toBe(1);
      expect(run.out.join("")).toMatch(/1 commits read, 1 new, 0 analysed/);
      expect(run.err.join("")).toContain(`1 commit could not be stored:\n  ${history.refused.slice(0, 7)}  PostgreSQL refused the commit`);
    } finally {
      rmSync(history.dir, { recursive: true, force: true });
    }
  });
});
