/** Work on feature branches (sessions of commits, then a push) and direct pushes to main. */
import { COPILOT_BOT, COPILOT_GIT, CURSOR_AGENT_GIT, MEMBER_PROFILES, userOf, type MemberProfile } from "./cast.ts";
import { filePathFor, FILE_VARIANTS, type SourceLine } from "./codegen.ts";
import { aiMessage, branchName, humanMessage, makeTopic, type ChangeKind, type ChangeSummary } from "./messages.ts";
import { DAY_MS, HOUR_MS, isLocalWeekend, localMidnight, MINUTE_MS, nextWorkingMoment } from "./time.ts";
import { type Simulation, ZERO_SHA, areaOfPath, type Files, type Identity, type CommitRecord, type RepoSim, type Task } from "./simulation.ts";
import { makeCommit, emitPush, editFiles } from "./commits.ts";

/** Scales everyone's task rate; tuned so 90 days come to roughly 1,200–1,400 commits. */
const PACE = 0.8;

export function planWork(sim: Simulation): void {
  const firstDay = localMidnight(sim.start, 0) - DAY_MS;
  for (let day = firstDay; day < sim.end + DAY_MS; day += DAY_MS) {
    for (const profile of MEMBER_PROFILES) {
      const off = profile.member.utcOffsetMinutes;
      const midnight = day - off * MINUTE_MS;
      const weekend = isLocalWeekend(midnight + 12 * HOUR_MS, off);
      const rate = profile.pace * PACE * (weekend ? 0.06 : 1);
      const taskCount = Math.floor(rate) + (sim.r.chance(rate - Math.floor(rate)) ? 1 : 0);
      for (let i = 0; i < taskCount; i++) {
        const at = midnight + sim.r.int(9 * 3600, 17 * 3600) * 1000;
        const repoName = sim.r.pick(profile.member.repositories);
        sim.schedule(at, () => startTask(sim, profile, sim.repoNamed(repoName), at));
      }
      const directRate = weekend ? 0.02 : 0.22;
      if (sim.r.chance(directRate)) {
        const at = midnight + sim.r.int(9 * 3600, 18 * 3600) * 1000;
        const repoName = sim.r.pick(profile.member.repositories);
        sim.schedule(at, () => directCommit(sim, profile, sim.repoNamed(repoName), at));
      }
    }
  }
}

function startTask(sim: Simulation, driver: MemberProfile, repo: RepoSim, at: number): void {
  const area = sim.r.weighted(repo.def.areas.map((a) => [a, a.weight] as const));
  const tool = sim.chooseTool(driver, at);
  const ai = tool !== null;
  const candidates = [...repo.main.keys()].filter((p) => !repo.locks.has(p) && areaOfPath(repo.def, p) === area);
  const paths = sim.r.shuffle(candidates).slice(0, ai ? sim.r.int(1, 3) : sim.r.int(1, 2));
  const newFiles: string[] = [];
  if (sim.r.chance(ai ? 0.3 : 0.15) || paths.length === 0) {
    const path = filePathFor(area, sim.r.pick(area.nouns), sim.r.pick(FILE_VARIANTS));
    if (!repo.main.has(path) && !repo.locks.has(path)) newFiles.push(path);
  }
  const testArea = repo.def.areas.find((a) => a.kind === "ts-test" || a.kind === "go-test" || a.kind === "e2e");
  if (testArea && testArea !== area && sim.r.chance(ai ? 0.6 : 0.3)) {
    const tests = [...repo.main.keys()].filter((p) => !repo.locks.has(p) && areaOfPath(repo.def, p) === testArea);
    if (tests.length > 0) paths.push(sim.r.pick(tests));
  }
  if (paths.length + newFiles.length === 0) return;
  const topic = makeTopic(sim.r, area.dir.split("/").pop() ?? area.dir, sim.r.pick(area.nouns));
  let branch = branchName(sim.r, tool, driver.member, topic);
  // Branch names are never reused, so a ref always means one piece of work.
  for (let n = 2; repo.branches.has(branch); n++) branch = `${branchName(sim.r, tool, driver.member, topic)}-${n}`;
  repo.branches.add(branch);
  const files: Files = new Map();
  const baseFiles = new Map<string, SourceLine[] | null>();
  for (const path of paths) {
    const lines = repo.main.get(path);
    if (!lines) continue;
    files.set(path, [...lines]);
    baseFiles.set(path, lines);
  }
  for (const path of newFiles) baseFiles.set(path, null);
  for (const path of baseFiles.keys()) repo.locks.add(path);
  const task: Task = { repo, driver, tool, area, topic, branch, files, baseFiles, newFiles, base: repo.head, head: repo.head, commits: [], pr: null, pushed: false, closed: false, stats: { additions: 0, deletions: 0, changed: 0 }, statsFor: "", busyUntil: 0 };

  if (tool === "copilot-agent") {
    startCopilotTask(sim, task, at);
    return;
  }
  const sessions = ai ? sim.r.int(1, 3) : sim.r.int(1, 4);
  const openAfter = sim.r.int(1, sessions);
  const withoutPr = !ai && sim.r.chance(0.07);
  sim.schedule(at, () => runSession(sim, task, 1, sessions, withoutPr ? 0 : openAfter, at));
}

