import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DETECTOR_VERSION } from "../../domain/detection/index.ts";
import { bufferIo } from "../../tests/support/cli.ts";
import { CliUsageError } from "../command.ts";
import { analyzeCommand } from "./analyze.ts";

let repo: string;


function commit(message: string, date: string, author = ["Dana Smith", "dana@example.org"]): void {
  execFileSync("git", ["-C", repo, "add", "."], { stdio: "pipe" });
  const [name = "", email = ""] = author;
  execFileSync("git", ["-C", repo, "commit", "-q", "-m", message], {
    stdio: "pipe",
    env: { ...process.env, GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  });
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "sentinel-analyze-"));
  execFileSync("git", ["init", "-q", "-b", "main", repo], { stdio: "pipe" });
  mkdirSync(join(repo, "src", "auth"), { recursive: true });
  writeFileSync(join(repo, "README.md"), "# Demo\n");
  commit("Initial commit", "2025-05-01T10:00:00+02:00");
  writeFileSync(join(repo, "src", "auth", "session.ts"), "export function createSession(user) {\n  if (!user) throw new Error('no user');\n  return { user };\n}\n");
  commit("Add sessions\n\nCo-authored-by: Cursor <cursoragent@cursor.com>", "2025-05-02T11:00:00+02:00");
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("sentinel analyze", () => {
  it("prints a readable table with confidence, signals and flagged files", async () => {
    const io = bufferIo();
    expect(await analyzeCommand.run([repo], io)).toBe(0);
    const out = io.out();
    expect(out).toMatch(/^sha\s+conf/);
    // The trailer alone gives 0.90; the model's own reading of the commit can only add to it.
    expect(out).toMatch(/0\.9\d +2025-05-02T11:00 +Dana Smith +Add sessions/);
    expect(out).toContain('agent-coauthor-trailer (0.90): Cursor co-author trailer: "Co-authored-by: Cursor <cursoragent@cursor.com>"');
    expect(out).toContain("FLAGGED T3 src/auth/session.ts");
    expect(io.err()).toBe("2 commits analyzed, 1 at or above 0.5 AI confidence\n");
  });

  it("prints one JSON object per commit with --json, honouring --limit", async () => {
    const io = bufferIo();
    expect(await analyzeCommand.run([repo, "--json", "--limit", "1"], io)).toBe(0);
    const lines = io.out().trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? "{}");
    expect(result).toMatchObject({ detectorVersion: DETECTOR_VERSION, subject: "Add sessions", author: { date: "2025-05-02T11:00:00+02:00" } });
    expect(result.files[0]).toMatchObject({ path: "src/auth/session.ts", kind: "code", riskTier: 3, baseTier: 3, linesAdded: 4, complexity: { branches: 1, functions: 1 } });
  });

  it.each([
    [["/definitely/not/here"], "/definitely/not/here: no such directory"],
    [[], "dir: missing <git-dir> argument"],
    [["--limit", "0", "."], "limit: expected a positive integer"],
  ])("rejects bad input %j with one clear line", async (args, message) => {
    await expect(analyzeCommand.run(args, bufferIo())).rejects.toThrow(new CliUsageError(message));
  });

  it("rejects a directory that is not a git repository, and an unknown revision", async () => {
    const plain = mkdtempSync(join(tmpdir(), "sentinel-plain-"));
    try {
      await expect(analyzeCommand.run([plain], bufferIo())).rejects.toThrow(`${plain}: not a git repository`);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    await expect(analyzeCommand.run([repo, "--rev", "nope"], bufferIo())).rejects.toBeInstanceOf(CliUsageError);
  });
});

describe("sentinel analyze on a repository with a missing object", () => {
  /** Three commits; the blobs of `broken` (indexes, newest first) are deleted from .git/objects. No refs/notes/ai: git warns. */
  function damagedRepository(broken: number[]): { dir: string; shas: string[]; blobs: string[] } {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-analyze-missing-"));
    const git = (args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "Dana", GIT_AUTHOR_EMAIL: "dana@example.org", GIT_COMMITTER_NAME: "Dana", GIT_COMMITTER_EMAIL: "dana@example.org" } }).trim();
    git(["init", "-q", "-b", "main"]);
    for (let index = 1; index <= 3; index += 1) {
      writeFileSync(join(dir, `step${index}.ts`), `export const step${index} = ${index};\n`);
      git(["add", `step${index}.ts`]);
      git(["commit", "-q", "-m", `Add step ${index}`]);
    }
    const shas = git(["rev-list", "HEAD"]).split("\n");
    const blobs = shas.map((sha, index) => git(["rev-parse", `${sha}:step${3 - index}.ts`]));
    for (const index of broken) unlinkSync(join(dir, ".git", "objects", blobs[index]!.slice(0, 2), blobs[index]!.slice(2)));
    return { dir, shas, blobs };
  }

  it("reports git's fatal line, analyses the other commits, counts the unreadable one and exits 0", async () => {
    const damaged = damagedRepository([1]);
    try {
      // What git itself prints: the harmless warning first, the error after it.
      const raw = spawnSync("git", ["-C", damaged.dir, "log", "--patch", "--notes=refs/notes/ai"], { encoding: "utf8" });
      expect(raw.stderr).toBe(`warning: notes ref refs/notes/ai is invalid\nfatal: unable to read ${damaged.blobs[1]}\n`);
      const io = bufferIo();
      expect(await analyzeCommand.run([damaged.dir], io)).toBe(0);
      expect(io.out()).toContain("Add step 3");
      expect(io.out()).toContain("Add step 1");
      expect(io.out()).not.toContain("Add step 2");
      expect(io.err()).toBe(
        `2 commits analyzed, 0 at or above 0.5 AI confidence\n1 commit could not be read:\n  ${damaged.shas[1]!.slice(0, 7)}  fatal: unable to read ${damaged.blobs[1]}\n`,
      );
      expect(io.err()).not.toContain("notes ref");
    } finally {
      rmSync(damaged.dir, { recursive: true, force: true });
    }
  });

  it("exits non-zero when no commit could be read", async () => {
    const damaged = damagedRepository([0, 1, 2]);
    try {
      const io = bufferIo();
      expect(await analyzeCommand.run([damaged.dir], io)).toBe(1);
      expect(io.err()).toMatch(/^0 commits analyzed, 0 at or above 0\.5 AI confidence\n3 commits could not be read:\n/);
    } finally {
      rmSync(damaged.dir, { recursive: true, force: true });
    }
  });
});
