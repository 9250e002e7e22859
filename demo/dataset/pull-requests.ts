/** Pull requests: opening, review rounds, merging (on GitHub or locally) and closing unmerged. */
import { ACTIONS_BOT, COPILOT_BOT, GITHUB_GIT, WEB_FLOW, userOf, type MemberProfile } from "./cast.ts";
import type { SourceLine } from "./codegen.ts";
import { diffStats } from "./diff.ts";
import { pullRequestBody, reviewBody } from "./messages.ts";
import { DAY_MS, HOUR_MS, isoUtc, MINUTE_MS, nextWorkingMoment } from "./time.ts";
import type { GitHubPullRequest, GitHubUser, ReviewState } from "./types.ts";
import { type Simulation, sameText, texts, type CommitRecord, type Task } from "./simulation.ts";
import { makeCommit, emitPush } from "./commits.ts";

export function prPayload(sim: Simulation, task: Task, at: number): GitHubPullRequest {
  const pr = task.pr;
  if (!pr) throw new Error("prPayload without a pull request");
  if (task.statsFor !== task.head) {
    task.stats = { additions: 0, deletions: 0, changed: 0 };
    for (const [path, base] of task.baseFiles) {
      const now = task.files.get(path);
      if (!now) continue;
      const diff = diffStats(texts(base), texts(now));
      if (diff.additions + diff.deletions > 0) task.stats.changed++;
      task.stats.additions += diff.additions;
      task.stats.deletions += diff.deletions;
    }
    task.statsFor = task.head;
  }
  const { additions, deletions, changed } = task.stats;
  const owner = task.repo.payload.owner.login;
  return {
    id: pr.id,
    number: pr.number,
    html_url: `${task.repo.payload.html_url}/pull/${pr.number}`,
    state: pr.closedAt !== null ? "closed" : "open",
    draft: pr.draft,
    title: pr.draft && task.tool === "copilot-agent" ? `[WIP] ${pr.title}` : pr.title,
    body: pr.body,
    user: pr.user,
    head: { ref: task.branch, sha: task.head, label: `${owner}:${task.branch}` },
    base: { ref: "main", sha: task.base, label: `${owner}:main` },
    created_at: isoUtc(pr.createdAt),
    updated_at: isoUtc(at),
    closed_at: pr.closedAt !== null ? isoUtc(pr.closedAt) : null,
    merged_at: pr.mergedAt !== null ? isoUtc(pr.mergedAt) : null,
    merged: pr.mergedAt !== null,
    merge_commit_sha: pr.mergeSha,
    merged_by: pr.mergedBy,
    requested_reviewers: [...pr.requested],
    assignees: [...pr.assignees],
    commits: task.commits.length,
    additions,
    deletions,
    changed_files: changed,
  };
}

export function openPullRequest(sim: Simulation, task: Task, at: number, draft: boolean, user?: GitHubUser): void {
  sim.schedule(at, () => {
    if (task.closed || task.pr) return;
    const author = user ?? userOf(task.driver.member);
    task.pr = {
      id: sim.prId++,
      number: task.repo.nextPrNumber++,
      title: task.topic.title,
      body: pullRequestBody(sim.r, task.tool, task.topic),
      user: author,
      draft,
      createdAt: at,
      closedAt: null,
      mergedAt: null,
      mergeSha: null,
      mergedBy: null,
      requested: [],
      assignees: task.tool === "copilot-agent" ? [COPILOT_BOT, userOf(task.driver.member)] : [author],
      reviewRounds: 0,
    };
    sim.emit(at, "pull_request", { action: "opened", number: task.pr.number, pull_request: prPayload(sim, task, at), ...sim.common(task.repo, author) });
    if (!draft) requestReviews(sim, task, at + sim.r.int(0, 3) * MINUTE_MS);
  });
}

export function readyForReview(sim: Simulation, task: Task, at: number): void {
  sim.schedule(at, () => {
    const pr = task.pr;
    if (task.closed || !pr || !pr.draft) return;
    pr.draft = false;
    sim.emit(at, "pull_request", { action: "ready_for_review", number: pr.number, pull_request: prPayload(sim, task, at), ...sim.common(task.repo, pr.user) });
    requestReviews(sim, task, at + MINUTE_MS);
  });
}

function reviewersFor(sim: Simulation, task: Task): MemberProfile[] {
  if (task.tool === "copilot-agent") return [task.driver];
  const others = task.repo.members.filter((m) => m !== task.driver);
  return sim.r.shuffle(others).slice(0, sim.r.chance(0.3) ? 2 : 1);
}

