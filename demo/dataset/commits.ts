/** Commits as GitHub reports them: the "get a commit" response, the push payload's view of it, and the file edits behind it. */
import { addBlock, createFile, editStatements, removeBlock, rewriteBlock, type EditContext, type SourceLine } from "./codegen.ts";
import { unifiedPatch } from "./diff.ts";
import type { ChangeKind, ChangeSummary } from "./messages.ts";
import { isoWithOffset } from "./time.ts";
import type { DemoCommitTruth, GitHubCommitFile, GitHubCommitResponse, GitHubPushCommit, GitHubUser } from "./types.ts";
import { type Simulation, ZERO_SHA, areaOfPath, texts, type Files, type Identity, type CommitRecord, type RepoSim } from "./simulation.ts";

export function makeCommit(
  sim: Simulation,
  repo: RepoSim,
  opts: {
    parents: string[];
    author: Identity;
    committer: Identity;
    authorAt: number;
    committerAt: number;
    message: string;
    changes: { path: string; before: SourceLine[] | null; after: SourceLine[] }[];
    truth: Omit<DemoCommitTruth, "repoFullName">;
  },
): CommitRecord {
  const sha = sim.ids.hex(40);
  const files: GitHubCommitFile[] = [];
  const added: string[] = [];
  const modified: string[] = [];
  for (const change of opts.changes) {
    const { patch, additions, deletions } = unifiedPatch(texts(change.before), texts(change.after));
    if (change.before && patch === "") continue;
    const status = change.before ? "modified" : "added";
    (status === "added" ? added : modified).push(change.path);
    files.push({ filename: change.path, status, additions, deletions, changes: additions + deletions, ...(patch ? { patch } : {}) });
  }
  const additions = files.reduce((s, f) => s + f.additions, 0);
  const deletions = files.reduce((s, f) => s + f.deletions, 0);
  const html = repo.payload.html_url;
  const response: GitHubCommitResponse = {
    sha,
    html_url: `${html}/commit/${sha}`,
    commit: {
      author: { name: opts.author.name, email: opts.author.email, date: isoWithOffset(opts.authorAt, opts.author.offsetMinutes) },
      committer: { name: opts.committer.name, email: opts.committer.email, date: isoWithOffset(opts.committerAt, opts.committer.offsetMinutes) },
      message: opts.message,
      tree: { sha: sim.ids.hex(40) },
    },
    author: opts.author.user,
    committer: opts.committer.user,
    parents: opts.parents.map((p) => ({ sha: p, html_url: `${html}/commit/${p}` })),
    stats: { additions, deletions, total: additions + deletions },
    files,
  };
  const record: CommitRecord = {
    response,
    treeId: response.commit.tree.sha,
    at: opts.committerAt,
    added,
    removed: [],
    modified,
    pushAuthor: { name: opts.author.name, email: opts.author.email, ...(opts.author.user ? { username: opts.author.user.login } : {}) },
    pushCommitter: { name: opts.committer.name, email: opts.committer.email, ...(opts.committer.user ? { username: opts.committer.user.login } : {}) },
  };
  sim.commits.set(sha, record);
  sim.commitOrder.push(sha);
  sim.truth[sha] = { repoFullName: repo.payload.full_name, ...opts.truth };
  return record;
}

function pushCommit(sim: Simulation, sha: string, distinct: boolean, repo: RepoSim): GitHubPushCommit {
  const c = sim.commits.get(sha);
  if (!c) throw new Error(`push of unknown commit ${sha}`);
  return {
    id: sha,
    tree_id: c.treeId,
    distinct,
    message: c.response.commit.message,
    timestamp: c.response.commit.author.date,
    url: `${repo.payload.html_url}/commit/${sha}`,
    author: c.pushAuthor,
    committer: c.pushCommitter,
    added: c.added,
    removed: c.removed,
    modified: c.modified,
  };
}

export function emitPush(sim: Simulation, repo: RepoSim, at: number, ref: string, beforeSha: string, shas: { sha: string; distinct: boolean }[], pusher: Identity, sender: GitHubUser): void {
  const commits = shas.map((s) => pushCommit(sim, s.sha, s.distinct, repo));
  const after = shas[shas.length - 1]?.sha ?? beforeSha;
  sim.emit(at, "push", {
    ref: `refs/heads/${ref}`,
    before: beforeSha,
    after,
    created: beforeSha === ZERO_SHA,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${repo.payload.html_url}/compare/${beforeSha.slice(0, 12)}...${after.slice(0, 12)}`,
    commits,
    head_commit: commits[commits.length - 1] ?? null,
    pusher: { name: pusher.user?.login ?? pusher.name, email: pusher.email },
    ...sim.common(repo, sender),
  });
}

/** Applies one commit's worth of edits to `files` (branch or main) and describes them. */
export function editFiles(sim: Simulation, repo: RepoSim, files: Files, paths: string[], kind: ChangeKind, aiWritten: boolean, at: number, newFiles: Set<string>) {
  const changes: { path: string; before: SourceLine[] | null; after: SourceLine[] }[] = [];
  const summary: ChangeSummary = { added: [], reworked: [], edited: [], files: [] };
  const big = aiWritten && kind !== "review" && kind !== "hotfix";
  for (const path of paths) {
    const area = areaOfPath(repo.def, path);
    if (!area) continue;
    const ctx: EditContext = { random: sim.r, area, at, aiWritten };
    const existing = files.get(path);
    if (!existing || newFiles.has(path)) {
      if (!existing) {
        const created = createFile(ctx, big ? sim.r.int(2, 4) : sim.r.int(1, 2));
        files.set(path, created.lines);
        newFiles.delete(path);
        changes.push({ path, before: null, after: created.lines });
        summary.added.push(...created.names);
        summary.files.push(path);
        continue;
      }
    }
    const before = [...existing];
    const lines = existing;
    if (kind === "feature" || (kind === "followup" && sim.r.chance(0.5))) {
      const blocks = big ? sim.r.int(1, 3) : sim.r.chance(0.5) ? 1 : 0;
      for (let i = 0; i < blocks; i++) summary.added.push(addBlock(lines, ctx));
      summary.edited.push(...editStatements(lines, ctx, big ? sim.r.int(2, 6) : sim.r.int(1, 3), false));
    } else if (kind === "hotfix") {
      const name = rewriteBlock(lines, ctx, true);
      if (name) summary.reworked.push(name);
      summary.edited.push(...editStatements(lines, ctx, sim.r.int(2, 4), true));
    } else {
      if (sim.r.chance(big ? 0.5 : 0.2)) {
        const name = rewriteBlock(lines, ctx, true);
        if (name) summary.reworked.push(name);
      }
      summary.edited.push(...editStatements(lines, ctx, big ? sim.r.int(2, 5) : sim.r.int(1, 3), true));
    }
    if (lines.length > 320) {
      const name = removeBlock(lines, ctx);
      if (name) summary.reworked.push(name);
    }
    changes.push({ path, before, after: lines });
    summary.files.push(path);
  }
  return { changes, summary };
}
