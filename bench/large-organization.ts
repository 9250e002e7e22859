/**
 * A large, realistic organisation for benchmarks (`sentinel generate`, scripts/bench*.ts): repositories of very
 * different activity, members with their own time zones and AI habits, AI adoption that grows over the period,
 * direct pushes and pull requests (drafts, review requests, reviews, merges, abandoned branches), preview,
 * staging and production deployments with their status events, and incidents with suspected commits.
 *
 * Everything comes from one seeded random source, repository by repository (`Random.fork`), so the same seed,
 * period and size give the same rows. Rows are produced as COPY text lines (bench/copy.ts) and
 * shaped exactly like the ingestion and analysis paths write them: the same event keys and payload fields as the
 * webhook planner, attribution rows with the real file-kind and risk-tier classifiers, stored patches that the
 * provenance replay can follow (they rewrite earlier lines of the same files).
 */
import { Random } from "../demo/dataset/random.ts";
import { classifyFileKind, countsTowardShare } from "../domain/detection/file-kind.ts";
import type { FileKind } from "../domain/detection/types.ts";
import { DETECTOR_VERSION } from "../domain/detection/version.ts";
import { pullRequestAgentMarkers } from "../domain/ingestion/webhook-plan.ts";
import { classifyRiskTier } from "../domain/risk/tiers.ts";
import { agentStream, COPILOT_AGENT, fillIds, markersOf, pickAgentFlavour, type AgentFlavour } from "./agent-mix.ts";
import { copyLine } from "./copy.ts";
import { planTeams, type TeamPlan } from "./teams.ts";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface LargeOrganizationShape {
  repos: number;
  days: number;
  seed: number;
  /** The history ends at 00:00 UTC of this day (exclusive). */
  until: string;
  /** Average commits per repository and day (before weekends and the repository's own activity level). */
  commitsPerRepoDay: number;
  /** "varied": a few busy repositories and many quiet ones (log-normal); "uniform": every repository alike. */
  activity: "varied" | "uniform";
}

export const DEFAULT_SHAPE: Omit<LargeOrganizationShape, "until"> = {
  repos: 100,
  days: 730,
  seed: 1,
  commitsPerRepoDay: 13,
  activity: "varied",
};

/** Columns of each table, in the order the row lines carry them. */
export const TABLE_COLUMNS = {
  commits: [
    "org_id", "repo_id", "sha", "author_name", "author_email", "author_login", "authored_at", "authored_offset_minutes", "committed_at",
    "message_headline", "branch", "pr_number", "on_default_branch", "analysis_status", "skip_reason", "ai_confidence", "signals",
    "lines_added", "lines_deleted", "detector_version", "analyzed_at", "written_lines", "written_lines_t1", "written_lines_t2",
    "written_lines_t3", "written_lines_t4",
  ],
  code_attribution: [
    "org_id", "repo_id", "commit_sha", "file_path", "previous_path", "change_type", "file_kind", "counts_toward_share", "ai_confidence",
    "signals", "risk_tier", "base_risk_tier", "risk_reasons", "lines_added", "lines_deleted", "complexity", "detector_version",
    "authored_at", "analyzed_at", "written_lines",
  ],
  commit_file_patches: ["org_id", "repo_id", "commit_sha", "file_path", "previous_path", "status", "patch", "patch_truncated", "ai_authored", "authored_at"],
  code_events: ["id", "org_id", "repo_id", "type", "event_key", "commit_sha", "pr_number", "branch", "actor", "timestamp", "delivery_id", "payload", "created_at"],
  pull_requests: [
    "org_id", "repo_id", "number", "github_id", "title", "body", "author_login", "head_ref", "head_sha", "base_ref", "state", "draft",
    "opened_at", "ready_for_review_at", "first_review_at", "merged_at", "closed_at", "merge_commit_sha", "ai_markers", "updated_at",
    "review_count", "approval_count", "commented_review_count",
  ],
  deployments: ["id", "org_id", "repo_id", "github_id", "sha", "ref", "environment", "is_production", "status", "created_at", "finished_at", "creator_login"],
  incidents: ["id", "org_id", "repo_id", "title", "description", "severity", "started_at", "resolved_at", "source", "created_by", "created_at"],
  incident_commits: ["incident_id", "repo_id", "commit_sha", "note", "linked_at"],
} as const;

export type GeneratedTable = keyof typeof TABLE_COLUMNS;
/** Load order: parents before the rows that reference them. */
export const GENERATED_TABLES = Object.keys(TABLE_COLUMNS) as GeneratedTable[];

export type RepositoryRows = Record<GeneratedTable, string[]>;

export interface Member {
  login: string;
  name: string;
  email: string;
  githubId: number;
  /** UTC offset of the member's clock, minutes. */
  offsetMinutes: number;
  /** How much more (or less) than average this member works with agents. */
  aiAffinity: number;
}

export interface RepositoryPlan {
  index: number;
  id: string;
  fullName: string;
  /** Relative activity; 1 is the organisation's average. */
  activity: number;
}

export interface OrganizationPlan {
  orgId: string;
  members: Member[];
  repositories: RepositoryPlan[];
  /** The organisation's teams (teams.ts): not the people a repository's history is drawn from (chooseTeam). */
  teams: TeamPlan[];
  start: number;
  end: number;
}

