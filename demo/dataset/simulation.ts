/**
 * The state of the simulated organisation (file contents, branches, locks, pull requests, deployments) and the clock
 * that runs it: a min-heap agenda of scheduled actions, replayed in time order.
 */
import { ACCOUNT, MEMBER_PROFILES, ORG_USER, REPO_DEFS, repositoryPayload, userOf, type AreaDef, type MemberProfile, type RepoDef } from "./cast.ts";
import { createFile, filePathFor, type EditContext, type SourceLine } from "./codegen.ts";
import type { ChangeKind, Topic } from "./messages.ts";
import { Random } from "./random.ts";
import { DAY_MS, isoUtc } from "./time.ts";
import type { AiTool, DemoCommitTruth, DemoDataset, DemoDelivery, DemoIncident, DemoMember, GitHubCommitResponse, GitHubDeployment, GitHubPullRequest, GitHubRepository, GitHubUser } from "./types.ts";

export const ZERO_SHA = "0000000000000000000000000000000000000000";

export type Files = Map<string, SourceLine[]>;

export interface Identity {
  name: string;
  email: string;
  offsetMinutes: number;
  user: GitHubUser | null;
}

export interface CommitRecord {
  response: GitHubCommitResponse;
  treeId: string;
  at: number;
  added: string[];
  removed: string[];
  modified: string[];
  pushAuthor: { name: string; email: string; username?: string };
  pushCommitter: { name: string; email: string; username?: string };
}

export interface RepoSim {
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

export interface PullRequestState {
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

export interface Task {
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

/**
 * The activities' entry points into one another, handed to the simulation by generate.ts: a pull request's review asks for another
 * work session, a merge for a deploy, a deploy may raise an incident, an incident pushes a hotfix. Calling through
 * the simulation keeps the activity modules free of import cycles.
 */
export interface Activities {
  workSession(sim: Simulation, task: Task, at: number, kind: ChangeKind, count: number): number;
  directCommit(sim: Simulation, profile: MemberProfile, repo: RepoSim, at: number, kind?: ChangeKind, onlyPath?: string, messageOverride?: string): CommitRecord | null;
  openPullRequest(sim: Simulation, task: Task, at: number, draft: boolean, user?: GitHubUser): void;
  readyForReview(sim: Simulation, task: Task, at: number): void;
  mergeLocally(sim: Simulation, task: Task, at: number): void;
  prPayload(sim: Simulation, task: Task, at: number): GitHubPullRequest;
  scheduleDeployment(
    sim: Simulation,
    repo: RepoSim,
    at: number,
    environment: "production" | "staging",
    creator: GitHubUser,
    sha?: string,
    attempt?: number,
    onSuccess?: (deployment: GitHubDeployment, doneAt: number) => void,
  ): void;
  maybeIncident(sim: Simulation, repo: RepoSim, deployment: GitHubDeployment, doneAt: number, fromCount: number, toCount: number): void;
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

export function texts(lines: readonly SourceLine[] | null | undefined): string[] {
  return lines ? lines.map((l) => l.text) : [];
}

export function sameText(a: readonly SourceLine[] | null | undefined, b: readonly SourceLine[] | null | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((line, i) => line.text === (b[i] as SourceLine).text);
}

export function areaOfPath(def: RepoDef, path: string): AreaDef | undefined {
  const isTest = /(_test\.go|\.test\.ts|\.spec\.ts)$/.test(path);
  return def.areas.find((a) => path.startsWith(`${a.dir}/`) && (a.kind === "go-test" || a.kind === "ts-test" || a.kind === "e2e") === isTest);
}

/** The simulation's state and clock; the activities (pushes, pull requests, deployments, incidents) act on it. */
export class Simulation {
  private readonly agenda = new Agenda();
  private readonly events: { at: number; seq: number; delivery: Omit<DemoDelivery, "id" | "receivedAt"> }[] = [];
  private eventSeq = 0;
  readonly commits = new Map<string, CommitRecord>();
  readonly commitOrder: string[] = [];
  readonly truth: Record<string, DemoCommitTruth> = {};
  readonly incidents: DemoIncident[] = [];
  readonly repos: RepoSim[];
  readonly r: Random;
  readonly ids: Random;
  prId = 2_104_880_000;
  reviewId = 2_950_114_000;
  deploymentId = 1_640_200_000;
  statusId = 3_880_410_000;

  constructor(
    seed: number,
    readonly start: number,
    readonly end: number,
    readonly activities: Activities,
  ) {
    const root = new Random(seed);
    this.r = root.fork("simulation");
    this.ids = root.fork("ids");
    const baseline = root.fork("baseline");
    this.repos = REPO_DEFS.map((def) => this.createRepo(def, baseline));
  }

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

  /** Plays the agenda in time order; actions schedule further actions as they run. */
  run(): void {
    for (let item = this.agenda.pop(); item; item = this.agenda.pop()) item.run();
  }

  schedule(at: number, run: () => void): void {
    if (at < this.start || at >= this.end) return;
    this.agenda.push(at, run);
  }

  progress(at: number): number {
    return (at - this.start) / (this.end - this.start);
  }

  repoNamed(fullName: string): RepoSim {
    const repo = this.repos.find((r) => r.payload.full_name === fullName);
    if (!repo) throw new Error(`unknown demo repository ${fullName}`);
    return repo;
  }

  emit<E extends DemoDelivery["event"]>(at: number, event: E, payload: Extract<DemoDelivery, { event: E }>["payload"]): void {
    this.events.push({ at, seq: this.eventSeq++, delivery: { event, payload } as Omit<DemoDelivery, "id" | "receivedAt"> });
  }

  common(repo: RepoSim, sender: GitHubUser) {
    return { repository: repo.payload, organization: ORG_USER, installation: { id: ACCOUNT.installationId }, sender };
  }

  identityOf(member: DemoMember): Identity {
    return { name: member.name, email: member.email, offsetMinutes: member.utcOffsetMinutes, user: userOf(member) };
  }

  chooseTool(profile: MemberProfile, at: number): AiTool | null {
    const p = this.progress(at);
    // Adoption grows over the window; agents (Copilot, Cursor background) catch on later than editors.
    if (!this.r.chance(profile.aiAffinity * (0.15 + 0.92 * p))) return null;
    return this.r.weighted(profile.tools.map(([tool, w]) => [tool, tool === "copilot-agent" || tool === "cursor-agent" ? w * (0.3 + 1.4 * p) : w] as const));
  }

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