/** Session `s` of `total`; the next one is scheduled when this one is pushed, so branch history stays in order. */
function runSession(sim: Simulation, task: Task, s: number, total: number, openAfter: number, at: number): void {
  if (task.closed) return;
  const ai = task.tool !== null;
  const isLast = s === total;
  const end = workSession(sim, task, at, s === 1 ? "feature" : "followup", ai ? sim.r.int(1, 3) : sim.r.int(1, 2));
  if (s === openAfter) sim.activities.openPullRequest(sim, task, end + sim.r.int(2, 30) * MINUTE_MS, sim.r.chance(0.2) && !isLast);
  else if (isLast && task.pr?.draft) sim.activities.readyForReview(sim, task, end + sim.r.int(5, 60) * MINUTE_MS);
  if (isLast && openAfter === 0) {
    const mergeAt = end + sim.r.int(10, 120) * MINUTE_MS;
    sim.schedule(mergeAt, () => sim.activities.mergeLocally(sim, task, mergeAt));
  }
  if (!isLast) {
    const next = nextSessionAt(sim, task.driver, end, ai ? 2 : 4);
    sim.schedule(next, () => runSession(sim, task, s + 1, total, openAfter, next));
  }
}

/** Usually the next working moment after a break; now and then the same evening, late. */
function nextSessionAt(sim: Simulation, driver: MemberProfile, after: number, medianBreakHours: number): number {
  const off = driver.member.utcOffsetMinutes;
  const lateNight = localMidnight(after, off) + (22 * 60 + sim.r.int(0, 180)) * MINUTE_MS;
  if (sim.r.chance(0.06) && lateNight > after) return lateNight;
  return nextWorkingMoment(after + sim.r.logNormal(medianBreakHours, 0.8) * HOUR_MS, off, sim.r);
}

/** A burst of commits on the branch, then one push. Returns the time of the push. */
export function workSession(sim: Simulation, task: Task, at: number, kind: ChangeKind, count: number): number {
  // Never before the branch's last push: a second line of work (review fixes) queues behind the first.
  let t = Math.max(at, task.busyUntil + MINUTE_MS);
  const beforeHead = task.head;
  const created: string[] = [];
  for (let i = 0; i < count; i++) {
    const aiCommit = task.tool !== null && (task.tool === "copilot-agent" || sim.r.chance(kind === "review" ? 0.6 : 0.88));
    const paths = pickBranchPaths(sim, task, kind, aiCommit);
    const newSet = new Set(task.newFiles.filter((p) => !task.files.has(p)));
    const { changes, summary } = editFiles(sim, task.repo, task.files, paths, i === 0 ? kind : "followup", aiCommit, t, newSet);
    task.newFiles = task.newFiles.filter((p) => !task.files.has(p));
    if (changes.length === 0) continue;
    const record = commitOnBranch(sim, task, t, aiCommit, kind, summary, changes);
    created.push(record.response.sha);
    // AI-assisted work lands in quick succession; people take longer between commits.
    t += (aiCommit && task.tool !== "copilot-agent" ? sim.r.int(40, 540) : sim.r.int(360, 3300)) * 1000;
  }
  if (created.length === 0) return t;
  const pushAt = t + sim.r.int(1, 5) * MINUTE_MS;
  pushBranch(sim, task, pushAt, beforeHead, created);
  task.busyUntil = Math.max(task.busyUntil, pushAt);
  return pushAt;
}

function pickBranchPaths(sim: Simulation, task: Task, kind: ChangeKind, aiCommit: boolean): string[] {
  const pending = task.newFiles.filter((p) => !task.files.has(p));
  const existing = [...task.files.keys()];
  if (kind === "feature") return [...pending, ...existing];
  const count = Math.min(existing.length, aiCommit ? sim.r.int(1, 3) : 1);
  return [...pending, ...sim.r.shuffle(existing).slice(0, Math.max(1, count))];
}

function commitOnBranch(sim: Simulation, task: Task, at: number, aiCommit: boolean, kind: ChangeKind, summary: ChangeSummary, changes: { path: string; before: SourceLine[] | null; after: SourceLine[] }[]): CommitRecord {
  const tool = aiCommit ? task.tool : null;
  const marked = tool !== null && (tool === "copilot-agent" || tool === "cursor-agent" || !sim.r.chance(task.driver.stripsMarkers + (tool === "codex" ? 0.35 : 0)));
  const message = tool ? aiMessage(sim.r, tool, marked, kind, task.topic, summary, task.driver.member) : humanMessage(sim.r, kind, task.topic, summary);
  const author = authorFor(sim, task, aiCommit);
  const record = makeCommit(sim, task.repo, {
    parents: [task.head],
    author,
    committer: author,
    authorAt: at,
    committerAt: at,
    message,
    changes,
    truth: { aiAssisted: tool !== null, tool, marked, merge: false, branch: task.branch },
  });
  task.head = record.response.sha;
  task.commits.push(record.response.sha);
  return record;
}

