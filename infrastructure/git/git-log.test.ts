import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitReadError, parseGitPatch, readGitCommits } from "./git-log.ts";

let repo: string;

function git(args: string[], date = "2025-05-01T10:00:00+02:00", author = "Dana Smith <dana@example.org>"): void {
  const [, name = "", email = ""] = /^(.*) <(.*)>$/.exec(author) ?? [];
  execFileSync("git", ["-C", repo, ...args], {
    env: { ...process.env, GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    stdio: "pipe",
  });
}

async function collect(dir: string, options = {}) {
  const commits = [];
  for await (const commit of readGitCommits(dir, options)) commits.push(commit);
  return commits;
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "sentinel-git-"));
  git(["init", "-q", "-b", "main"]);
  mkdirSync(join(repo, "src"));
  const big = Array.from({ length: 200 }, (_, i) => `export const line${i} = ${i};`).join("\n");
  writeFileSync(join(repo, "src", "engine.ts"), `${big}\n`);
  writeFileSync(join(repo, "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 0]));
  git(["add", "."]);
  git(["commit", "-q", "-m", "Initial import"], "2025-05-01T10:00:00+02:00");
  git(["mv", "src/engine.ts", "src/core-engine.ts"]);
  git(["commit", "-q", "-m", "Move the engine"], "2025-05-01T10:02:00+02:00");
  writeFileSync(join(repo, "src", "auth.ts"), "export function login(user) {\n  if (!user) return null;\n  return user;\n}\n");
  git(["add", "."]);
  git(["commit", "-q", "-m", "Add login\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>"], "2025-05-01T03:40:00+02:00", "Robin Roe <robin@example.org>");
  execFileSync("git", ["-C", repo, "notes", "--ref=ai", "add", "-m", "src/auth.ts\n  abc1234 1-4\n---\n{}", "HEAD"], { stdio: "pipe", env: { ...process.env, GIT_AUTHOR_NAME: "x", GIT_AUTHOR_EMAIL: "x@y", GIT_COMMITTER_NAME: "x", GIT_COMMITTER_EMAIL: "x@y" } });
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe("readGitCommits", () => {
  it("reads commits newest first with offsets, renames, binaries, notes and the author's previous commit", async () => {
    const [login, move, initial] = await collect(repo);
    expect(login).toMatchObject({
      message: "Add login\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>",
      author: { name: "Robin Roe", email: "robin@example.org", date: "2025-05-01T03:40:00+02:00" },
      authorPreviousCommitAt: null,
      lineRecords: [{ source: "git-ai", path: "src/auth.ts", contributor: "ai", ranges: [[1, 4]] }],
    });
    expect(login?.files).toEqual([expect.objectContaining({ path: "src/auth.ts", status: "added", additions: 4, deletions: 0 })]);
    expect(login?.files[0]?.patch).toContain("+  if (!user) return null;");
    expect(move?.files).toEqual([expect.objectContaining({ path: "src/core-engine.ts", previousPath: "src/engine.ts", status: "renamed", additions: 0, deletions: 0 })]);
    expect(move?.authorPreviousCommitAt).toBe("2025-05-01T10:00:00+02:00");
    expect(initial?.files.find((file) => file.path === "logo.png")).toMatchObject({ binary: true, patch: null });
    expect(initial?.files.find((file) => file.path === "src/engine.ts")).toMatchObject({ additions: 200, status: "added" });
  });

  it("honours --limit and ranges", async () => {
    expect((await collect(repo, { limit: 1 })).map((commit) => commit.message)).toEqual([expect.stringContaining("Add login")]);
    expect((await collect(repo, { rev: "HEAD~1..HEAD" })).length).toBe(1);
  });

  it("fails clearly for a missing path, a non-repository and an unknown revision", async () => {
    await expect(collect(join(repo, "nope"))).rejects.toMatchObject({ code: "NOT_FOUND" });
    const plain = mkdtempSync(join(tmpdir(), "sentinel-plain-"));
    try {
      await expect(collect(plain)).rejects.toThrow(GitReadError);
      await expect(collect(plain)).rejects.toMatchObject({ code: "NOT_A_REPOSITORY", message: `${plain}: not a git repository` });
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    await expect(collect(repo, { rev: "no-such-branch" })).rejects.toMatchObject({ code: "BAD_REVISION" });
    await expect(collect(repo, { rev: "--output=/tmp/x" })).rejects.toMatchObject({ code: "BAD_REVISION" });
  });
});

describe("parseGitPatch", () => {
  it("keeps exact counts when the patch text is capped", () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `+line ${i}`);
    const [file] = parseGitPatch(["diff --git a/a.txt b/a.txt", "new file mode 100644", "--- /dev/null", "+++ b/a.txt", "@@ -0,0 +1,1000 @@", ...lines].join("\n"), 1024);
    expect(file).toMatchObject({ path: "a.txt", status: "added", additions: 1000, patchTruncated: true });
    expect(file?.patch?.length).toBeLessThanOrEqual(1024);
  });

  it("reads paths with spaces and deletions", () => {
    const [file] = parseGitPatch(["diff --git a/my dir/b c.ts b/my dir/b c.ts", "deleted file mode 100644", "--- a/my dir/b c.ts", "+++ /dev/null", "@@ -1,2 +0,0 @@", "-x", "--- y"].join("\n"));
    expect(file).toMatchObject({ path: "my dir/b c.ts", status: "removed", additions: 0, deletions: 2 });
  });
});
