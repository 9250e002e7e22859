import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { parseGitAiNote } from "../../domain/detection/line-records.ts";
import type { CommitFile, NormalisedCommit } from "../../domain/detection/types.ts";

/**
 * Reads commits from a local repository (working clone or bare) with the `git` binary: one `git log --patch`
 * stream with rename detection, parsed incrementally so long histories never sit in memory at once.
 * git-ai line records are read from `refs/notes/ai` when the repository has them.
 */

export type GitReadErrorCode = "NOT_FOUND" | "NOT_A_REPOSITORY" | "BAD_REVISION" | "GIT_UNAVAILABLE" | "GIT_FAILED";

export class GitReadError extends Error {
  override name = "GitReadError";
  constructor(
    readonly code: GitReadErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ReadCommitsOptions {
  /** A revision or range as git understands it ("main", "v1.0..HEAD"). Default HEAD. */
  rev?: string;
  /** Newest N commits only. */
  limit?: number;
  /** Per-file patch text kept for the detector; line counts stay exact beyond it. Default 20 KiB like GitHub. */
  maxPatchBytes?: number;
  /** Called for a commit git cannot read; the walk goes on after it. Left out: such a commit throws GIT_FAILED. */
  onUnreadable?: (commit: UnreadableCommit) => void;
}

export interface UnreadableCommit {
  sha: string;
  /** git's own error line, e.g. "fatal: unable to read 3b18e512…". */
  reason: string;
}

const RECORD = "\x1e";
const FIELD = "\x1f";
const FORMAT = `${RECORD}%H${FIELD}%P${FIELD}%an${FIELD}%ae${FIELD}%aI${FIELD}%cn${FIELD}%ce${FIELD}%cI${FIELD}%B${FIELD}%N${FIELD}`;

interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

function runGit(args: string[]): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => reject(new GitReadError("GIT_UNAVAILABLE", `cannot run git: ${error.message}`)));
    child.on("close", (code) => resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code: code ?? 1 }));
  });
}

/**
 * The line of git's stderr that says what went wrong: its first `fatal:` line, else its first `error:` line. git
 * prints harmless warnings first ("warning: notes ref refs/notes/ai is invalid" in every repository without git-ai
 * notes); one is reported only when nothing else was said.
 */
export function gitErrorLine(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return lines.find((line) => line.startsWith("fatal:")) ?? lines.find((line) => line.startsWith("error:")) ?? lines[0] ?? "";
}

/** Fails with a clear GitReadError unless `dir` is a git repository (working clone or bare). */
export async function assertGitRepository(dir: string): Promise<void> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new GitReadError("NOT_A_REPOSITORY", `${dir}: not a directory`);
  } catch (error) {
    if (error instanceof GitReadError) throw error;
    throw new GitReadError("NOT_FOUND", `${dir}: no such directory`);
  }
  const result = await runGit(["-C", dir, "rev-parse", "--git-dir"]);
  if (result.code !== 0) throw new GitReadError("NOT_A_REPOSITORY", `${dir}: not a git repository`);
}

async function assertRevision(dir: string, rev: string): Promise<void> {
  if (rev.startsWith("-")) throw new GitReadError("BAD_REVISION", `--rev ${rev}: a revision cannot start with "-"`);
  const result = await runGit(["-C", dir, "rev-list", "-n", "1", rev, "--"]);
  if (result.code !== 0) throw new GitReadError("BAD_REVISION", `--rev ${rev}: ${gitErrorLine(result.stderr) || "unknown revision"}`);
}

