/**
 * Simulates ~90 days of work in three repositories and records it the way GitHub would report it:
 * webhook deliveries plus "get a commit" responses. State (file contents, branches, locks, PRs,
 * deployments) evolves in time order, so every patch applies to its parent and every reference exists.
 */
import {
  ACCOUNT,
  ACTIONS_BOT,
  COPILOT_BOT,
  COPILOT_GIT,
  CURSOR_AGENT_GIT,
  GITHUB_GIT,
  MEMBER_PROFILES,
  ORG_USER,
  REPO_DEFS,
  WEB_FLOW,
  repositoryPayload,
  userOf,
  type AreaDef,
  type MemberProfile,
  type RepoDef,
} from "./cast.ts";
import { addBlock, createFile, editStatements, filePathFor, FILE_VARIANTS, removeBlock, rewriteBlock, type EditContext, type SourceLine } from "./codegen.ts";
import { diffStats, unifiedPatch } from "./diff.ts";
import { aiMessage, branchName, humanMessage, makeTopic, pullRequestBody, reviewBody, type ChangeKind, type ChangeSummary, type Topic } from "./messages.ts";
import { Random } from "./random.ts";
import { DAY_MS, HOUR_MS, isLocalWeekend, isoUtc, isoWithOffset, localMidnight, MINUTE_MS, nextWorkingMoment } from "./time.ts";
import type {
  AiTool,
  DemoCommitTruth,
  DemoDataset,
  DemoDelivery,
  DemoIncident,
  DemoMember,
  GenerateDemoDatasetInput,
  GitHubCommitFile,
  GitHubCommitResponse,
  GitHubDeployment,
  GitHubPullRequest,
  GitHubPushCommit,
  GitHubRepository,
  GitHubUser,
  ReviewState,
  Severity,
} from "./types.ts";

/** Scales everyone's task rate; tuned so 90 days come to roughly 1,200–1,400 commits. */
const PACE = 0.8;

const ZERO_SHA = "0000000000000000000000000000000000000000";

type Files = Map<string, SourceLine[]>;

interface Identity {
  name: string;
  email: string;
  offsetMinutes: number;
  user: GitHubUser | null;
}

interface CommitRecord {
  response: GitHubCommitResponse;
  treeId: string;
  at: number;
  added: string[];
  removed: string[];
  modified: string[];
  pushAuthor: { name: string; email: string; username?: string };
  pushCommitter: { name: string; email: string; username?: string };
}

interface RepoSim {
  def: RepoDef;
  payload: GitHubRepository;
  main: Files;
  locks: Set<string>;
  head: string;
  /** Every commit that has reached main, in landing order. */
  landed: string[];
  landedSet: Set<string>;
  members: MemberProfile[];
  nextPrNumber: number;
  prodDeployedCount: number;
  prodSha: string;
  lastIncidentAt: number;
  branches: Set<string>;
}

interface PullRequestState {
  id: number;
  number: number;
  title: string;
  body: string;
  user: GitHubUser;
  draft: boolean;
  createdAt: number;
  closedAt: number | null;
  mergedAt: number | null;
  mergeSha: string | null;
  mergedBy: GitHubUser | null;
  requested: GitHubUser[];
  assignees: GitHubUser[];
  reviewRounds: number;
}

interface Task {
  repo: RepoSim;
  driver: MemberProfile;
  tool: AiTool | null;
  area: AreaDef;
  topic: Topic;
  branch: string;
  files: Files;
  baseFiles: Map<string, SourceLine[] | null>;
  newFiles: string[];
  base: string;
  head: string;
  commits: string[];
  pr: PullRequestState | null;
  pushed: boolean;
  closed: boolean;
  /** Net diff against the base, cached per head: PR payloads repeat it on every event. */
  stats: { additions: number; deletions: number; changed: number };
  statsFor: string;
  /** A work session emits commits up to this time; reviews and merges wait until it is pushed. */
  busyUntil: number;
}

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

/** Min-heap on (at, seq): the simulation clock. */
class Agenda {
  private readonly heap: Scheduled[] = [];
  private seq = 0;

  push(at: number, run: () => void): void {
    const item = { at, seq: this.seq++, run };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as Scheduled, h[parent] as Scheduled)) break;
      [h[i], h[parent]] = [h[parent] as Scheduled, h[i] as Scheduled];
      i = parent;
    }
  }

  pop(): Scheduled | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l] as Scheduled, h[m] as Scheduled)) m = l;
        if (r < h.length && before(h[r] as Scheduled, h[m] as Scheduled)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Scheduled, h[i] as Scheduled];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function texts(lines: readonly SourceLine[] | null | undefined): string[] {
  return lines ? lines.map((l) => l.text) : [];
}

function sameText(a: readonly SourceLine[] | null | undefined, b: readonly SourceLine[] | null | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((line, i) => line.text === (b[i] as SourceLine).text);
}

function areaOfPath(def: RepoDef, path: string): AreaDef | undefined {
  const isTest = /(_test\.go|\.test\.ts|\.spec\.ts)$/.test(path);
  return def.areas.find((a) => path.startsWith(`${a.dir}/`) && (a.kind === "go-test" || a.kind === "ts-test" || a.kind === "e2e") === isTest);
}

