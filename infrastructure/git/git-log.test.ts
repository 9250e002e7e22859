import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitReadError, gitErrorLine, parseGitPatch, readGitCommits, type UnreadableCommit } from "./git-log.ts";

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

/** A throwaway repository with its own git runner (commits dated in order, one author). */
function scratchRepository(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let minute = 0;
  const run = (args: string[]): string =>
    execFileSync("git", ["-C", dir, ...args], {
      env: { ...process.env, GIT_AUTHOR_NAME: "Dana", GIT_AUTHOR_EMAIL: "dana@example.org", GIT_COMMITTER_NAME: "Dana", GIT_COMMITTER_EMAIL: "dana@example.org" },
      encoding: "utf8",
    }).trim();
  const commit = (message: string) => {
    const date = `2025-05-01T10:${String(minute++).padStart(2, "0")}:00+02:00`;
    execFileSync("git", ["-C", dir, "commit", "-q", "-m", message], {
      env: { ...process.env, GIT_AUTHOR_NAME: "Dana", GIT_AUTHOR_EMAIL: "dana@example.org", GIT_COMMITTER_NAME: "Dana", GIT_COMMITTER_EMAIL: "dana@example.org", GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      stdio: "pipe",
    });
  };
  run(["init", "-q", "-b", "main"]);
  return { dir, run, commit };
}

describe("type changes (git show --raw status T)", () => {
  it("reads a file that becomes a symlink, a symlink that becomes a file, and a file that becomes a submodule as one change each", async () => {
    const scratch = scratchRepository("sentinel-typechange-");
    try {
      writeFileSync(join(scratch.dir, "config.yml"), "port: 8080\nhost: localhost\n");
      writeFileSync(join(scratch.dir, "shared.yml"), "port: 9090\n");
      writeFileSync(join(scratch.dir, "vendor"), "placeholder\n");
      scratch.run(["add", "."]);
      scratch.commit("Add config");
      unlinkSync(join(scratch.dir, "config.yml"));
      symlinkSync("shared.yml", join(scratch.dir, "config.yml"));
      scratch.run(["add", "-A"]);
      scratch.commit("Point config at the shared one");
      unlinkSync(join(scratch.dir, "config.yml"));
      writeFileSync(join(scratch.dir, "config.yml"), "port: 7070\nhost: example.org\ntls: true\n");
      scratch.run(["add", "-A"]);
      scratch.commit("Own config again");
      // A gitlink (submodule) in place of a file, written to the index directly: no second repository needed.
      const head = scratch.run(["rev-parse", "HEAD"]);
      scratch.run(["update-index", "--remove", "vendor"]);
      scratch.run(["update-index", "--add", "--cacheinfo", `160000,${head},vendor`]);
      scratch.commit("Vendor as a submodule");
      expect(scratch.run(["show", "--raw", "--format=", "HEAD~2"])).toMatch(/^:100644 120000 \w+ \w+ T\tconfig\.yml$/);

      const [submodule, toFile, toLink] = await collect(scratch.dir);
      expect(toLink?.files).toEqual([
        { path: "config.yml", previousPath: null, status: "changed", additions: 1, deletions: 2, binary: false, patchTruncated: false, patch: "@@ -1,2 +1,1 @@\n-port: 8080\n-host: localhost\n+shared.yml\n\\ No newline at end of file" },
      ]);
      expect(toFile?.files).toEqual([
        {
          path: "config.yml",
          previousPath: null,
          status: "changed",
          additions: 3,
          deletions: 1,
          binary: false,
          patchTruncated: false,
          patch: "@@ -1,1 +1,3 @@\n-shared.yml\n\\ No newline at end of file\n+port: 7070\n+host: example.org\n+tls: true",
        },
      ]);
      expect(submodule?.files).toEqual([expect.objectContaining({ path: "vendor", status: "changed", additions: 1, deletions: 1 })]);
      expect(submodule?.files[0]?.patch).toBe(`@@ -1,1 +1,1 @@\n-placeholder\n+Subproject commit ${head}`);
    } finally {
      rmSync(scratch.dir, { recursive: true, force: true });
    }
  });
});

describe("a commit git cannot read", () => {
  /** Four commits, each adding one file; the blob of the second-newest commit's file is deleted from .git/objects. */
  function repositoryWithMissingBlob() {
    const scratch = scratchRepository("sentinel-missing-");
    for (let index = 1; index <= 4; index += 1) {
      writeFileSync(join(scratch.dir, `part${index}.ts`), `export const part${index} = ${index};\n`);
      scratch.run(["add", "."]);
      scratch.commit(`Add part ${index}`);
    }
    const blob = scratch.run(["rev-parse", "HEAD~1:part3.ts"]);
    unlinkSync(join(scratch.dir, ".git", "objects", blob.slice(0, 2), blob.slice(2)));
    return { ...scratch, blob, broken: scratch.run(["rev-parse", "HEAD~1"]) };
  }

  it("reports git's fatal line, not the notes warning before it, and reads the other commits", async () => {
    const scratch = repositoryWithMissingBlob();
    try {
      const unreadable: UnreadableCommit[] = [];
      const read = await collect(scratch.dir, { onUnreadable: (commit: UnreadableCommit) => unreadable.push(commit) });
      expect(read.map((commit) => commit.message)).toEqual(["Add part 4", "Add part 2", "Add part 1"]);
      expect(unreadable).toEqual([{ sha: scratch.broken, reason: `fatal: unable to read ${scratch.blob}` }]);
      // Without a callback the walk stops there, with the same line.
      await expect(collect(scratch.dir)).rejects.toMatchObject({ code: "GIT_FAILED", message: `git log: fatal: unable to read ${scratch.blob}` });
      const limited: UnreadableCommit[] = [];
      expect((await collect(scratch.dir, { limit: 2, onUnreadable: (commit: UnreadableCommit) => limited.push(commit) })).map((commit) => commit.message)).toEqual(["Add part 4"]);
      expect(limited).toHaveLength(1);
    } finally {
      rmSync(scratch.dir, { recursive: true, force: true });
    }
  });

  it("picks the fatal or error line out of git's stderr", () => {
    expect(gitErrorLine("warning: notes ref refs/notes/ai is invalid\nfatal: unable to read 80f6\n")).toBe("fatal: unable to read 80f6");
    expect(gitErrorLine("warning: w\nerror: e\n")).toBe("error: e");
    expect(gitErrorLine("\nwarning: only this\n")).toBe("warning: only this");
  });
});