/**
 * Some agent-written pull requests are merged by their author without anyone reviewing them: what issue 18's "AI-written
 * T3/T4 changes merged without a review" and its alert rule look for. Chosen by number, not by a random draw, so every
 * other pull request keeps the reviewers and timings the seed gave it before.
 */
function mergesWithoutReview(task: Task, number: number): boolean {
  return task.tool !== null && task.tool !== "copilot-agent" && number % 5 === 2;
}

function selfMerge(sim: Simulation, task: Task, at: number): void {
  const mergeAt = nextWorkingMoment(at + sim.r.int(20, 180) * MINUTE_MS, task.driver.member.utcOffsetMinutes, sim.r);
  sim.schedule(mergeAt, () => mergePullRequest(sim, task, task.driver, mergeAt));
}

function requestReviews(sim: Simulation, task: Task, at: number): void {
  const pr = task.pr;
  if (!pr) return;
  if (mergesWithoutReview(task, pr.number)) {
    selfMerge(sim, task, at);
    return;
  }
  const reviewers = reviewersFor(sim, task);
  for (const reviewer of reviewers) {
    const user = userOf(reviewer.member);
    pr.requested.push(user);
    sim.emit(at, "pull_request", {
      action: "review_requested",
      number: pr.number,
      pull_request: prPayload(sim, task, at),
      requested_reviewer: user,
      ...sim.common(task.repo, pr.user),
    });
  }
  const first = reviewers[0];
  if (first) scheduleReview(sim, task, first, at);
}

function scheduleReview(sim: Simulation, task: Task, reviewer: MemberProfile, from: number): void {
  // Most reviews come within a working day; some PRs hang for days (the review-queue story).
  const hang = sim.r.chance(0.12);
  const wait = hang ? sim.r.int(3 * 24, 7 * 24) * HOUR_MS : Math.min(sim.r.logNormal(3, 1.1) * HOUR_MS, 3 * DAY_MS);
  const at = nextWorkingMoment(from + Math.max(10 * MINUTE_MS, wait), reviewer.member.utcOffsetMinutes, sim.r);
  sim.schedule(at, () => submitReview(sim, task, reviewer, at));
}

/** True (and re-queued) when the task's author is still mid-session at `at`. */
function deferredWhileBusy(sim: Simulation, task: Task, at: number, retry: (later: number) => void): boolean {
  if (at > task.busyUntil) return false;
  const later = task.busyUntil + sim.r.int(5, 60) * MINUTE_MS;
  sim.schedule(later, () => retry(later));
  return true;
}

function submitReview(sim: Simulation, task: Task, reviewer: MemberProfile, at: number): void {
  const pr = task.pr;
  if (task.closed || !pr) return;
  if (deferredWhileBusy(sim, task, at, (later) => submitReview(sim, task, reviewer, later))) return;
  pr.reviewRounds++;
  const user = userOf(reviewer.member);
  const agentPr = task.tool === "copilot-agent" || task.tool === "codex" || task.tool === "cursor-agent";
  const state: ReviewState =
    pr.reviewRounds >= 3
      ? "approved"
      : sim.r.weighted([
          ["approved", pr.reviewRounds > 1 ? 0.85 : 0.58],
          ["changes_requested", agentPr ? 0.3 : 0.22],
          ["commented", 0.15],
        ] as const);
  pr.requested = pr.requested.filter((u) => u.id !== user.id);
  sim.emit(at, "pull_request_review", {
    action: "submitted",
    review: {
      id: sim.reviewId++,
      user,
      body: reviewBody(sim.r, state),
      state,
      submitted_at: isoUtc(at),
      commit_id: task.head,
      html_url: `${task.repo.payload.html_url}/pull/${pr.number}#pullrequestreview-${sim.reviewId}`,
    },
    pull_request: prPayload(sim, task, at),
    ...sim.common(task.repo, user),
  });

  if (sim.r.chance(agentPr ? 0.12 : 0.04)) {
    const closeAt = at + sim.r.int(10, 300) * MINUTE_MS;
    sim.schedule(closeAt, () => closeUnmerged(sim, task, closeAt));
    return;
  }
  if (state === "approved") {
    const merger = task.tool === "copilot-agent" ? task.driver : sim.r.chance(0.85) ? task.driver : reviewer;
    const mergeAt = nextWorkingMoment(at + sim.r.logNormal(1.2, 1) * HOUR_MS, merger.member.utcOffsetMinutes, sim.r);
    sim.schedule(mergeAt, () => mergePullRequest(sim, task, merger, mergeAt));
    return;
  }
  // Changes requested (or questions): the author pushes a fix, then asks again.
  const agent = task.tool === "copilot-agent";
  const fixAt = agent ? at + sim.r.int(8, 30) * MINUTE_MS : nextWorkingMoment(at + sim.r.logNormal(3, 0.9) * HOUR_MS, task.driver.member.utcOffsetMinutes, sim.r);
  sim.schedule(fixAt, () => {
    if (task.closed) return;
    const end = sim.activities.workSession(sim, task, fixAt, "review", sim.r.int(1, 2));
    scheduleReview(sim, task, reviewer, end);
  });
}