function pushBranch(sim: Simulation, task: Task, at: number, beforeHead: string, shas: string[]): void {
  const agent = task.tool === "copilot-agent";
  const pusher = agent ? { ...COPILOT_GIT, offsetMinutes: 0, user: COPILOT_BOT } : sim.identityOf(task.driver.member);
  const before = task.pushed ? beforeHead : ZERO_SHA;
  emitPush(sim, task.repo, at, task.branch, before, shas.map((sha) => ({ sha, distinct: true })), pusher, pusher.user ?? COPILOT_BOT);
  task.pushed = true;
  if (task.pr && !task.closed) {
    sim.emit(at + 2000, "pull_request", {
      action: "synchronize",
      number: task.pr.number,
      pull_request: sim.activities.prPayload(sim, task, at),
      before: beforeHead,
      after: task.head,
      ...sim.common(task.repo, pusher.user ?? COPILOT_BOT),
    });
  }
}

function startCopilotTask(sim: Simulation, task: Task, at: number): void {
  const bot = { ...COPILOT_GIT, offsetMinutes: 0, user: COPILOT_BOT };
  const plan = makeCommit(sim, task.repo, {
    parents: [task.head],
    author: bot,
    committer: bot,
    authorAt: at + MINUTE_MS,
    committerAt: at + MINUTE_MS,
    message: `Initial plan`,
    changes: [],
    truth: { aiAssisted: true, tool: "copilot-agent", marked: true, merge: false, branch: task.branch },
  });
  task.head = plan.response.sha;
  task.commits.push(plan.response.sha);
  pushBranch(sim, task, at + 2 * MINUTE_MS, task.base, [plan.response.sha]);
  sim.activities.openPullRequest(sim, task, at + 3 * MINUTE_MS, true, COPILOT_BOT);
  let t = at + sim.r.int(6, 15) * MINUTE_MS;
  const steps = sim.r.int(1, 3);
  for (let i = 0; i < steps; i++) {
    const stepAt = t;
    const last = i === steps - 1;
    sim.schedule(stepAt, () => {
      if (task.closed) return;
      const end = workSession(sim, task, stepAt, i === 0 ? "feature" : "followup", 1);
      if (last) sim.activities.readyForReview(sim, task, end + sim.r.int(1, 4) * MINUTE_MS);
    });
    t += sim.r.int(5, 25) * MINUTE_MS;
  }
}

function authorFor(sim: Simulation, task: Task, aiCommit: boolean): Identity {
  if (aiCommit && task.tool === "copilot-agent") return { ...COPILOT_GIT, offsetMinutes: 0, user: COPILOT_BOT };
  if (aiCommit && task.tool === "cursor-agent") return { ...CURSOR_AGENT_GIT, offsetMinutes: 0, user: null };
  return sim.identityOf(task.driver.member);
}

export function directCommit(sim: Simulation, profile: MemberProfile, repo: RepoSim, at: number, kind: ChangeKind = "fix", onlyPath?: string, messageOverride?: string): CommitRecord | null {
  const candidates = onlyPath ? [onlyPath] : [...repo.main.keys()].filter((p) => !repo.locks.has(p));
  if (candidates.length === 0) return null;
  const path = onlyPath ?? sim.r.pick(candidates);
  const area = areaOfPath(repo.def, path);
  if (!area || repo.locks.has(path)) return null;
  const tool = kind === "hotfix" ? null : sim.chooseTool(profile, at);
  const usableTool = tool === "copilot-agent" || tool === "cursor-agent" || tool === "codex" ? null : tool;
  const { changes, summary } = editFiles(sim, repo, repo.main, [path], kind, usableTool !== null, at, new Set());
  if (changes.length === 0) return null;
  const topic = makeTopic(sim.r, area.dir.split("/").pop() ?? area.dir, sim.r.pick(area.nouns));
  const marked = usableTool !== null && !sim.r.chance(profile.stripsMarkers);
  const message = messageOverride ?? (usableTool ? aiMessage(sim.r, usableTool, marked, kind, topic, summary, profile.member) : humanMessage(sim.r, kind, topic, summary));
  const me = sim.identityOf(profile.member);
  const committedAt = Math.max(sim.start, at - sim.r.int(1, 4) * MINUTE_MS, (sim.commits.get(repo.head)?.at ?? 0) + 1000);
  const record = makeCommit(sim, repo, {
    parents: [repo.head],
    author: me,
    committer: me,
    authorAt: committedAt,
    committerAt: committedAt,
    message,
    changes,
    truth: { aiAssisted: usableTool !== null, tool: usableTool, marked, merge: false, branch: "main" },
  });
  const beforeHead = repo.head;
  repo.head = record.response.sha;
  repo.landed.push(record.response.sha);
  repo.landedSet.add(record.response.sha);
  emitPush(sim, repo, Math.max(at, committedAt), "main", beforeHead, [{ sha: record.response.sha, distinct: true }], me, userOf(profile.member));
  return record;
}