const FIRST_NAMES = ["Ada", "Ben", "Chen", "Dana", "Elif", "Femi", "Gita", "Hugo", "Ines", "Jonas", "Kai", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Viktor", "Wen", "Yusuf", "Zoe"];
const LAST_NAMES = ["Okafor", "Lindqvist", "Tanaka", "Moreau", "Silva", "Kowalski", "Haddad", "Nguyen", "Fischer", "Rossi", "Patel", "Jensen", "Costa", "Novak", "Byrne", "Ito"];
const OFFSETS = [-480, -480, -420, -300, -240, 0, 60, 60, 120, 330, 540];
const REPO_SUBJECTS = [
  "payments", "billing", "auth", "accounts", "search", "catalog", "orders", "checkout", "inventory", "shipping", "notifications", "analytics",
  "reporting", "identity", "gateway", "ledger", "pricing", "recommendations", "media", "messaging", "scheduler", "onboarding", "support",
  "admin", "mobile", "storefront", "platform", "infra", "data", "ml",
];
const REPO_KINDS = ["api", "service", "worker", "web", "sdk", "cli", "jobs", "pipeline", "ui", "core"];

interface DirectoryDef {
  dir: string;
  weight: number;
  ext: "code" | "test" | "md" | "yaml" | "sql";
}

const DIRECTORIES: DirectoryDef[] = [
  { dir: "src/api/routes", weight: 5, ext: "code" },
  { dir: "src/api/handlers", weight: 5, ext: "code" },
  { dir: "src/services", weight: 6, ext: "code" },
  { dir: "src/utils", weight: 3, ext: "code" },
  { dir: "src/ui/components", weight: 5, ext: "code" },
  { dir: "src/ui/pages", weight: 3, ext: "code" },
  { dir: "src/core", weight: 4, ext: "code" },
  { dir: "src/models", weight: 3, ext: "code" },
  { dir: "src/auth", weight: 2, ext: "code" },
  { dir: "src/billing", weight: 2, ext: "code" },
  { dir: "src/workers", weight: 2, ext: "code" },
  { dir: "src/security", weight: 1, ext: "code" },
  { dir: "src/crypto", weight: 0.5, ext: "code" },
  { dir: "src/permissions", weight: 1, ext: "code" },
  { dir: "db/migrations", weight: 1.5, ext: "sql" },
  { dir: "test", weight: 5, ext: "test" },
  { dir: "docs", weight: 1, ext: "md" },
  { dir: "config", weight: 1, ext: "yaml" },
];
const NOUNS = [
  "account", "invoice", "session", "token", "order", "cart", "user", "profile", "report", "export", "webhook", "search", "index", "cache",
  "queue", "retry", "limit", "quota", "audit", "event", "payment", "refund", "plan", "price", "coupon", "shipment", "address", "email",
  "upload", "image", "feature", "flag", "tenant", "team", "invite", "role", "policy", "secret", "key", "signature",
];
const VARIANTS = ["", "-service", "-store", "-client", "-handlers", "-validation", "-events", "-mapper"];
const LANGUAGES = [
  { ext: "ts", test: ".test.ts", lockfile: "package-lock.json" },
  { ext: "go", test: "_test.go", lockfile: "go.sum" },
  { ext: "py", test: "_test.py", lockfile: "poetry.lock" },
];
const VERBS = ["Add", "Fix", "Refactor", "Update", "Remove", "Improve", "Handle", "Validate", "Cache", "Simplify", "Rename", "Split"];
const OBJECTS = ["error handling", "pagination", "retries", "validation", "logging", "the happy path", "edge cases", "timeouts", "tests", "types", "metrics", "docs"];
/**
 * How an agent works, by weight: a local agent the member runs, Copilot's or Cursor's cloud agent committing as
 * itself, a cloud agent on the member's account, or one that leaves no mark. Which tool it is within that way of
 * working is drawn by agent-mix.ts from a stream of its own.
 */
const TOOLS = [
  { id: "claude", weight: 40 },
  { id: "copilot", weight: 20 },
  { id: "cursor", weight: 20 },
  { id: "codex", weight: 12 },
  { id: "unmarked", weight: 8 },
] as const;
type Tool = (typeof TOOLS)[number]["id"];
const INCIDENT_TITLES = [
  "Elevated 5xx on checkout", "Login failures after deploy", "Payment webhooks timing out", "Search results missing", "Queue backlog growing",
  "Stale prices shown", "Emails sent twice", "Memory leak in worker", "Slow dashboard queries", "Permissions check bypassed", "Exports failing",
];

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** `length` hex digits (even) from the seeded source: shas. A table lookup, as millions are drawn. */
function hexOf(random: Random, length: number): string {
  let out = "";
  while (out.length < length) {
    const word = Math.floor(random.float() * 0x100000000);
    out += HEX[word >>> 24]! + HEX[(word >>> 16) & 0xff]! + HEX[(word >>> 8) & 0xff]! + HEX[word & 0xff]!;
  }
  return out.slice(0, length);
}

/**
 * A deterministic version-4-shaped UUID (organisation, repositories, delivery ids): the same seed, the same ids.
 * mulberry32 has 32 bits of state, so draws of different repositories' streams can repeat each other: ids that must
 * be unique across the organisation come from `structuredId` instead.
 */
function uuidOf(random: Random): string {
  const h = hexOf(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An id unique by construction — (kind, repository, counter) — shaped like a version-4 UUID. */
function structuredId(kind: number, repoIndex: number, counter: number): string {
  const hex = (value: number, width: number) => value.toString(16).padStart(width, "0");
  return `${hex(repoIndex, 8)}-${hex(kind, 4)}-4000-a000-${hex(counter, 12)}`;
}

/** Members, repositories and their activity levels: the parts every repository's history refers to. */
export function planOrganization(shape: LargeOrganizationShape): OrganizationPlan {
  // Each part draws from its own fork, in this order, so that changing one part does not reshuffle another.
  const root = new Random(shape.seed);
  const members = planMembers(root.fork("members"), shape.repos);
  const names = root.fork("repositories").shuffle(REPO_SUBJECTS.flatMap((subject) => REPO_KINDS.map((kind) => `${subject}-${kind}`)));
  const activities = relativeActivities(root.fork("activity"), shape);
  const ids = root.fork("ids");
  const orgId = uuidOf(ids);
  const end = Date.parse(`${shape.until}T00:00:00Z`);
  return {
    orgId,
    members,
    repositories: activities.map((activity, index) => ({ index, id: uuidOf(ids), fullName: repositoryName(names, index), activity })),
    teams: planTeams(root.fork("teams"), orgId, members.map((member) => member.login)),
    start: end - shape.days * DAY_MS,
    end,
  };
}

/** More members in larger organisations, each with their own clock and their own habit with agents. */
function planMembers(random: Random, repoCount: number): Member[] {
  const count = Math.max(8, Math.min(120, Math.round(repoCount * 0.6) + 6));
  return Array.from({ length: count }, (_, index) => {
    const first = FIRST_NAMES[index % FIRST_NAMES.length]!;
    const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length + index) % LAST_NAMES.length]!;
    // Names repeat once the first names run out; the login stays unique.
    const login = `${first.toLowerCase()}-${last.toLowerCase()}${index >= FIRST_NAMES.length ? `-${index}` : ""}`;
    return {
      login,
      name: `${first} ${last}`,
      email: `${login}@bench.example`,
      githubId: 910_000_001 + index,
      offsetMinutes: random.pick(OFFSETS),
      aiAffinity: Math.min(2.2, random.logNormal(1, 0.5)),
    };
  });
}

/** Each repository's activity relative to the organisation's average (1): log-normal, or all alike. */
function relativeActivities(random: Random, shape: LargeOrganizationShape): number[] {
  const raw = Array.from({ length: shape.repos }, () => (shape.activity === "uniform" ? 1 : random.logNormal(1, 0.9)));
  const mean = raw.reduce((sum, value) => sum + value, 0) / Math.max(1, raw.length);
  return raw.map((activity) => activity / mean);
}

/** Names repeat, numbered, once there are more repositories than names. */
function repositoryName(names: readonly string[], index: number): string {
  return `bench/${names[index % names.length]}${index >= names.length ? `-${Math.floor(index / names.length) + 1}` : ""}`;
}

interface RepoFile {
  path: string;
  kind: FileKind;
  counts: boolean;
  /** Lines on the default branch now; 0 for a file that does not exist yet. */
  length: number;
  directory: number;
}

interface Author {
  login: string;
  name: string;
  email: string;
  offsetMinutes: number;
}

/** GitHub's own author of merge commits. */
const WEB_FLOW: Author = { login: "web-flow", name: "GitHub", email: "noreply@github.com", offsetMinutes: 0 };

/** The kinds of `structuredId`, so deployments and incidents of one repository never share an id. */
const DEPLOYMENT_ID_KIND = 1;
const INCIDENT_ID_KIND = 2;

interface PlannedCommit {
  at: number;
  sha: string;
  author: Author;
  tool: Tool | null;
  unit: ChangeUnit;
  /** Merge commits are recorded and skipped by the analysis. */
  merge: boolean;
  message: string;
}

interface ChangeUnit {
  directory: number;
  tool: Tool | null;
  /** The tool within that way of working and the marks it leaves (agent-mix.ts); null for a person's own change. */
  agent: AgentFlavour | null;
  /** null for a direct push to the default branch. */
  pr: PullRequestPlan | null;
  /** Whether its changes reach the default branch: a direct push does, a pull request only once merged. */
  lands: boolean;
}

interface PullRequestPlan {
  number: number;
  branch: string;
  title: string;
  body: string | null;
  author: Author;
  /** Who is not asked to review it: its author, or the member who gave Jules or Devin the task (Copilot's assigner may review). */
  notReviewer: string;
  openedAt: number;
  draft: boolean;
  headSha: string;
  commits: PlannedCommit[];
  state: "open" | "merged" | "closed";
  mergedAt: number | null;
  closedAt: number | null;
  readyAt: number | null;
  firstReviewAt: number | null;
}

/** Ids of code_events grow with time across the whole organisation, as they do when events arrive live. */
class EventIds {
  private readonly used = new Map<number, number>();
  constructor(
    private readonly start: number,
    private readonly repoIndex: number,
  ) {}

  next(at: number): number {
    const second = Math.max(0, Math.floor((at - this.start) / 1000));
    const count = this.used.get(second) ?? 0;
    if (count >= 1024) throw new Error("more than 1,024 events of one repository in one second");
    this.used.set(second, count + 1);
    return second * 2 ** 20 + this.repoIndex * 2 ** 10 + count;
  }
}

/**
 * One repository's generation under way. Every step draws from the one seeded stream and appends to the same
 * rows, so the steps must run — and draw — in the order generateRepositoryHistory calls them: moving a single
 * draw changes every row after it.
 */
interface RepositoryHistory {
  shape: LargeOrganizationShape;
  plan: OrganizationPlan;
  repo: RepositoryPlan;
  orgId: string;
  repoId: string;
  random: Random;
  rows: RepositoryRows;
  eventIds: EventIds;
  /** Streams of their own, so the agent mix and the reviews draw nothing from `random` (the rows it decides stay the same). */
  agents: Random;
  reviews: Random;
}

type Language = (typeof LANGUAGES)[number];

interface Team {
  members: Member[];
  /** Each member's share of the work: a few members do most of it. */
  weights: number[];
  /** How much more (or less) than the organisation's average this team works with agents. */
  aiBias: number;
}

interface FileTree {
  directories: DirectoryDef[];
  files: RepoFile[];
  /** `files` by their directory's index: a change stays in one area of the code. */
  byDirectory: RepoFile[][];
  tests: RepoFile[];
}

interface PlannedChanges {
  /** Every commit, pull requests' and merges' included, in time order once planning is done. */
  commits: PlannedCommit[];
  pullRequests: PullRequestPlan[];
}

/** A commit on the default branch: what a release ships and an incident suspects. */
interface MainlineCommit {
  at: number;
  sha: string;
}

/** A production deployment. */
interface Release {
  at: number;
  /** Position in the mainline of the commit it shipped. */
  index: number;
  id: string;
  status: string;
  finishedAt: number | null;
}

/**
 * One repository's whole history as COPY lines per table. Deterministic in (shape, plan, repository): each
 * repository draws from its own fork of the seed.
 */
export function generateRepositoryHistory(shape: LargeOrganizationShape, plan: OrganizationPlan, repo: RepositoryPlan): RepositoryRows {
  const history = startHistory(shape, plan, repo);
  const language = history.random.pick(LANGUAGES);
  const team = chooseTeam(history);
  const tree = plantFileTree(history, language);
  const planned = planChanges(history, team, tree);
  const { mainline, commitTiers } = writeCommits(history, tree, language.lockfile, planned.commits);
  for (const pr of planned.pullRequests) writePullRequest(history, team, pr, commitTiers);
  const releases = deployDefaultBranch(history, team, mainline);
  writeIncidents(history, releases, mainline, commitTiers);
  return history.rows;
}

function startHistory(shape: LargeOrganizationShape, plan: OrganizationPlan, repo: RepositoryPlan): RepositoryHistory {
  return {
    shape,
    plan,
    repo,
    orgId: plan.orgId,
    repoId: repo.id,
    random: new Random(shape.seed).fork(`repository-${repo.index}`),
    rows: Object.fromEntries(GENERATED_TABLES.map((table) => [table, []])) as unknown as RepositoryRows,
    eventIds: new EventIds(plan.start, repo.index),
    agents: agentStream(shape.seed, repo.index),
    reviews: new Random(shape.seed).fork(`repository-${repo.index}-reviews`),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The repository: its team and its files

/** The team: a few members do most of the work; AI adoption differs per repository. */
function chooseTeam({ random, plan, repo }: RepositoryHistory): Team {
  const members = random.shuffle(plan.members).slice(0, clamp(Math.round(3 + repo.activity * 4), 3, 16));
  return { members, weights: members.map(() => random.logNormal(1, 0.6)), aiBias: random.logNormal(1, 0.35) };
}

/** The file tree: the directories this repository has and files in them, most existing before the period starts. */
function plantFileTree({ random, repo }: RepositoryHistory, language: Language): FileTree {
  const directories = DIRECTORIES.filter((dir) => dir.weight >= 4 || random.chance(0.5));
  const files: RepoFile[] = [];
  const fileCount = clamp(Math.round(60 + 90 * repo.activity), 40, 500);
  for (let index = 0; index < fileCount; index += 1) {
    const directory = pickDirectory(random, directories);
    const path = filePath(directories[directory]!, language, random.pick(NOUNS), random.pick(VARIANTS), index);
    if (files.some((file) => file.path === path)) continue;
    const kind = classifyFileKind({ path, patch: null, binary: false });
    files.push({ path, kind, counts: countsTowardShare(kind), length: random.chance(0.75) ? random.int(30, 400) : 0, directory });
  }
  return {
    directories,
    files,
    byDirectory: directories.map((_, position) => files.filter((file) => file.directory === position)),
    tests: files.filter((file) => file.kind === "test"),
  };
}

/** Sources and tests are named after the repository's language; migrations are numbered. */
function filePath(directory: DirectoryDef, language: Language, noun: string, variant: string, index: number): string {
  switch (directory.ext) {
    case "code":
      return `${directory.dir}/${noun}${variant}.${language.ext}`;
    case "test":
      return `${directory.dir}/${noun}${variant}${language.test}`;
    case "sql":
      return `${directory.dir}/${String(index).padStart(4, "0")}_${noun}.sql`;
    default:
      return `${directory.dir}/${noun}${variant}.${directory.ext}`;
  }
}

/** A directory's index, by weight: busy areas of the code get more files and more changes. */
function pickDirectory(random: Random, directories: readonly DirectoryDef[]): number {
  return random.weighted(directories.map((dir, position) => [position, dir.weight] as const));
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Change units: direct pushes and pull requests, with their commits' times

function planChanges(history: RepositoryHistory, team: Team, tree: FileTree): PlannedChanges {
  const planned: PlannedChanges = { commits: [], pullRequests: [] };
  for (let day = 0; day < history.shape.days; day += 1) planDay(history, team, tree, day, planned);
  // The commits are written in time order: a file's patches rewrite the lines earlier commits left.
  planned.commits.sort((a, b) => a.at - b.at);
  return planned;
}

/** One day's changes: few at weekends, and more of them made with agents as the period goes on. */
function planDay(history: RepositoryHistory, team: Team, tree: FileTree, day: number, planned: PlannedChanges): void {
  const { shape, plan, repo, random } = history;
  const dayStart = plan.start + day * DAY_MS;
  const perDay = shape.commitsPerRepoDay * repo.activity;
  let remaining = Math.round(perDay * (isWeekend(dayStart) ? 0.25 : 1.3) * random.logNormal(1, 0.35));
  const adoption = 0.12 + 0.43 * (day / Math.max(1, shape.days - 1));
  while (remaining > 0) {
    const change = planChange(history, team, tree, { dayStart, adoption, remaining });
    remaining -= change.size;
    if (change.commits.length === 0) continue;
    planned.commits.push(...change.commits);
    if (change.viaPr) planPullRequest(history, change, planned);
  }
}

interface PlannedChange {
  member: Member;
  tool: Tool | null;
  viaPr: boolean;
  /** Commits it was given, counting those the period's end cuts off. */
  size: number;
  unit: ChangeUnit;
  noun: string;
  subject: string;
  commits: PlannedCommit[];
}

/** One change unit: who makes it and with which tool, whether through a pull request, and its commits. */
function planChange(
  history: RepositoryHistory,
  team: Team,
  tree: FileTree,
  day: { dayStart: number; adoption: number; remaining: number },
): PlannedChange {
  const { random } = history;
  const { member, tool } = pickContributor(random, team, day.adoption);
  // The Copilot and Cursor agents only ever work through a pull request.
  const viaPr = tool === "copilot" || tool === "cursor" || random.chance(0.6);
  const agent = tool === null ? null : pickAgentFlavour(history.agents, tool, viaPr);
  // Cloud agents (Copilot's, Cursor's, Jules, Devin) author the commits themselves; with the other tools the member does.
  const author: Author = agent?.author ?? member;
  const size = viaPr ? Math.min(day.remaining, 1 + Math.floor(random.logNormal(1, 0.7))) : 1;
  const unit: ChangeUnit = { directory: pickDirectory(random, tree.directories), tool, agent, pr: null, lands: true };
  const noun = random.pick(NOUNS);
  const first = workTime(random, day.dayStart, member.offsetMinutes);
  const subject = `${random.pick(VERBS)} ${noun} ${random.pick(OBJECTS)}`;
  const commits = planCommits(history, { first, size, author, unit, noun, subject });
  return { member, tool, viaPr, size, unit, noun, subject, commits };
}

/** A member, by their share of the work, and how they work with an agent, if they do (more likely as adoption grows). */
function pickContributor(random: Random, team: Team, adoption: number): { member: Member; tool: Tool | null } {
  const member = team.members[random.weighted(team.weights.map((weight, position) => [position, weight] as const))]!;
  const usesAgent = random.chance(clamp(adoption * team.aiBias * member.aiAffinity, 0, 0.95));
  const tool: Tool | null = usesAgent ? random.weighted(TOOLS.map((candidate) => [candidate.id, candidate.weight] as const)) : null;
  return { member, tool };
}

/** A change's commits: minutes to hours apart from the first; those after the period's end have not happened. */
function planCommits(
  { random, plan }: RepositoryHistory,
  change: { first: number; size: number; author: Author; unit: ChangeUnit; noun: string; subject: string },
): PlannedCommit[] {
  const times = [change.first];
  for (let index = 1; index < change.size; index += 1) times.push(times[index - 1]! + random.int(8, 120) * MINUTE_MS);
  return times
    .filter((at) => at < plan.end)
    .map((at, index): PlannedCommit => ({
      at,
      sha: hexOf(random, 40),
      author: change.author,
      tool: change.unit.tool,
      unit: change.unit,
      merge: false,
      message: commitMessage(random, change.unit.tool, change.noun, change.subject, index),
    }));
}

/** Agents mostly write conventional commits; otherwise the subject, then fixes "after review". */
function commitMessage(random: Random, tool: Tool | null, noun: string, subject: string, index: number): string {
  if (tool && tool !== "unmarked" && random.chance(0.7)) return `${index === 0 ? "feat" : "fix"}(${noun}): ${subject.toLowerCase()}`;
  return index === 0 ? subject : `${random.pick(VERBS)} ${noun} after review`;
}

/** The pull request a change goes through, and GitHub's merge commit if it is merged within the period. */
function planPullRequest(history: RepositoryHistory, change: PlannedChange, planned: PlannedChanges): void {
  const pr = pullRequestOf(history, change, planned.pullRequests.length + 1);
  change.unit.pr = pr;
  // Only a merged pull request's changes reach the files on the default branch.
  change.unit.lands = pr.state === "merged";
  planned.pullRequests.push(pr);
  if (pr.mergedAt !== null) planned.commits.push(mergeCommitOf(history, pr, pr.mergedAt, change.unit.directory));
}

/**
 * A pull request's life: opened minutes after its first commit, sometimes as a draft, reviewed hours later, and
 * mostly merged. What would happen after the period's end has not happened: it stays open, unreviewed or a draft.
 */
function pullRequestOf({ random, plan }: RepositoryHistory, change: PlannedChange, number: number): PullRequestPlan {
  const { tool, noun, commits } = change;
  const agent = change.unit.agent;
  const branch = `${agent?.branchPrefix ?? change.member.login}/${noun}-${random.pick(OBJECTS).replace(/\s+/g, "-")}-${number}`;
  const body = agentPullRequestBody(agent, pullRequestBody(random, tool, noun), noun, commits[0]!.sha);
  const draft = random.chance(0.2);
  const openedAt = commits[0]!.at + random.int(2, 30) * MINUTE_MS;
  const readyAt = draft ? openedAt + random.logNormal(180, 1) * MINUTE_MS : openedAt;
  const firstReviewAt = readyAt + random.logNormal(300, 1.1) * MINUTE_MS;
  const outcome = random.weighted([["merged", 85], ["closed", 10], ["open", 5]] as const);
  const finishedAt = Math.max(firstReviewAt, commits[commits.length - 1]!.at) + random.logNormal(90, 1) * MINUTE_MS;
  const finished = finishedAt < plan.end;
  return {
    number,
    branch,
    title: change.subject,
    body,
    author: agent?.opensPullRequests && agent.author ? agent.author : change.member,
    notReviewer: tool === "copilot" ? COPILOT_AGENT.login : change.member.login,
    openedAt,
    draft,
    headSha: commits[commits.length - 1]!.sha,
    commits,
    state: outcome === "open" || !finished ? "open" : outcome,
    mergedAt: outcome === "merged" && finished ? finishedAt : null,
    closedAt: outcome !== "open" && finished ? finishedAt : null,
    readyAt: readyAt < plan.end ? readyAt : null,
    firstReviewAt: firstReviewAt < plan.end ? firstReviewAt : null,
  };
}

/** Claude Code signs the bodies it writes, which is one of the agent markers the ingestion looks for. */
function pullRequestBody(random: Random, tool: Tool | null, noun: string): string | null {
  if (tool === "claude" && random.chance(0.6)) return "## Summary\n\nGenerated with [Claude Code](https://claude.com/claude-code)";
  return random.chance(0.5) ? `Changes ${noun} ${random.pick(OBJECTS)}.` : null;
}

/** The body the change's tool writes, if it writes one; Claude Code's signature only on Claude Code's pull requests. */
function agentPullRequestBody(agent: AgentFlavour | null, drawn: string | null, noun: string, firstSha: string): string | null {
  if (agent?.prBody) return fillIds(agent.prBody, firstSha.slice(0, 16));
  if (drawn?.includes("Claude Code") && agent?.tool !== "Claude Code") return `Changes the ${noun} code.`;
  return drawn;
}

function mergeCommitOf({ random }: RepositoryHistory, pr: PullRequestPlan, mergedAt: number, directory: number): PlannedCommit {
  return {
    at: mergedAt,
    sha: hexOf(random, 40),
    author: WEB_FLOW,
    tool: null,
    unit: { directory, tool: null, agent: null, pr: null, lands: true },
    merge: true,
    message: `Merge pull request #${pr.number} from ${pr.branch}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Commits in time order: files, patches that rewrite earlier lines, attribution, and the commit events

/**
 * Writes every commit, and returns what releases and incidents need of them: the default branch's commits in
 * time order, and each analysed commit's highest risk tier.
 */
function writeCommits(
  history: RepositoryHistory,
  tree: FileTree,
  lockfile: string,
  planned: readonly PlannedCommit[],
): { mainline: MainlineCommit[]; commitTiers: Map<string, number> } {
  const mainline: MainlineCommit[] = [];
  const commitTiers = new Map<string, number>();
  for (const commit of planned) {
    const committedAt = commit.at + history.random.int(0, 120) * 1000;
    if (commit.unit.pr === null) mainline.push({ at: commit.at, sha: commit.sha });
    if (commit.merge) writeMergeCommit(history, commit, committedAt);
    else commitTiers.set(commit.sha, writeAnalyzedCommit(history, tree, lockfile, commit, committedAt));
  }
  return { mainline, commitTiers };
}

type WrittenByTier = [number, number, number, number];

/** The analysis fields of a commits row, as the verdict writer leaves them. */
interface CommitVerdict {
  status: "analyzed" | "skipped";
  skipReason: string | null;
  aiConfidence: number | null;
  signals: unknown[];
  added: number;
  deleted: number;
  /** Written lines by risk tier, T1 to T4, summed onto the commit row as the verdict writer does (ADR 033). */
  writtenByTier: WrittenByTier;
}

function writeMergeCommit(history: RepositoryHistory, commit: PlannedCommit, committedAt: number): void {
  const verdict: CommitVerdict = { status: "skipped", skipReason: "merge commit", aiConfidence: null, signals: [], added: 0, deleted: 0, writtenByTier: [0, 0, 0, 0] };
  writeCommitRow(history, commit, committedAt, verdict);
  recordCommitEvent(history, commit, { added: 0, modified: 0 });
}

/** A commit the analysis read: its files' attribution and patches, its verdict and its push. Returns its highest risk tier. */
function writeAnalyzedCommit(history: RepositoryHistory, tree: FileTree, lockfile: string, commit: PlannedCommit, committedAt: number): number {
  const { random } = history;
  const branch = commit.unit.pr?.branch ?? "main";
  const files = chooseChangedFiles(random, tree, commit.unit.directory);
  const touchesLockfile = random.chance(0.04);
  // The confidence does not depend on the commit's size, which is known only once its files are written.
  const confidence = commitConfidence(commit.tool);
  const totals = sumFileChanges([...files].map((file) => writeFileChange(history, commit, file, confidence)));
  if (touchesLockfile) writeLockfileChange(history, commit, lockfile);
  const aiConfidence = commit.tool === null ? round2(clamp(random.float() * 0.3, 0.01, 0.35)) : confidence;
  const signals = commitSignals(commit, branch, totals.added);
  writeCommitRow(history, commit, committedAt, { status: "analyzed", skipReason: null, aiConfidence, signals, ...totals });
  recordCommitEvent(history, commit, { added: totals.filesAdded, modified: files.size - totals.filesAdded });
  return totals.highestTier;
}

/** A few files in the change's directory (anywhere, when it has none yet), and often a test. */
function chooseChangedFiles(random: Random, tree: FileTree, directory: number): Set<RepoFile> {
  const inDirectory = tree.byDirectory[directory]!;
  const pool = inDirectory.length > 0 ? inDirectory : tree.files;
  const fileTotal = clamp(Math.round(random.logNormal(1.5, 0.6)), 1, 8);
  const chosen = new Set<RepoFile>();
  for (let index = 0; index < fileTotal; index += 1) chosen.add(random.pick(pool));
  if (tree.tests.length > 0 && random.chance(0.35)) chosen.add(random.pick(tree.tests));
  return chosen;
}

interface FileChange {
  isNew: boolean;
  counts: boolean;
  tier: number;
  linesAdded: number;
  linesDeleted: number;
}

/**
 * One file's change: its attribution row, from the real risk-tier classifier, and a stored patch that deletes and
 * rewrites lines the file has now, so the provenance replay has earlier lines to follow.
 */
function writeFileChange({ random, rows, orgId, repoId }: RepositoryHistory, commit: PlannedCommit, file: RepoFile, commitConfidence: number): FileChange {
  const isNew = file.length === 0;
  const linesAdded = clamp(Math.round(random.logNormal(isNew ? 40 : 10, 0.9)), 1, 600);
  const linesDeleted = isNew ? 0 : clamp(Math.round(random.logNormal(3, 1.1)), 0, Math.min(file.length, 300));
  const position = isNew ? 0 : random.int(1, Math.max(1, file.length - linesDeleted + 1));
  const aiConfidence = fileConfidence(random, commit.tool, commitConfidence);
  const tier = classifyRiskTier({ path: file.path, kind: file.kind, aiConfidence });
  const complexity = file.kind === "code" ? { branches: random.int(0, 9), maxNesting: random.int(0, 4), functions: random.int(0, 6) } : null;
  const changeType = isNew ? "added" : "modified";
  rows.code_attribution.push(copyLine([
    orgId, repoId, commit.sha, file.path, null, changeType, file.kind, file.counts, aiConfidence, [], tier.tier, tier.baseTier,
    tier.reasons, linesAdded, linesDeleted, complexity, DETECTOR_VERSION, new Date(commit.at), new Date(commit.at + MINUTE_MS),
    file.counts ? linesAdded : 0,
  ]));
  const patch = replayablePatch(commit.sha, position, linesDeleted, linesAdded, isNew);
  rows.commit_file_patches.push(copyLine([orgId, repoId, commit.sha, file.path, null, changeType, patch, false, aiConfidence >= 0.5, new Date(commit.at)]));
  // Only changes that reach the default branch change the file there.
  if (commit.unit.lands) file.length = file.length - linesDeleted + linesAdded;
  return { isNew, counts: file.counts, tier: tier.tier, linesAdded, linesDeleted };
}

/** Near the commit's confidence: low for people's own commits, high but varied for agents'. */
function fileConfidence(random: Random, tool: Tool | null, commitConfidence: number): number {
  return tool === null
    ? round2(clamp(commitConfidence + random.float() * 0.2 - 0.05, 0, 0.35))
    : round2(clamp(commitConfidence - random.float() * 0.12, 0.5, 0.99));
}

/** A hunk replacing `deleted` lines from `position` with lines that name the commit, so a replay can tell whose line is whose. */
function replayablePatch(sha: string, position: number, deleted: number, added: number, isNew: boolean): string {
  const short = sha.slice(0, 7);
  const minus = Array.from({ length: deleted }, (_, line) => `-old ${position + line}`);
  const plus = Array.from({ length: added }, (_, line) => `+${short} ${line}`);
  return `@@ -${position},${deleted} +${isNew ? 1 : position},${added} @@\n${[...minus, ...plus].join("\n")}`;
}

function sumFileChanges(changes: readonly FileChange[]): Pick<CommitVerdict, "added" | "deleted" | "writtenByTier"> & { filesAdded: number; highestTier: number } {
  const totals = { added: 0, deleted: 0, writtenByTier: [0, 0, 0, 0] as WrittenByTier, filesAdded: 0, highestTier: 0 };
  for (const change of changes) {
    totals.added += change.linesAdded;
    totals.deleted += change.linesDeleted;
    if (change.counts) totals.writtenByTier[change.tier - 1]! += change.linesAdded;
    if (change.isNew) totals.filesAdded += 1;
    totals.highestTier = Math.max(totals.highestTier, change.tier);
  }
  return totals;
}

/** Lockfiles are attributed (tier 1, never counted toward the AI share) but get no stored patch. */
function writeLockfileChange({ random, rows, orgId, repoId }: RepositoryHistory, commit: PlannedCommit, lockfile: string): void {
  rows.code_attribution.push(copyLine([
    orgId, repoId, commit.sha, lockfile, null, "modified", "lockfile", false, commit.tool === null ? 0.05 : 0.5, [], 1, 1, ["T1: lockfile file"],
    random.int(5, 400), random.int(5, 400), null, DETECTOR_VERSION, new Date(commit.at), new Date(commit.at + MINUTE_MS), 0,
  ]));
}

function writeCommitRow({ rows, orgId, repoId }: RepositoryHistory, commit: PlannedCommit, committedAt: number, verdict: CommitVerdict): void {
  const pr = commit.unit.pr;
  const [t1, t2, t3, t4] = verdict.writtenByTier;
  // GitHub's web-flow, the author of merge commits, is no account of the organisation.
  const authorLogin = commit.merge ? null : commit.author.login;
  rows.commits.push(copyLine([
    orgId, repoId, commit.sha, commit.author.name, commit.author.email, authorLogin, new Date(commit.at), commit.author.offsetMinutes,
    new Date(committedAt), commit.message, pr?.branch ?? "main", pr?.number ?? null, pr === null, verdict.status, verdict.skipReason,
    verdict.aiConfidence, verdict.signals, verdict.added, verdict.deleted, DETECTOR_VERSION, new Date(commit.at + MINUTE_MS),
    t1 + t2 + t3 + t4, t1, t2, t3, t4,
  ]));
}

/**
 * The confidence the analysis gives a commit by each way of working. Fixed per way of working rather than computed by
 * the fitted model (which would need the commits' real text): what a marker of 0.9–0.95 with the model's tells gives.
 */
function commitConfidence(tool: Tool | null): number {
  switch (tool) {
    case "claude":
      return 0.97;
    case "copilot":
      return 0.98;
    case "cursor":
      return 0.96;
    case "codex":
      return 0.9;
    case "unmarked":
      return 0.62;
    default:
      return 0.08;
  }
}

/**
 * The signals stored on a commit: the markers the real detector finds on it (agent-mix.ts markersOf, each naming its
 * tool), and for an agent that leaves no mark the style and timing tells that gave it away.
 */
function commitSignals(commit: PlannedCommit, branch: string, lines: number): unknown[] {
  const agent = commit.unit.agent;
  if (agent === null) return [];
  if (agent.tool === null) {
    return [
      { id: "message-shape", weight: 0.45, evidence: "message shape: conventional subject, explanation body, markdown" },
      { id: "velocity", weight: 0.3, evidence: `${lines} lines 6 minutes after the author's previous commit` },
    ];
  }
  const pr = commit.unit.pr;
  return markersOf({
    sha: commit.sha,
    headline: commit.message,
    author: commit.author,
    at: new Date(commit.at),
    branch,
    pullRequest: pr === null ? null : { title: pr.title, body: pr.body },
    flavour: agent,
  });
}

/** The push of a commit, with the payload fields the webhook planner keeps. */
function recordCommitEvent(history: RepositoryHistory, commit: PlannedCommit, files: { added: number; modified: number }): void {
  const { author } = commit;
  recordEvent(history, 2000, {
    type: "commit",
    key: `commit/${commit.sha}`,
    sha: commit.sha,
    prNumber: null,
    branch: commit.unit.pr?.branch ?? "main",
    actor: author.login,
    at: commit.at,
    payload: {
      message: commit.message,
      author: { name: author.name, email: author.email, username: author.login },
      filesAdded: files.added,
      filesRemoved: 0,
      filesModified: files.modified,
      forced: false,
    },
  });
}

interface CodeEvent {
  type: string;
  key: string;
  sha: string;
  prNumber: number | null;
  branch: string;
  actor: string;
  at: number;
  payload: Record<string, unknown>;
}

/** A code_events row, stored `storedAfterMs` after it happened, with a delivery id of its own. */
function recordEvent({ rows, orgId, repoId, random, eventIds }: RepositoryHistory, storedAfterMs: number, event: CodeEvent): void {
  rows.code_events.push(copyLine([
    eventIds.next(event.at), orgId, repoId, event.type, event.key, event.sha, event.prNumber, event.branch, event.actor, new Date(event.at),
    uuidOf(random), event.payload, new Date(event.at + storedAfterMs),
  ]));
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Pull requests: their row (the folded state) and the events that led to it, with preview deployments

type PullRequestEventRecorder = (type: string, key: string, at: number, actor: string, extra?: Record<string, unknown>) => void;

/**
 * The events of a pull request in the order GitHub sends them — opened, ready, review requests, pushes, edits,
 * reviews, merged or closed — then its row. Events GitHub gives no id of their own are keyed by a delivery id.
 */
function writePullRequest(history: RepositoryHistory, team: Team, pr: PullRequestPlan, commitTiers: ReadonlyMap<string, number>): void {
  const { random } = history;
  const unreviewed = mergedWithoutReview(history, pr, commitTiers);
  const markers = pullRequestAgentMarkers(pr.branch, pr.body);
  const record = pullRequestEventRecorder(history, pr, markers);
  record("pr_opened", `pr/${pr.number}/opened`, pr.openedAt, pr.author.login, { action: "opened" });
  if (pr.draft && pr.readyAt !== null) {
    record("pr_ready_for_review", `pr/${pr.number}/ready_for_review/${uuidOf(random)}`, pr.readyAt, pr.author.login, { action: "ready_for_review" });
  }
  const reviewers = requestReviews(history, team, pr, record);
  recordPushes(history, pr, record);
  if (random.chance(0.5)) {
    record("pr_updated", `pr/${pr.number}/edited/${uuidOf(random)}`, pr.openedAt + random.int(1, 60) * MINUTE_MS, pr.author.login, { action: "edited" });
  }
  // An unreviewed merge still draws its reviews, and records none: the rows after it stay those of the same seed.
  const reviews = recordReviews(history, pr, reviewers, unreviewed ? unrecordedEvent(history) : record);
  if (unreviewed) {
    pr.firstReviewAt = null;
    reviews.length = 0;
  }
  const lastReviewAt = reviews.length > 0 ? reviews[reviews.length - 1]!.at : null;
  if (pr.mergedAt !== null) record("pr_merged", `pr/${pr.number}/merged`, pr.mergedAt, pr.author.login, { action: "closed", merged: true });
  else if (pr.closedAt !== null) record("pr_closed", `pr/${pr.number}/closed/${new Date(pr.closedAt).toISOString()}`, pr.closedAt, pr.author.login, { action: "closed" });
  writePullRequestRow(history, pr, markers, lastReviewAt, reviews);
}

/**
 * Some agent-written pull requests that change T3/T4 code are merged without anybody reviewing them (issue 18: "AI
 * T3/T4 merges without a review"), and a few people's own. Drawn from the reviews' stream of its own.
 */
function mergedWithoutReview({ reviews }: RepositoryHistory, pr: PullRequestPlan, commitTiers: ReadonlyMap<string, number>): boolean {
  if (pr.mergedAt === null) return false;
  const agentWritten = pr.commits[0]!.tool !== null;
  const highRisk = pr.commits.some((commit) => (commitTiers.get(commit.sha) ?? 0) >= 3);
  return reviews.chance(agentWritten && highRisk ? 0.18 : 0.03);
}

/** Records a pull request's events with the payload the webhook planner keeps; those after the period's end have not happened. */
function pullRequestEventRecorder(history: RepositoryHistory, pr: PullRequestPlan, markers: string[]): PullRequestEventRecorder {
  return (type, key, at, actor, extra = {}) => {
    if (at >= history.plan.end) return;
    const draft = pr.draft && (pr.readyAt === null || at < pr.readyAt);
    recordEvent(history, 1000, {
      type,
      key,
      sha: pr.headSha,
      prNumber: pr.number,
      branch: pr.branch,
      actor,
      at,
      payload: { action: extra.action ?? type.replace(/^pr_/, ""), title: pr.title, draft, headRef: pr.branch, baseRef: "main", merged: type === "pr_merged", aiMarkers: markers, ...extra },
    });
  };
}

/** Draws what recording the event would have drawn (its id and delivery id), and records nothing. */
function unrecordedEvent(history: RepositoryHistory): PullRequestEventRecorder {
  return (_type, _key, at) => {
    if (at >= history.plan.end) return;
    history.eventIds.next(at);
    uuidOf(history.random);
  };
}

/** One to three teammates, asked to review once the pull request is ready. */
function requestReviews({ random }: RepositoryHistory, team: Team, pr: PullRequestPlan, record: PullRequestEventRecorder): Member[] {
  const requestAt = pr.readyAt ?? pr.openedAt;
  const reviewers = random.shuffle(team.members.filter((member) => member.login !== pr.notReviewer)).slice(0, random.int(1, 3));
  for (const reviewer of reviewers) {
    record("pr_review_requested", `pr/${pr.number}/review_requested/${uuidOf(random)}`, requestAt + 5000, pr.author.login, { action: "review_requested", reviewer: reviewer.login });
  }
  return reviewers;
}

/** Each push after the first is a synchronize; every push deploys a preview, which the next push (or the end of the pull request) supersedes. */
function recordPushes(history: RepositoryHistory, pr: PullRequestPlan, record: PullRequestEventRecorder): void {
  pr.commits.forEach((commit, index) => {
    if (index > 0) record("pr_updated", `pr/${pr.number}/synchronize/${uuidOf(history.random)}`, commit.at + 20_000, pr.author.login, { action: "synchronize" });
    if (commit.at + 60_000 >= history.plan.end) return;
    deploy(history, {
      environment: `preview-pr-${pr.number}`,
      sha: commit.sha,
      ref: pr.branch,
      createdAt: commit.at + 60_000,
      creator: "github-actions[bot]",
      production: false,
      superseded: index < pr.commits.length - 1 || pr.state !== "open",
    });
  });
}

interface SubmittedReview {
  at: number;
  state: "approved" | "changes_requested" | "commented";
  /** The review said something (a body): what `commented_review_count` counts. */
  commented: boolean;
}

/**
 * One to three review rounds from the first review on, the last an approval; some approvals say nothing. Returns the
 * reviews submitted before the period's end, in time order, as the pull request's review counts fold them.
 */
function recordReviews({ random, reviews: side, plan }: RepositoryHistory, pr: PullRequestPlan, reviewers: Member[], record: PullRequestEventRecorder): SubmittedReview[] {
  if (pr.firstReviewAt === null || reviewers.length === 0) return [];
  const submitted: SubmittedReview[] = [];
  const rounds = random.int(1, 3);
  for (let round = 0; round < rounds; round += 1) {
    const at = pr.firstReviewAt + round * random.int(30, 600) * MINUTE_MS;
    const reviewer = reviewers[round % reviewers.length]!;
    const state = round === rounds - 1 ? "approved" : random.pick(["changes_requested", "commented"] as const);
    const reviewId = pr.number * 100 + round;
    // Changes requested and comments say something; an approval does a third of the time ("LGTM" is no comment).
    const commented = state !== "approved" || side.chance(0.35);
    record("pr_review", `pr/${pr.number}/review/${reviewId}/submitted`, at, reviewer.login, { action: "submitted", state, reviewer: reviewer.login, reviewId, commented, byAuthor: false });
    if (at < plan.end) submitted.push({ at, state, commented });
  }
  return submitted;
}

/** The pull_requests row: the state its events fold into, as of the period's end. */
function writePullRequestRow(
  { random, rows, orgId, repoId, repo, plan }: RepositoryHistory,
  pr: PullRequestPlan,
  markers: string[],
  lastReviewAt: number | null,
  reviews: readonly SubmittedReview[],
): void {
  const updatedAt = Math.max(pr.openedAt, lastReviewAt ?? 0, pr.closedAt ?? 0, pr.commits[pr.commits.length - 1]!.at);
  rows.pull_requests.push(copyLine([
    orgId, repoId, pr.number, (repo.index + 1) * 1_000_000 + pr.number, pr.title, pr.body, pr.author.login, pr.branch, pr.headSha, "main", pr.state,
    pr.draft && pr.readyAt === null, new Date(pr.openedAt), dateOrNull(pr.readyAt), dateOrNull(pr.firstReviewAt), dateOrNull(pr.mergedAt),
    dateOrNull(pr.closedAt), pr.mergedAt === null ? null : hexOf(random, 40), markers, new Date(Math.min(updatedAt, plan.end - 1000)),
    reviews.length, reviews.filter((review) => review.state === "approved").length, reviews.filter((review) => review.commented).length,
  ]));
}

// ---------------------------------------------------------------------------------------------------------------
// Deployments: previews of pull requests, staging and production of the default branch

interface DeploymentRequest {
  environment: string;
  sha: string;
  ref: string;
  createdAt: number;
  creator: string;
  production: boolean;
  /** A later deployment to the same environment replaces it. */
  superseded: boolean;
}

/** A deployments row and its events: created, then each status change up to the period's end. */
function deploy(history: RepositoryHistory, request: DeploymentRequest): { id: string; status: string; finishedAt: number | null } {
  const { random, rows, orgId, repoId, repo } = history;
  // Numbered by the repository's deployments so far, so ids stay unique across the organisation.
  const id = structuredId(DEPLOYMENT_ID_KIND, repo.index, rows.deployments.length);
  const githubId = (repo.index + 1) * 10_000_000 + rows.deployments.length;
  const steps = deploymentSteps(random, request);
  const { environment, sha, ref, creator, createdAt } = request;
  recordEvent(history, 1000, { type: "deployment", key: `deployment/${githubId}`, sha, prNumber: null, branch: ref, actor: creator, at: createdAt, payload: { environment, ref } });
  const reached = recordDeploymentStatuses(history, request, githubId, steps);
  const finishedAt = FINAL_DEPLOYMENT_STATUSES.has(reached.status) ? reached.at : null;
  rows.deployments.push(copyLine([id, orgId, repoId, githubId, sha, ref, environment, request.production, reached.status, new Date(createdAt), dateOrNull(finishedAt), creator]));
  return { id, status: reached.status, finishedAt };
}

const FINAL_DEPLOYMENT_STATUSES = new Set(["success", "failure", "inactive"]);

/**
 * The status changes and the wait before each: queued, in progress, then success or (a few) failure. A superseded
 * preview or staging deployment that succeeded goes inactive hours later.
 */
function deploymentSteps(random: Random, request: DeploymentRequest): [string, number][] {
  const failed = random.chance(request.production ? 0.04 : 0.03);
  const steps: [string, number][] = [["queued", 10_000], ["in_progress", 30_000], [failed ? "failure" : "success", random.int(90, 600) * 1000]];
  if (request.superseded && !failed && !request.production) steps.push(["inactive", random.int(2, 48) * 3_600_000]);
  return steps;
}

/** Records the status events that happen before the period's end; returns the last status reached and when. */
function recordDeploymentStatuses(history: RepositoryHistory, request: DeploymentRequest, githubId: number, steps: [string, number][]): { status: string; at: number } {
  const { environment, sha, ref, creator } = request;
  let reached = { status: "pending", at: request.createdAt };
  let at = request.createdAt;
  for (const [index, [state, delay]] of steps.entries()) {
    at += delay;
    if (at >= history.plan.end) continue;
    reached = { status: state, at };
    const key = `deployment/${githubId}/status/${githubId * 10 + index}`;
    recordEvent(history, 1000, { type: "deployment_status", key, sha, prNumber: null, branch: ref, actor: creator, at, payload: { environment, state } });
  }
  return reached;
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Staging and production deployments of the default branch, on working days

/** Returns the production releases in time order: incidents follow some of them. */
function deployDefaultBranch(history: RepositoryHistory, team: Team, mainline: readonly MainlineCommit[]): Release[] {
  const releases: Release[] = [];
  for (let day = 0; day < history.shape.days; day += 1) {
    const dayStart = history.plan.start + day * DAY_MS;
    if (isWeekend(dayStart)) continue;
    deployToStaging(history, mainline, dayStart);
    releases.push(...releaseToProduction(history, team, mainline, dayStart));
  }
  return releases.sort((a, b) => a.at - b.at);
}

/** Staging gets the latest default branch a few times every afternoon, busier repositories more often. */
function deployToStaging(history: RepositoryHistory, mainline: readonly MainlineCommit[], dayStart: number): void {
  const { random, repo } = history;
  const deployments = clamp(Math.round(repo.activity * 2 * random.float() + 2), 2, 8);
  for (let index = 0; index < deployments; index += 1) {
    const target = deploymentTarget(history, mainline, dayStart, 14);
    if (target === null) continue;
    deploy(history, { environment: "staging", sha: target.sha, ref: "main", createdAt: target.at, creator: "github-actions[bot]", production: false, superseded: true });
  }
}

/** Production releases on most days of busy repositories, on fewer days of quiet ones; a member presses the button. */
function releaseToProduction(history: RepositoryHistory, team: Team, mainline: readonly MainlineCommit[], dayStart: number): Release[] {
  const { random, repo } = history;
  const count = random.chance(clamp(0.4 + repo.activity * 0.3, 0.2, 0.95)) ? clamp(Math.round(repo.activity * random.float() + 1), 1, 3) : 0;
  const releases: Release[] = [];
  for (let index = 0; index < count; index += 1) {
    const target = deploymentTarget(history, mainline, dayStart, 16);
    if (target === null) continue;
    const request = { environment: "production", sha: target.sha, ref: "main", createdAt: target.at, creator: random.pick(team.members).login, production: true, superseded: false };
    releases.push({ at: target.at, index: target.index, ...deploy(history, request) });
  }
  return releases;
}

/** A time from `earliestHour` (UTC) on, and the default branch's head then; null before its first commit or after the period. */
function deploymentTarget(
  { random, plan }: RepositoryHistory,
  mainline: readonly MainlineCommit[],
  dayStart: number,
  earliestHour: number,
): { at: number; index: number; sha: string } | null {
  const at = dayStart + random.int(earliestHour, 23) * 3_600_000 + random.int(0, 3599) * 1000;
  const index = latestAtOrBefore(mainline, at);
  if (index < 0 || at >= plan.end) return null;
  return { at, index, sha: mainline[index]!.sha };
}

/** The position of the last commit at or before `at` (binary search: the mainline is in time order); -1 if none. */
function latestAtOrBefore(mainline: readonly MainlineCommit[], at: number): number {
  let low = 0;
  let high = mainline.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (mainline[middle]!.at <= at) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Incidents after some releases, with suspected commits

/**
 * Incidents hours after some releases (half of the failed ones), each linked to the commits the release shipped.
 * The first release has none: what it shipped has no earlier release to start from. Incidents draw from a stream
 * of their own.
 */
function writeIncidents(history: RepositoryHistory, releases: readonly Release[], mainline: readonly MainlineCommit[], commitTiers: ReadonlyMap<string, number>): void {
  const random = history.random.fork("incidents");
  const incidentChance = clamp(0.05 + 0.04 * history.repo.activity, 0.03, 0.3);
  for (let position = 1; position < releases.length; position += 1) {
    const release = releases[position]!;
    if (release.finishedAt === null || !random.chance(release.status === "failure" ? 0.5 : incidentChance)) continue;
    const startedAt = release.finishedAt + random.logNormal(120, 1) * MINUTE_MS;
    if (startedAt >= history.plan.end) continue;
    const id = writeIncident(history, random, startedAt);
    const shipped = mainline.slice(releases[position - 1]!.index + 1, release.index + 1);
    for (const suspect of suspectsOf(shipped, commitTiers).slice(0, random.int(1, 3))) {
      history.rows.incident_commits.push(copyLine([id, history.repoId, suspect.sha, null, new Date(startedAt + 12 * MINUTE_MS)]));
    }
  }
}

/** An incidents row, resolved hours later (still open if that is after the period); returns its id. */
function writeIncident({ rows, orgId, repoId, repo, plan }: RepositoryHistory, random: Random, startedAt: number): string {
  const resolvedAt = startedAt + random.logNormal(150, 1) * MINUTE_MS;
  const id = structuredId(INCIDENT_ID_KIND, repo.index, rows.incidents.length);
  const severity = random.weighted([["sev1", 1], ["sev2", 4], ["sev3", 8], ["sev4", 4]] as const);
  rows.incidents.push(copyLine([
    id, orgId, repoId, random.pick(INCIDENT_TITLES), random.chance(0.5) ? "Customers reported errors; rolled back the release." : null,
    severity, new Date(startedAt), resolvedAt < plan.end ? new Date(resolvedAt) : null, random.chance(0.3) ? "pagerduty" : "manual", null,
    new Date(startedAt + 10 * MINUTE_MS),
  ]));
  return id;
}

/** The analysed commits (not merges) of those shipped, the riskiest first. */
function suspectsOf(shipped: readonly MainlineCommit[], commitTiers: ReadonlyMap<string, number>): MainlineCommit[] {
  return shipped.filter((commit) => commitTiers.has(commit.sha)).sort((a, b) => (commitTiers.get(b.sha) ?? 0) - (commitTiers.get(a.sha) ?? 0));
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function dateOrNull(at: number | null): Date | null {
  return at === null ? null : new Date(at);
}

function isWeekend(dayStart: number): boolean {
  const weekday = new Date(dayStart).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** A time during the author's working day (their own clock) on the UTC day starting at `dayStart`. */
function workTime(random: Random, dayStart: number, offsetMinutes: number): number {
  const localMinute = random.int(9 * 60, 19 * 60) + (random.chance(0.08) ? random.int(60, 240) : 0);
  return dayStart + (localMinute - offsetMinutes) * MINUTE_MS + random.int(0, 59) * 1000;
}

export function describeShape(shape: LargeOrganizationShape): string {
  return `${shape.repos} repositories × ${shape.days} days up to ${shape.until} (seed ${shape.seed}, ${shape.commitsPerRepoDay} commits a repository-day, ${shape.activity} activity)`;
}