/** sha → author date of the same author's previous commit (by author time), over everything reachable from rev. */
export async function previousCommitTimes(dir: string, rev: string): Promise<Map<string, string>> {
  const result = await runGit(["-C", dir, "log", "--no-merges", `--format=%H${FIELD}%ae${FIELD}%aI`, rev, "--"]);
  if (result.code !== 0) throw new GitReadError("GIT_FAILED", `git log: ${gitErrorLine(result.stderr)}`);
  const byAuthor = new Map<string, Array<{ sha: string; date: string; epoch: number }>>();
  for (const line of result.stdout.split("\n")) {
    const [sha, email, date] = line.split(FIELD);
    if (!sha || email === undefined || !date) continue;
    const list = byAuthor.get(email.toLowerCase()) ?? [];
    list.push({ sha, date, epoch: Date.parse(date) });
    byAuthor.set(email.toLowerCase(), list);
  }
  const previous = new Map<string, string>();
  for (const list of byAuthor.values()) {
    list.sort((a, b) => a.epoch - b.epoch);
    for (let index = 1; index < list.length; index += 1) {
      const current = list[index];
      const before = list[index - 1];
      if (current && before) previous.set(current.sha, before.date);
    }
  }
  return previous;
}

/** A CommitFile being read: its patch is gathered line by line. */
interface FileBuilder extends Omit<CommitFile, "patch"> {
  patchLines: string[];
  patchBytes: number;
  inHunks: boolean;
}

/**
 * A type change (a regular file becoming a symlink or a submodule, or back: `git show --raw` status T) is the one
 * change git cannot write as one patch: it prints the old side's deletion and the new side's creation, two entries for
 * one path. Stored as two, the commit's attribution rows collided on (commit, path) and PostgreSQL refused the whole
 * import. Here they become one "changed" file whose single hunk replaces the old content with the new: a symlink's
 * content is its target, a submodule's its "Subproject commit" line, one line each, as git and GitHub count them (so
 * the provenance replay, which saw that line when the link was added, sees it leave).
 */
function mergeTypeChanges(files: CommitFile[]): CommitFile[] {
  const merged: CommitFile[] = [];
  for (const file of files) {
    const before = merged.at(-1);
    if (before && before.status === "removed" && file.status === "added" && before.path === file.path) {
      merged[merged.length - 1] = replaceWhole(before, file);
    } else merged.push(file);
  }
  return merged;
}

function hunkBody(patch: string | null): string[] {
  return patch === null ? [] : patch.split("\n").filter((line) => !line.startsWith("@@"));
}

function replaceWhole(removed: CommitFile, added: CommitFile): CommitFile {
  const binary = removed.binary || added.binary;
  const truncated = removed.patchTruncated || added.patchTruncated;
  const body = [...hunkBody(removed.patch), ...hunkBody(added.patch)];
  const side = (count: number) => (count === 0 ? "0,0" : `1,${count}`);
  return {
    path: added.path,
    previousPath: null,
    status: "changed",
    additions: added.additions,
    deletions: removed.deletions,
    patch: binary || body.length === 0 ? null : [`@@ -${side(removed.deletions)} +${side(added.additions)} @@`, ...body].join("\n"),
    patchTruncated: truncated,
    binary,
  };
}

function unquotePath(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('"')) return trimmed;
  try {
    return JSON.parse(trimmed) as string;
  } catch {
    return trimmed.slice(1, -1);
  }
}