function closeUnmerged(sim: Simulation, task: Task, at: number): void {
  if (task.closed) return;
  if (deferredWhileBusy(sim, task, at, (later) => closeUnmerged(sim, task, later))) return;
  task.closed = true;
  for (const path of task.baseFiles.keys()) task.repo.locks.delete(path);
  const pr = task.pr;
  if (!pr) return;
  pr.closedAt = at;
  sim.emit(at, "pull_request", { action: "closed", number: pr.number, pull_request: prPayload(sim, task, at), ...sim.common(task.repo, userOf(task.driver.member)) });
}

function landMerge(sim: Simulation, task: Task, merger: MemberProfile, at: number, message: string, viaGitHub: boolean): CommitRecord | null {
  const repo = task.repo;
  const changes: { path: string; before: SourceLine[] | null; after: SourceLine[] }[] = [];
  for (const [path, lines] of task.files) {
    const current = repo.main.get(path) ?? null;
    if (sameText(current, lines)) continue;
    changes.push({ path, before: current, after: lines });
  }
  const mergerId = sim.identityOf(merger.member);
  const committer = viaGitHub ? { ...GITHUB_GIT, offsetMinutes: merger.member.utcOffsetMinutes, user: WEB_FLOW } : mergerId;
  const record = makeCommit(sim, repo, {
    parents: [repo.head, task.head],
    author: mergerId,
    committer,
    authorAt: at,
    committerAt: at,
    message,
    changes,
    truth: { aiAssisted: false, tool: null, marked: false, merge: true, branch: "main" },
  });
  const beforeHead = repo.head;
  const newOnMain = task.commits.filter((sha) => !repo.landedSet.has(sha));
  for (const [path, lines] of task.files) repo.main.set(path, lines);
  for (const path of task.baseFiles.keys()) repo.locks.delete(path);
  for (const sha of [...newOnMain, record.response.sha]) {
    repo.landed.push(sha);
    repo.landedSet.add(sha);
  }
  repo.head = record.response.sha;
  task.closed = true;
  emitPush(sim, 
    repo,
    at,
    "main",
    beforeHead,
    [...newOnMain.map((sha) => ({ sha, distinct: false })), { sha: record.response.sha, distinct: true }],
    mergerId,
    userOf(merger.member),
  );
  if (sim.r.chance(0.45)) sim.activities.scheduleDeployment(sim, repo, at + sim.r.int(3, 9) * MINUTE_MS, "staging", ACTIONS_BOT);
  return record;
}

function mergePullRequest(sim: Simulation, task: Task, merger: MemberProfile, at: number): void {
  const pr = task.pr;
  if (task.closed || !pr) return;
  if (deferredWhileBusy(sim, task, at, (later) => mergePullRequest(sim, task, merger, later))) return;
  const record = landMerge(sim, task, merger, at, `Merge pull request #${pr.number} from ${task.repo.payload.owner.login}/${task.branch}\n\n${pr.title}`, true);
  if (!record) return;
  pr.mergedAt = at;
  pr.closedAt = at;
  pr.mergeSha = record.response.sha;
  pr.mergedBy = userOf(merger.member);
  sim.emit(at + 1000, "pull_request", { action: "closed", number: pr.number, pull_request: prPayload(sim, task, at), ...sim.common(task.repo, userOf(merger.member)) });
}

export function mergeLocally(sim: Simulation, task: Task, at: number): void {
  if (task.closed || task.pr) return;
  if (deferredWhileBusy(sim, task, at, (later) => mergeLocally(sim, task, later))) return;
  landMerge(sim, task, task.driver, at, `Merge branch '${task.branch}'`, false);
}