const INCIDENT_TITLES: Record<string, readonly string[]> = {
  payments: ["Refunds issued twice after provider timeouts", "Card captures failing with 500 at checkout", "Payout amounts rounded to whole euros"],
  auth: ["Sessions expiring immediately after login", "API keys rejected for EU tenants", "Password reset links invalid on first use"],
  crypto: ["Settlement partner rejecting ledger signatures", "Envelope decryption failing for rotated keys"],
};

class DemoSimulation {
  private readonly agenda = new Agenda();
  private readonly events: { at: number; seq: number; delivery: Omit<DemoDelivery, "id" | "receivedAt"> }[] = [];
  private eventSeq = 0;
  private readonly commits = new Map<string, CommitRecord>();
  private readonly commitOrder: string[] = [];
  private readonly truth: Record<string, DemoCommitTruth> = {};
  private readonly incidents: DemoIncident[] = [];
  private readonly repos: RepoSim[];
  private readonly r: Random;
  private readonly ids: Random;
  private prId = 2_104_880_000;
  private reviewId = 2_950_114_000;
  private deploymentId = 1_640_200_000;
  private statusId = 3_880_410_000;

  constructor(
    seed: number,
    private readonly start: number,
    private readonly end: number,
  ) {
    const root = new Random(seed);
    this.r = root.fork("simulation");
    this.ids = root.fork("ids");
    const baseline = root.fork("baseline");
    this.repos = REPO_DEFS.map((def) => this.createRepo(def, baseline));
  }

  // ---------------------------------------------------------------- setup

  private createRepo(def: RepoDef, random: Random): RepoSim {
    const payload = repositoryPayload(def);
    const main: Files = new Map();
    const bornAt = this.start - 400 * DAY_MS;
    for (const area of def.areas) {
      for (const noun of area.nouns) {
        const path = filePathFor(area, noun, null);
        if (main.has(path)) continue;
        const ctx: EditContext = { random, area, at: bornAt + random.int(0, 300) * DAY_MS, aiWritten: false };
        main.set(path, createFile(ctx, random.int(2, 5)).lines);
      }
    }
    const members = MEMBER_PROFILES.filter((p) => p.member.repositories.includes(payload.full_name));
    return {
      def,
      payload,
      main,
      locks: new Set(),
      head: random.hex(40),
      landed: [],
      landedSet: new Set(),
      members,
      nextPrNumber: random.int(120, 480),
      prodDeployedCount: 0,
      prodSha: "",
      lastIncidentAt: -Infinity,
      branches: new Set(),
    };
  }

  run(): void {
    this.planWork();
    this.planDeployments();
    for (let item = this.agenda.pop(); item; item = this.agenda.pop()) item.run();
  }

  private schedule(at: number, run: () => void): void {
    if (at < this.start || at >= this.end) return;
    this.agenda.push(at, run);
  }

  private progress(at: number): number {
    return (at - this.start) / (this.end - this.start);
  }

  private planWork(): void {
    const firstDay = localMidnight(this.start, 0) - DAY_MS;
    for (let day = firstDay; day < this.end + DAY_MS; day += DAY_MS) {
      for (const profile of MEMBER_PROFILES) {
        const off = profile.member.utcOffsetMinutes;
        const midnight = day - off * MINUTE_MS;
        const weekend = isLocalWeekend(midnight + 12 * HOUR_MS, off);
        const rate = profile.pace * PACE * (weekend ? 0.06 : 1);
        const taskCount = Math.floor(rate) + (this.r.chance(rate - Math.floor(rate)) ? 1 : 0);
        for (let i = 0; i < taskCount; i++) {
          const at = midnight + this.r.int(9 * 3600, 17 * 3600) * 1000;
          const repoName = this.r.pick(profile.member.repositories);
          this.schedule(at, () => this.startTask(profile, this.repoNamed(repoName), at));
        }
        const directRate = weekend ? 0.02 : 0.22;
        if (this.r.chance(directRate)) {
          const at = midnight + this.r.int(9 * 3600, 18 * 3600) * 1000;
          const repoName = this.r.pick(profile.member.repositories);
          this.schedule(at, () => this.directCommit(profile, this.repoNamed(repoName), at));
        }
      }
    }
  }

  private repoNamed(fullName: string): RepoSim {
    const repo = this.repos.find((r) => r.payload.full_name === fullName);
    if (!repo) throw new Error(`unknown demo repository ${fullName}`);
    return repo;
  }

  // ---------------------------------------------------------------- deliveries

  private emit<E extends DemoDelivery["event"]>(at: number, event: E, payload: Extract<DemoDelivery, { event: E }>["payload"]): void {
    this.events.push({ at, seq: this.eventSeq++, delivery: { event, payload } as Omit<DemoDelivery, "id" | "receivedAt"> });
  }

  private common(repo: RepoSim, sender: GitHubUser) {
    return { repository: repo.payload, organization: ORG_USER, installation: { id: ACCOUNT.installationId }, sender };
  }

  // ---------------------------------------------------------------- commits

