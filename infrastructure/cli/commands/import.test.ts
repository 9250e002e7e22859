import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/database.ts";
import { codeAttribution, codeEvents, commits, organizations, repositories } from "../../db/schema/index.ts";
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