function pathFromDiffHeader(line: string): { from: string; to: string } {
  // "diff --git a/x b/y": without renames both sides are equal, so split in the middle.
  const rest = line.slice("diff --git ".length);
  const middle = rest.indexOf(" b/", Math.floor((rest.length - 3) / 2) - 1);
  if (rest.startsWith("a/") && middle !== -1) return { from: unquotePath(rest.slice(2, middle)), to: unquotePath(rest.slice(middle + 3)) };
  const parts = rest.split(" ");
  return { from: unquotePath((parts[0] ?? "").replace(/^"?a\//, "")), to: unquotePath((parts[1] ?? "").replace(/^"?b\//, "")) };
}

/** Parses the patch part of one `git log --patch` record into files. Exported for tests. */
export function parseGitPatch(text: string, maxPatchBytes = 20 * 1024): CommitFile[] {
  const files: CommitFile[] = [];
  let current: FileBuilder | null = null;
  const finish = (): void => {
    if (!current) return;
    files.push({
      path: current.path,
      previousPath: current.status === "renamed" || current.status === "copied" ? current.previousPath : null,
      status: current.status,
      additions: current.additions,
      deletions: current.deletions,
      patch: current.patchLines.length > 0 ? current.patchLines.join("\n") : null,
      patchTruncated: current.patchTruncated,
      binary: current.binary,
    });
    current = null;
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("diff --git ")) {
      finish();
      const { from, to } = pathFromDiffHeader(line);
      current = { path: to, previousPath: from, status: "modified", additions: 0, deletions: 0, binary: false, patchLines: [], patchBytes: 0, patchTruncated: false, inHunks: false };
      continue;
    }
    const file: FileBuilder | null = current;
    if (!file) continue;
    if (!file.inHunks) {
      if (line.startsWith("@@")) file.inHunks = true;
      else {
        if (line.startsWith("new file mode")) file.status = "added";
        else if (line.startsWith("deleted file mode")) file.status = "removed";
        else if (line.startsWith("rename from ")) {
          file.status = "renamed";
          file.previousPath = unquotePath(line.slice("rename from ".length));
        } else if (line.startsWith("rename to ")) file.path = unquotePath(line.slice("rename to ".length));
        else if (line.startsWith("copy from ")) {
          file.status = "copied";
          file.previousPath = unquotePath(line.slice("copy from ".length));
        } else if (line.startsWith("copy to ")) file.path = unquotePath(line.slice("copy to ".length));
        else if (line.startsWith("Binary files ") || line.startsWith("GIT binary patch")) file.binary = true;
        else if (line.startsWith("old mode") && file.status === "modified") file.status = "changed";
        continue;
      }
    }
    if (line.startsWith("+")) file.additions += 1;
    else if (line.startsWith("-")) file.deletions += 1;
    if (file.patchTruncated) continue;
    if (file.patchBytes + line.length + 1 > maxPatchBytes) {
      file.patchTruncated = true;
      continue;
    }
    file.patchLines.push(line);
    file.patchBytes += line.length + 1;
  }
  finish();
  // The trailing newline of the log output leaves an empty last patch line: drop it.
  for (const file of files) if (file.patch?.endsWith("\n")) file.patch = file.patch.replace(/\n+$/, "");
  return mergeTypeChanges(files);
}

function parseRecord(record: string, previous: Map<string, string>, maxPatchBytes: number): NormalisedCommit | null {
  const fields = record.split(FIELD);
  if (fields.length < 11) return null;
  const [sha = "", parents = "", authorName = "", authorEmail = "", authorDate = "", committerName = "", committerEmail = "", committerDate = "", body = "", note = ""] = fields;
  const patchText = fields.slice(10).join(FIELD);
  const files = parseGitPatch(patchText, maxPatchBytes);
  return {
    sha,
    parents: parents.split(" ").filter((parent) => parent.length > 0),
    message: body.replace(/\n+$/, ""),
    author: { name: authorName, email: authorEmail, date: authorDate },
    committer: { name: committerName, email: committerEmail, date: committerDate },
    branch: null,
    pullRequest: null,
    authorPreviousCommitAt: previous.get(sha) ?? null,
    files,
    lineRecords: note.trim().length > 0 ? parseGitAiNote(note) : [],
    truncated: files.some((file) => file.patchTruncated),
  };
}

/** One `git log` run over the walk from `skip` on; `failure` is git's error when it stopped before the end. */
async function* readLogPass(
  dir: string,
  rev: string,
  pass: { skip: number; limit: number | undefined; previous: Map<string, string>; maxPatchBytes: number },
): AsyncGenerator<NormalisedCommit, { failure: string | null }> {
  const args = ["-C", dir, "-c", "core.quotePath=false", "log", "--no-merges", "-M", "-C", "--patch", "--no-color", "--no-ext-diff", "--notes=refs/notes/ai", `--format=${FORMAT}`];
  if (pass.skip > 0) args.push(`--skip=${pass.skip}`);
  if (pass.limit !== undefined) args.push("-n", String(pass.limit));
  args.push(rev, "--");

  const child = spawn("git", args, { stdio: ["ignore", "pipe", "pipe"] });
  const stderr: Buffer[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", (error) => reject(new GitReadError("GIT_UNAVAILABLE", `cannot run git: ${error.message}`)));
    child.on("close", (code) => resolve(code ?? 1));
  });
  child.stdout.setEncoding("utf8");
  let buffer = "";
  try {
    for await (const chunk of child.stdout as AsyncIterable<string>) {
      buffer += chunk;
      let end = buffer.indexOf(RECORD, 1);
      while (end !== -1) {
        const commit = parseRecord(buffer.slice(1, end), pass.previous, pass.maxPatchBytes);
        buffer = buffer.slice(end);
        if (commit) yield commit;
        end = buffer.indexOf(RECORD, 1);
      }
    }
    const code = await exited;
    // The last record is complete only if git finished: after a failure it may be the commit git could not read.
    if (code !== 0) return { failure: gitErrorLine(Buffer.concat(stderr).toString("utf8")) || `git log exited with code ${code}` };
    if (buffer.startsWith(RECORD)) {
      const commit = parseRecord(buffer.slice(1), pass.previous, pass.maxPatchBytes);
      if (commit) yield commit;
    }
    return { failure: null };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/** The sha of the walk's commit at `position` (0: the newest), as `git log` orders it; null when git cannot say. */
async function commitAtPosition(dir: string, rev: string, position: number): Promise<string | null> {
  const result = await runGit(["-C", dir, "rev-list", "--no-merges", `--skip=${position}`, "-n", "1", rev, "--"]);
  const sha = result.stdout.trim();
  return result.code === 0 && sha.length > 0 ? sha : null;
}

/**
 * Yields commits newest first (merges skipped: their changes are attributed to the commits they merge).
 * Throws GitReadError for a missing path, a non-repository or an unknown revision before yielding anything.
 *
 * A commit git cannot read (a missing or corrupt object: `fatal: unable to read …`) stops `git log` for the whole
 * walk. With `onUnreadable`, the walk goes on past it: the commit where git stopped is read alone, to tell whether it
 * is the unreadable one (it may be the next, when git stopped before printing it), is reported with git's error,
 * and the walk restarts after it. Without `onUnreadable`, the first such commit throws GIT_FAILED.
 */
export async function* readGitCommits(dir: string, options: ReadCommitsOptions = {}): AsyncGenerator<NormalisedCommit> {
  const rev = options.rev ?? "HEAD";
  const maxPatchBytes = options.maxPatchBytes ?? 20 * 1024;
  await assertGitRepository(dir);
  await assertRevision(dir, rev);
  const previous = await previousCommitTimes(dir, rev);
  /** Commits of the walk already yielded or reported unreadable. */
  let position = 0;
  const remaining = () => (options.limit === undefined ? undefined : options.limit - position);
  /** Set while the commit where the last `git log` stopped is read alone; holds that run's error. */
  let stoppedWith: string | null = null;
  for (let alone = false; remaining() === undefined || remaining()! > 0; alone = stoppedWith !== null) {
    const limit = alone ? 1 : remaining();
    const pass = readLogPass(dir, rev, { skip: position, limit, previous, maxPatchBytes });
    let yielded = 0;
    let outcome: { failure: string | null };
    try {
      for (;;) {
        const next = await pass.next();
        if (next.done) {
          outcome = next.value;
          break;
        }
        position += 1;
        yielded += 1;
        yield next.value;
      }
    } finally {
      await pass.return({ failure: null });
    }
    if (outcome.failure === null) {
      if (!alone) return;
      // The commit read alone was fine: git stopped on a later one. Stream again from there.
      if (yielded === 0) throw new GitReadError("GIT_FAILED", `git log: ${stoppedWith}`);
      stoppedWith = null;
      continue;
    }
    if (!options.onUnreadable) throw new GitReadError("GIT_FAILED", `git log: ${outcome.failure}`);
    if (!alone || yielded > 0) {
      stoppedWith = outcome.failure;
      continue;
    }
    const sha = await commitAtPosition(dir, rev, position);
    if (sha === null) throw new GitReadError("GIT_FAILED", `git log: ${outcome.failure}`);
    options.onUnreadable({ sha, reason: outcome.failure });
    position += 1;
    stoppedWith = null;
  }
}