  private makeCommit(
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
    const sha = this.ids.hex(40);
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
        tree: { sha: this.ids.hex(40) },
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
    this.commits.set(sha, record);
    this.commitOrder.push(sha);
    this.truth[sha] = { repoFullName: repo.payload.full_name, ...opts.truth };
    return record;
  }

  private pushCommit(sha: string, distinct: boolean, repo: RepoSim): GitHubPushCommit {
    const c = this.commits.get(sha);
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

  private emitPush(repo: RepoSim, at: number, ref: string, beforeSha: string, shas: { sha: string; distinct: boolean }[], pusher: Identity, sender: GitHubUser): void {
    const commits = shas.map((s) => this.pushCommit(s.sha, s.distinct, repo));
    const after = shas[shas.length - 1]?.sha ?? beforeSha;
    this.emit(at, "push", {
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
      ...this.common(repo, sender),
    });
  }

  private identityOf(member: DemoMember): Identity {
    return { name: member.name, email: member.email, offsetMinutes: member.utcOffsetMinutes, user: userOf(member) };
  }

  private authorFor(task: Task, aiCommit: boolean): Identity {
    if (aiCommit && task.tool === "copilot-agent") return { ...COPILOT_GIT, offsetMinutes: 0, user: COPILOT_BOT };
    if (aiCommit && task.tool === "cursor-agent") return { ...CURSOR_AGENT_GIT, offsetMinutes: 0, user: null };
    return this.identityOf(task.driver.member);
  }

  /** Applies one commit's worth of edits to `files` (branch or main) and describes them. */
  private editFiles(repo: RepoSim, files: Files, paths: string[], kind: ChangeKind, aiWritten: boolean, at: number, newFiles: Set<string>) {
    const changes: { path: string; before: SourceLine[] | null; after: SourceLine[] }[] = [];
    const summary: ChangeSummary = { added: [], reworked: [], edited: [], files: [] };
    const big = aiWritten && kind !== "review" && kind !== "hotfix";
    for (const path of paths) {
      const area = areaOfPath(repo.def, path);
      if (!area) continue;
      const ctx: EditContext = { random: this.r, area, at, aiWritten };
      const existing = files.get(path);
      if (!existing || newFiles.has(path)) {
        if (!existing) {
          const created = createFile(ctx, big ? this.r.int(2, 4) : this.r.int(1, 2));
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
      if (kind === "feature" || (kind === "followup" && this.r.chance(0.5))) {
        const blocks = big ? this.r.int(1, 3) : this.r.chance(0.5) ? 1 : 0;
        for (let i = 0; i < blocks; i++) summary.added.push(addBlock(lines, ctx));
        summary.edited.push(...editStatements(lines, ctx, big ? this.r.int(2, 6) : this.r.int(1, 3), false));
      } else if (kind === "hotfix") {
        const name = rewriteBlock(lines, ctx, true);
        if (name) summary.reworked.push(name);
        summary.edited.push(...editStatements(lines, ctx, this.r.int(2, 4), true));
      } else {
        if (this.r.chance(big ? 0.5 : 0.2)) {
          const name = rewriteBlock(lines, ctx, true);
          if (name) summary.reworked.push(name);
        }
        summary.edited.push(...editStatements(lines, ctx, big ? this.r.int(2, 5) : this.r.int(1, 3), true));
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

  // ---------------------------------------------------------------- tasks (feature branches)

  private chooseTool(profile: MemberProfile, at: number): AiTool | null {
    const p = this.progress(at);
    // Adoption grows over the window; agents (Copilot, Cursor background) catch on later than editors.
    if (!this.r.chance(profile.aiAffinity * (0.15 + 0.92 * p))) return null;
    return this.r.weighted(profile.tools.map(([tool, w]) => [tool, tool === "copilot-agent" || tool === "cursor-agent" ? w * (0.3 + 1.4 * p) : w] as const));
  }

  private startTask(driver: MemberProfile, repo: RepoSim, at: number): void {
    const area = this.r.weighted(repo.def.areas.map((a) => [a, a.weight] as const));
    const tool = this.chooseTool(driver, at);
    const ai = tool !== null;
    const candidates = [...repo.main.keys()].filter((p) => !repo.locks.has(p) && areaOfPath(repo.def, p) === area);
    const paths = this.r.shuffle(candidates).slice(0, ai ? this.r.int(1, 3) : this.r.int(1, 2));
    const newFiles: string[] = [];
    if (this.r.chance(ai ? 0.3 : 0.15) || paths.length === 0) {
      const path = filePathFor(area, this.r.pick(area.nouns), this.r.pick(FILE_VARIANTS));
      if (!repo.main.has(path) && !repo.locks.has(path)) newFiles.push(path);
    }
    const testArea = repo.def.areas.find((a) => a.kind === "ts-test" || a.kind === "go-test" || a.kind === "e2e");
    if (testArea && testArea !== area && this.r.chance(ai ? 0.6 : 0.3)) {
      const tests = [...repo.main.keys()].filter((p) => !repo.locks.has(p) && areaOfPath(repo.def, p) === testArea);
      if (tests.length > 0) paths.push(this.r.pick(tests));
    }
    if (paths.length + newFiles.length === 0) return;
    const topic = makeTopic(this.r, area.dir.split("/").pop() ?? area.dir, this.r.pick(area.nouns));
    let branch = branchName(this.r, tool, driver.member, topic);
    // Branch names are never reused, so a ref always means one piece of work.
    for (let n = 2; repo.branches.has(branch); n++) branch = `${branchName(this.r, tool, driver.member, topic)}-${n}`;
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
      this.startCopilotTask(task, at);
      return;
    }
    const sessions = ai ? this.r.int(1, 3) : this.r.int(1, 4);
    const openAfter = this.r.int(1, sessions);
    const withoutPr = !ai && this.r.chance(0.07);
    this.schedule(at, () => this.runSession(task, 1, sessions, withoutPr ? 0 : openAfter, at));
  }

  /** Session `s` of `total`; the next one is scheduled when this one is pushed, so branch history stays in order. */
  private runSession(task: Task, s: number, total: number, openAfter: number, at: number): void {
    if (task.closed) return;
    const ai = task.tool !== null;
    const isLast = s === total;
    const end = this.workSession(task, at, s === 1 ? "feature" : "followup", ai ? this.r.int(1, 3) : this.r.int(1, 2));
    if (s === openAfter) this.openPullRequest(task, end + this.r.int(2, 30) * MINUTE_MS, this.r.chance(0.2) && !isLast);
    else if (isLast && task.pr?.draft) this.readyForReview(task, end + this.r.int(5, 60) * MINUTE_MS);
    if (isLast && openAfter === 0) {
      const mergeAt = end + this.r.int(10, 120) * MINUTE_MS;
      this.schedule(mergeAt, () => this.mergeLocally(task, mergeAt));
    }
    if (!isLast) {
      const next = this.nextSessionAt(task.driver, end, ai ? 2 : 4);
      this.schedule(next, () => this.runSession(task, s + 1, total, openAfter, next));
    }
  }

  /** Usually the next working moment after a break; now and then the same evening, late. */
  private nextSessionAt(driver: MemberProfile, after: number, medianBreakHours: number): number {
    const off = driver.member.utcOffsetMinutes;
    const lateNight = localMidnight(after, off) + (22 * 60 + this.r.int(0, 180)) * MINUTE_MS;
    if (this.r.chance(0.06) && lateNight > after) return lateNight;
    return nextWorkingMoment(after + this.r.logNormal(medianBreakHours, 0.8) * HOUR_MS, off, this.r);
  }

  /** A burst of commits on the branch, then one push. Returns the time of the push. */
  private workSession(task: Task, at: number, kind: ChangeKind, count: number): number {
    // Never before the branch's last push: a second line of work (review fixes) queues behind the first.
    let t = Math.max(at, task.busyUntil + MINUTE_MS);
    const beforeHead = task.head;
    const created: string[] = [];
    for (let i = 0; i < count; i++) {
      const aiCommit = task.tool !== null && (task.tool === "copilot-agent" || this.r.chance(kind === "review" ? 0.6 : 0.88));
      const paths = this.pickBranchPaths(task, kind, aiCommit);
      const newSet = new Set(task.newFiles.filter((p) => !task.files.has(p)));
      const { changes, summary } = this.editFiles(task.repo, task.files, paths, i === 0 ? kind : "followup", aiCommit, t, newSet);
      task.newFiles = task.newFiles.filter((p) => !task.files.has(p));
      if (changes.length === 0) continue;
      const record = this.commitOnBranch(task, t, aiCommit, kind, summary, changes);
      created.push(record.response.sha);
      // AI-assisted work lands in quick succession; people take longer between commits.
      t += (aiCommit && task.tool !== "copilot-agent" ? this.r.int(40, 540) : this.r.int(360, 3300)) * 1000;
    }
    if (created.length === 0) return t;
    const pushAt = t + this.r.int(1, 5) * MINUTE_MS;
    this.pushBranch(task, pushAt, beforeHead, created);
    task.busyUntil = Math.max(task.busyUntil, pushAt);
    return pushAt;
  }

  private pickBranchPaths(task: Task, kind: ChangeKind, aiCommit: boolean): string[] {
    const pending = task.newFiles.filter((p) => !task.files.has(p));
    const existing = [...task.files.keys()];
    if (kind === "feature") return [...pending, ...existing];
    const count = Math.min(existing.length, aiCommit ? this.r.int(1, 3) : 1);
    return [...pending, ...this.r.shuffle(existing).slice(0, Math.max(1, count))];
  }

  private commitOnBranch(task: Task, at: number, aiCommit: boolean, kind: ChangeKind, summary: ChangeSummary, changes: { path: string; before: SourceLine[] | null; after: SourceLine[] }[]): CommitRecord {
    const tool = aiCommit ? task.tool : null;
    const marked = tool !== null && (tool === "copilot-agent" || tool === "cursor-agent" || !this.r.chance(task.driver.stripsMarkers + (tool === "codex" ? 0.35 : 0)));
    const message = tool ? aiMessage(this.r, tool, marked, kind, task.topic, summary, task.driver.member) : humanMessage(this.r, kind, task.topic, summary);
    const author = this.authorFor(task, aiCommit);
    const record = this.makeCommit(task.repo, {
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

  private pushBranch(task: Task, at: number, beforeHead: string, shas: string[]): void {
    const agent = task.tool === "copilot-agent";
    const pusher = agent ? { ...COPILOT_GIT, offsetMinutes: 0, user: COPILOT_BOT } : this.identityOf(task.driver.member);
    const before = task.pushed ? beforeHead : ZERO_SHA;
    this.emitPush(task.repo, at, task.branch, before, shas.map((sha) => ({ sha, distinct: true })), pusher, pusher.user ?? COPILOT_BOT);
    task.pushed = true;
    if (task.pr && !task.closed) {
      this.emit(at + 2000, "pull_request", {
        action: "synchronize",
        number: task.pr.number,
        pull_request: this.prPayload(task, at),
        before: beforeHead,
        after: task.head,
        ...this.common(task.repo, pusher.user ?? COPILOT_BOT),
      });
    }
  }

  private startCopilotTask(task: Task, at: number): void {
    const bot = { ...COPILOT_GIT, offsetMinutes: 0, user: COPILOT_BOT };
    const plan = this.makeCommit(task.repo, {
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
    this.pushBranch(task, at + 2 * MINUTE_MS, task.base, [plan.response.sha]);
    this.openPullRequest(task, at + 3 * MINUTE_MS, true, COPILOT_BOT);
    let t = at + this.r.int(6, 15) * MINUTE_MS;
    const steps = this.r.int(1, 3);
    for (let i = 0; i < steps; i++) {
      const stepAt = t;
      const last = i === steps - 1;
      this.schedule(stepAt, () => {
        if (task.closed) return;
        const end = this.workSession(task, stepAt, i === 0 ? "feature" : "followup", 1);
        if (last) this.readyForReview(task, end + this.r.int(1, 4) * MINUTE_MS);
      });
      t += this.r.int(5, 25) * MINUTE_MS;
    }
  }

  // ---------------------------------------------------------------- pull requests

  private prPayload(task: Task, at: number): GitHubPullRequest {
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

  private openPullRequest(task: Task, at: number, draft: boolean, user?: GitHubUser): void {
    this.schedule(at, () => {
      if (task.closed || task.pr) return;
      const author = user ?? userOf(task.driver.member);
      task.pr = {
        id: this.prId++,
        number: task.repo.nextPrNumber++,
        title: task.topic.title,
        body: pullRequestBody(this.r, task.tool, task.topic),
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
      this.emit(at, "pull_request", { action: "opened", number: task.pr.number, pull_request: this.prPayload(task, at), ...this.common(task.repo, author) });
      if (!draft) this.requestReviews(task, at + this.r.int(0, 3) * MINUTE_MS);
    });
  }

  private readyForReview(task: Task, at: number): void {
    this.schedule(at, () => {
      const pr = task.pr;
      if (task.closed || !pr || !pr.draft) return;
      pr.draft = false;
      this.emit(at, "pull_request", { action: "ready_for_review", number: pr.number, pull_request: this.prPayload(task, at), ...this.common(task.repo, pr.user) });
      this.requestReviews(task, at + MINUTE_MS);
    });
  }

  private reviewersFor(task: Task): MemberProfile[] {
    if (task.tool === "copilot-agent") return [task.driver];
    const others = task.repo.members.filter((m) => m !== task.driver);
    return this.r.shuffle(others).slice(0, this.r.chance(0.3) ? 2 : 1);
  }

  private requestReviews(task: Task, at: number): void {
    const pr = task.pr;
    if (!pr) return;
    const reviewers = this.reviewersFor(task);
    for (const reviewer of reviewers) {
      const user = userOf(reviewer.member);
      pr.requested.push(user);
      this.emit(at, "pull_request", {
        action: "review_requested",
        number: pr.number,
        pull_request: this.prPayload(task, at),
        requested_reviewer: user,
        ...this.common(task.repo, pr.user),
      });
    }
    const first = reviewers[0];
    if (first) this.scheduleReview(task, first, at);
  }

  private scheduleReview(task: Task, reviewer: MemberProfile, from: number): void {
    // Most reviews come within a working day; some PRs hang for days (the review-queue story).
    const hang = this.r.chance(0.12);
    const wait = hang ? this.r.int(3 * 24, 7 * 24) * HOUR_MS : Math.min(this.r.logNormal(3, 1.1) * HOUR_MS, 3 * DAY_MS);
    const at = nextWorkingMoment(from + Math.max(10 * MINUTE_MS, wait), reviewer.member.utcOffsetMinutes, this.r);
    this.schedule(at, () => this.submitReview(task, reviewer, at));
  }

  /** True (and re-queued) when the task's author is still mid-session at `at`. */
  private deferredWhileBusy(task: Task, at: number, retry: (later: number) => void): boolean {
    if (at > task.busyUntil) return false;
    const later = task.busyUntil + this.r.int(5, 60) * MINUTE_MS;
    this.schedule(later, () => retry(later));
    return true;
  }

  private submitReview(task: Task, reviewer: MemberProfile, at: number): void {
    const pr = task.pr;
    if (task.closed || !pr) return;
    if (this.deferredWhileBusy(task, at, (later) => this.submitReview(task, reviewer, later))) return;
    pr.reviewRounds++;
    const user = userOf(reviewer.member);
    const agentPr = task.tool === "copilot-agent" || task.tool === "codex" || task.tool === "cursor-agent";
    const state: ReviewState =
      pr.reviewRounds >= 3
        ? "approved"
        : this.r.weighted([
            ["approved", pr.reviewRounds > 1 ? 0.85 : 0.58],
            ["changes_requested", agentPr ? 0.3 : 0.22],
            ["commented", 0.15],
          ] as const);
    pr.requested = pr.requested.filter((u) => u.id !== user.id);
    this.emit(at, "pull_request_review", {
      action: "submitted",
      review: {
        id: this.reviewId++,
        user,
        body: reviewBody(this.r, state),
        state,
        submitted_at: isoUtc(at),
        commit_id: task.head,
        html_url: `${task.repo.payload.html_url}/pull/${pr.number}#pullrequestreview-${this.reviewId}`,
      },
      pull_request: this.prPayload(task, at),
      ...this.common(task.repo, user),
    });

    if (this.r.chance(agentPr ? 0.12 : 0.04)) {
      const closeAt = at + this.r.int(10, 300) * MINUTE_MS;
      this.schedule(closeAt, () => this.closeUnmerged(task, closeAt));
      return;
    }
    if (state === "approved") {
      const merger = task.tool === "copilot-agent" ? task.driver : this.r.chance(0.85) ? task.driver : reviewer;
      const mergeAt = nextWorkingMoment(at + this.r.logNormal(1.2, 1) * HOUR_MS, merger.member.utcOffsetMinutes, this.r);
      this.schedule(mergeAt, () => this.mergePullRequest(task, merger, mergeAt));
      return;
    }
    // Changes requested (or questions): the author pushes a fix, then asks again.
    const agent = task.tool === "copilot-agent";
    const fixAt = agent ? at + this.r.int(8, 30) * MINUTE_MS : nextWorkingMoment(at + this.r.logNormal(3, 0.9) * HOUR_MS, task.driver.member.utcOffsetMinutes, this.r);
    this.schedule(fixAt, () => {
      if (task.closed) return;
      const end = this.workSession(task, fixAt, "review", this.r.int(1, 2));
      this.scheduleReview(task, reviewer, end);
    });
  }

  private closeUnmerged(task: Task, at: number): void {
    if (task.closed) return;
    if (this.deferredWhileBusy(task, at, (later) => this.closeUnmerged(task, later))) return;
    task.closed = true;
    for (const path of task.baseFiles.keys()) task.repo.locks.delete(path);
    const pr = task.pr;
    if (!pr) return;
    pr.closedAt = at;
    this.emit(at, "pull_request", { action: "closed", number: pr.number, pull_request: this.prPayload(task, at), ...this.common(task.repo, userOf(task.driver.member)) });
  }

  private landMerge(task: Task, merger: MemberProfile, at: number, message: string, viaGitHub: boolean): CommitRecord | null {
    const repo = task.repo;
    const changes: { path: string; before: SourceLine[] | null; after: SourceLine[] }[] = [];
    for (const [path, lines] of task.files) {
      const current = repo.main.get(path) ?? null;
      if (sameText(current, lines)) continue;
      changes.push({ path, before: current, after: lines });
    }
    const mergerId = this.identityOf(merger.member);
    const committer = viaGitHub ? { ...GITHUB_GIT, offsetMinutes: merger.member.utcOffsetMinutes, user: WEB_FLOW } : mergerId;
    const record = this.makeCommit(repo, {
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
    this.emitPush(
      repo,
      at,
      "main",
      beforeHead,
      [...newOnMain.map((sha) => ({ sha, distinct: false })), { sha: record.response.sha, distinct: true }],
      mergerId,
      userOf(merger.member),
    );
    if (this.r.chance(0.45)) this.scheduleDeployment(repo, at + this.r.int(3, 9) * MINUTE_MS, "staging", ACTIONS_BOT);
    return record;
  }

  private mergePullRequest(task: Task, merger: MemberProfile, at: number): void {
    const pr = task.pr;
    if (task.closed || !pr) return;
    if (this.deferredWhileBusy(task, at, (later) => this.mergePullRequest(task, merger, later))) return;
    const record = this.landMerge(task, merger, at, `Merge pull request #${pr.number} from ${task.repo.payload.owner.login}/${task.branch}\n\n${pr.title}`, true);
    if (!record) return;
    pr.mergedAt = at;
    pr.closedAt = at;
    pr.mergeSha = record.response.sha;
    pr.mergedBy = userOf(merger.member);
    this.emit(at + 1000, "pull_request", { action: "closed", number: pr.number, pull_request: this.prPayload(task, at), ...this.common(task.repo, userOf(merger.member)) });
  }

  private mergeLocally(task: Task, at: number): void {
    if (task.closed || task.pr) return;
    if (this.deferredWhileBusy(task, at, (later) => this.mergeLocally(task, later))) return;
    this.landMerge(task, task.driver, at, `Merge branch '${task.branch}'`, false);
  }

  // ---------------------------------------------------------------- direct pushes to main

  private directCommit(profile: MemberProfile, repo: RepoSim, at: number, kind: ChangeKind = "fix", onlyPath?: string, messageOverride?: string): CommitRecord | null {
    const candidates = onlyPath ? [onlyPath] : [...repo.main.keys()].filter((p) => !repo.locks.has(p));
    if (candidates.length === 0) return null;
    const path = onlyPath ?? this.r.pick(candidates);
    const area = areaOfPath(repo.def, path);
    if (!area || repo.locks.has(path)) return null;
    const tool = kind === "hotfix" ? null : this.chooseTool(profile, at);
    const usableTool = tool === "copilot-agent" || tool === "cursor-agent" || tool === "codex" ? null : tool;
    const { changes, summary } = this.editFiles(repo, repo.main, [path], kind, usableTool !== null, at, new Set());
    if (changes.length === 0) return null;
    const topic = makeTopic(this.r, area.dir.split("/").pop() ?? area.dir, this.r.pick(area.nouns));
    const marked = usableTool !== null && !this.r.chance(profile.stripsMarkers);
    const message = messageOverride ?? (usableTool ? aiMessage(this.r, usableTool, marked, kind, topic, summary, profile.member) : humanMessage(this.r, kind, topic, summary));
    const me = this.identityOf(profile.member);
    const committedAt = Math.max(this.start, at - this.r.int(1, 4) * MINUTE_MS, (this.commits.get(repo.head)?.at ?? 0) + 1000);
    const record = this.makeCommit(repo, {
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
    this.emitPush(repo, Math.max(at, committedAt), "main", beforeHead, [{ sha: record.response.sha, distinct: true }], me, userOf(profile.member));
    return record;
  }

  // ---------------------------------------------------------------- deployments and incidents

  private planDeployments(): void {
    for (const repo of this.repos) {
      const firstMonday = localMidnight(this.start, 0) - ((new Date(this.start).getUTCDay() + 6) % 7) * DAY_MS;
      for (let week = firstMonday; week < this.end; week += 7 * DAY_MS) {
        const days = this.r.shuffle([0, 1, 2, 3, 4]).slice(0, this.r.int(2, 4));
        for (const d of days) {
          const at = week + d * DAY_MS + this.r.int(13 * 60, 17 * 60 + 30) * MINUTE_MS;
          const deployer = this.r.pick(repo.members);
          this.schedule(at, () => {
            if (repo.landed.length === repo.prodDeployedCount) return;
            this.scheduleDeployment(repo, at, "production", userOf(deployer.member));
          });
        }
      }
    }
  }

  private scheduleDeployment(repo: RepoSim, at: number, environment: "production" | "staging", creator: GitHubUser, sha?: string, attempt = 1, onSuccess?: (deployment: GitHubDeployment, doneAt: number) => void): void {
    this.schedule(at, () => {
      const deployedSha = sha ?? repo.head;
      const landedCount = sha ? repo.prodDeployedCount : repo.landed.length;
      const deployment: GitHubDeployment = {
        id: this.deploymentId++,
        sha: deployedSha,
        ref: "main",
        task: "deploy",
        environment,
        original_environment: environment,
        production_environment: environment === "production",
        transient_environment: false,
        description: sha ? "Rollback" : null,
        creator,
        created_at: isoUtc(at),
        updated_at: isoUtc(at),
      };
      this.emit(at, "deployment", { action: "created", deployment, ...this.common(repo, creator) });
      const doneAt = at + this.r.int(4, 14) * MINUTE_MS;
      const failed = attempt === 1 && !sha && this.r.chance(0.07);
      this.schedule(doneAt, () => {
        this.emit(doneAt, "deployment_status", {
          action: "created",
          deployment_status: {
            id: this.statusId++,
            state: failed ? "failure" : "success",
            environment,
            description: failed ? "Deployment failed: health check did not pass" : "Deployment finished successfully.",
            target_url: `${repo.payload.html_url}/actions/runs/${this.ids.int(10_000_000_000, 19_999_999_999)}`,
            creator: ACTIONS_BOT,
            created_at: isoUtc(doneAt),
            updated_at: isoUtc(doneAt),
          },
          deployment,
          ...this.common(repo, ACTIONS_BOT),
        });
        if (failed) {
          this.scheduleDeployment(repo, doneAt + this.r.int(20, 50) * MINUTE_MS, environment, creator, deployedSha, attempt + 1);
          return;
        }
        if (environment !== "production") return;
        const previousCount = repo.prodDeployedCount;
        if (!sha) {
          repo.prodDeployedCount = landedCount;
          repo.prodSha = deployedSha;
        }
        onSuccess?.(deployment, doneAt);
        if (!sha && !onSuccess) this.maybeIncident(repo, deployment, doneAt, previousCount, landedCount);
      });
    });
  }

  private criticalScope(repo: RepoSim, sha: string): string | null {
    const record = this.commits.get(sha);
    if (!record) return null;
    for (const file of record.response.files) {
      const area = areaOfPath(repo.def, file.filename);
      if (area?.critical) return area.dir.split("/").pop() ?? null;
    }
    return null;
  }

  private maybeIncident(repo: RepoSim, deployment: GitHubDeployment, doneAt: number, fromCount: number, toCount: number): void {
    // Needs an earlier good production deploy to roll back to, and time to resolve before `now`.
    if (fromCount === 0 || doneAt > this.end - 2 * DAY_MS || doneAt - repo.lastIncidentAt < 21 * DAY_MS) return;
    const suspects = repo.landed.slice(fromCount, toCount).filter((sha) => {
      const t = this.truth[sha];
      return t !== undefined && t.aiAssisted && !t.merge && this.criticalScope(repo, sha) !== null;
    });
    if (suspects.length === 0) return;
    // Guarantee the demo has its story: once past mid-window with no incident yet, the next candidate becomes one.
    const forced = this.incidents.length === 0 && this.progress(doneAt) > 0.5;
    if (!forced && !this.r.chance(0.14)) return;
    const scope = this.criticalScope(repo, suspects[0] as string) ?? "payments";
    const severity: Severity = scope === "payments" ? this.r.pick(["sev1", "sev2"] as const) : scope === "auth" ? "sev2" : this.r.pick(["sev2", "sev3"] as const);
    const startedAt = doneAt + this.r.int(15, 110) * MINUTE_MS;
    repo.lastIncidentAt = doneAt;
    const incident: DemoIncident = {
      id: `INC-${1000 + this.incidents.length * 7 + this.r.int(1, 6)}`,
      repoFullName: repo.payload.full_name,
      title: this.r.pick(INCIDENT_TITLES[scope] ?? INCIDENT_TITLES.payments ?? ["Production errors after deploy"]),
      severity,
      startedAt: isoUtc(startedAt),
      resolvedAt: "",
      deploymentId: deployment.id,
      // The newest few AI changes to the critical path: what an on-call engineer would look at first.
      suspectedCommitShas: suspects.slice(-4),
      resolution: "hotfix",
    };
    this.incidents.push(incident);
    const onCall = this.r.pick(repo.members);
    const suspectFiles = incident.suspectedCommitShas.flatMap((sha) => this.commits.get(sha)?.response.files.map((f) => f.filename) ?? []).filter((p) => areaOfPath(repo.def, p)?.critical && !repo.locks.has(p) && repo.main.has(p));
    const fixAt = startedAt + this.r.int(25, 80) * MINUTE_MS;
    const resolve = (_d: GitHubDeployment, at: number) => {
      incident.resolvedAt = isoUtc(at + this.r.int(5, 20) * MINUTE_MS);
    };
    if (suspectFiles.length > 0) {
      const path = this.r.pick(suspectFiles);
      this.schedule(fixAt, () => {
        const message = `fix(${scope}): ${incident.title.charAt(0).toLowerCase()}${incident.title.slice(1)} (${incident.id})`;
        const fix = repo.locks.has(path) ? null : this.directCommit(onCall, repo, fixAt, "hotfix", path, message);
        if (fix) this.scheduleDeployment(repo, fixAt + this.r.int(8, 20) * MINUTE_MS, "production", userOf(onCall.member), undefined, 2, resolve);
        else this.rollback(repo, fixAt, onCall, incident, fromCount, resolve);
      });
    } else {
      this.schedule(fixAt, () => this.rollback(repo, fixAt, onCall, incident, fromCount, resolve));
    }
  }

  private rollback(repo: RepoSim, at: number, onCall: MemberProfile, incident: DemoIncident, goodCount: number, resolve: (d: GitHubDeployment, at: number) => void): void {
    incident.resolution = "rollback";
    const good = repo.landed[goodCount - 1] ?? repo.prodSha;
    repo.prodDeployedCount = goodCount;
    this.scheduleDeployment(repo, at, "production", userOf(onCall.member), good, 2, resolve);
  }

  // ---------------------------------------------------------------- output

  result(seed: number, days: number): DemoDataset {
    const ordered = [...this.events].sort((a, b) => a.at - b.at || a.seq - b.seq).filter((e) => e.at < this.end);
    const deliveryIds = new Random(seed ^ 0x5eed).fork("delivery-ids");
    const deliveries = ordered.map((e) => ({ ...e.delivery, id: deliveryIds.uuid(), receivedAt: isoUtc(e.at) }) as DemoDelivery);
    const pushed = new Set<string>();
    for (const d of deliveries) if (d.event === "push") for (const c of d.payload.commits) pushed.add(c.id);
    const commits = this.commitOrder.filter((sha) => pushed.has(sha)).map((sha) => (this.commits.get(sha) as CommitRecord).response);
    const truth: Record<string, DemoCommitTruth> = {};
    for (const c of commits) truth[c.sha] = this.truth[c.sha] as DemoCommitTruth;
    return {
      seed,
      window: { start: isoUtc(this.start), end: isoUtc(this.end), days },
      account: { ...ACCOUNT },
      repositories: this.repos.map((r) => r.payload),
      members: MEMBER_PROFILES.map((p) => p.member),
      deliveries,
      commits,
      incidents: this.incidents.filter((i) => i.resolvedAt !== ""),
      groundTruth: { commits: truth },
    };
  }
}

export function generateDemoDataset(input: GenerateDemoDatasetInput): DemoDataset {
  const days = input.days ?? 90;
  const end = input.now.getTime();
  const start = end - days * DAY_MS;
  const simulation = new DemoSimulation(input.seed, start, end);
  simulation.run();
  return simulation.result(input.seed, days);
}
