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
import { copyLine } from "./copy.ts";

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
  { ext: "ts", test: ".test.ts" },
  { ext: "go", test: "_test.go" },
  { ext: "py", test: "_test.py" },
];
const VERBS = ["Add", "Fix", "Refactor", "Update", "Remove", "Improve", "Handle", "Validate", "Cache", "Simplify", "Rename", "Split"];
const OBJECTS = ["error handling", "pagination", "retries", "validation", "logging", "the happy path", "edge cases", "timeouts", "tests", "types", "metrics", "docs"];
const TOOLS = [
  { id: "claude", weight: 40, branch: "claude" },
  { id: "copilot", weight: 20, branch: "copilot" },
  { id: "cursor", weight: 20, branch: "cursor" },
  { id: "codex", weight: 12, branch: "codex" },
  { id: "unmarked", weight: 8, branch: null },
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
  const root = new Random(shape.seed);
  const people = root.fork("members");
  const memberCount = Math.max(8, Math.min(120, Math.round(shape.repos * 0.6) + 6));
  const members: Member[] = Array.from({ length: memberCount }, (_, index) => {
    const first = FIRST_NAMES[index % FIRST_NAMES.length]!;
    const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length + index) % LAST_NAMES.length]!;
    const login = `${first.toLowerCase()}-${last.toLowerCase()}${index >= FIRST_NAMES.length ? `-${index}` : ""}`;
    return {
      login,
      name: `${first} ${last}`,
      email: `${login}@bench.example`,
      githubId: 910_000_001 + index,
      offsetMinutes: people.pick(OFFSETS),
      aiAffinity: Math.min(2.2, people.logNormal(1, 0.5)),
    };
  });
  const names = root.fork("repositories").shuffle(REPO_SUBJECTS.flatMap((subject) => REPO_KINDS.map((kind) => `${subject}-${kind}`)));
  const activityRandom = root.fork("activity");
  const raw = Array.from({ length: shape.repos }, () => (shape.activity === "uniform" ? 1 : activityRandom.logNormal(1, 0.9)));
  const mean = raw.reduce((sum, value) => sum + value, 0) / Math.max(1, raw.length);
  const ids = root.fork("ids");
  const end = Date.parse(`${shape.until}T00:00:00Z`);
  return {
    orgId: uuidOf(ids),
    members,
    repositories: raw.map((activity, index) => ({
      index,
      id: uuidOf(ids),
      fullName: `bench/${names[index % names.length]}${index >= names.length ? `-${Math.floor(index / names.length) + 1}` : ""}`,
      activity: activity / mean,
    })),
    start: end - shape.days * DAY_MS,
    end,
  };
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
  /** null for a direct push to the default branch. */
  pr: PullRequestPlan | null;
  lands: boolean;
}

interface PullRequestPlan {
  number: number;
  branch: string;
  title: string;
  body: string | null;
  author: Author;
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

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A time during the author's working day (their own clock) on the UTC day starting at `dayStart`. */
function workTime(random: Random, dayStart: number, offsetMinutes: number): number {
  const localMinute = random.int(9 * 60, 19 * 60) + (random.chance(0.08) ? random.int(60, 240) : 0);
  return dayStart + (localMinute - offsetMinutes) * MINUTE_MS + random.int(0, 59) * 1000;
}

function commitSignals(tool: Tool | null, author: Author, branch: string, lines: number): { confidence: number; signals: unknown[] } {
  switch (tool) {
    case "claude":
      return {
        confidence: 0.97,
        signals: [{ id: "agent-coauthor-trailer", weight: 0.95, evidence: 'Claude Code co-author trailer: "Co-Authored-By: Claude <noreply@anthropic.com>"' }],
      };
    case "copilot":
      return {
        confidence: 0.98,
        signals: [
          { id: "agent-identity", weight: 0.95, evidence: `author is Copilot coding agent: ${author.name} <${author.email}>` },
          { id: "agent-branch", weight: 0.8, evidence: `branch ${branch} uses the copilot/ agent prefix` },
        ],
      };
    case "cursor":
      return { confidence: 0.96, signals: [{ id: "agent-identity", weight: 0.95, evidence: `author is Cursor background agent: ${author.name} <${author.email}>` }] };
    case "codex":
      return {
        confidence: 0.9,
        signals: [
          { id: "agent-branch", weight: 0.8, evidence: `branch ${branch} uses the codex/ agent prefix` },
          { id: "message-shape", weight: 0.35, evidence: "message shape: conventional subject, explanation body, bullet list" },
        ],
      };
    case "unmarked":
      return {
        confidence: 0.62,
        signals: [
          { id: "message-shape", weight: 0.45, evidence: "message shape: conventional subject, explanation body, markdown" },
          { id: "velocity", weight: 0.3, evidence: `${lines} lines 6 minutes after the author's previous commit` },
        ],
      };
    default:
      return { confidence: 0.08, signals: [] };
  }
}

/**
 * One repository's whole history as COPY lines per table. Deterministic in (shape, plan, repository): each
 * repository draws from its own fork of the seed.
 */
export function generateRepositoryHistory(shape: LargeOrganizationShape, plan: OrganizationPlan, repo: RepositoryPlan): RepositoryRows {
  const random = new Random(shape.seed).fork(`repository-${repo.index}`);
  const rows: RepositoryRows = Object.fromEntries(Object.keys(TABLE_COLUMNS).map((table) => [table, []])) as unknown as RepositoryRows;
  const orgId = plan.orgId;
  const repoId = repo.id;
  const eventIds = new EventIds(plan.start, repo.index);
  const language = random.pick(LANGUAGES);
  const lockfile = language.ext === "ts" ? "package-lock.json" : language.ext === "go" ? "go.sum" : "poetry.lock";

  // The team: a few members do most of the work; AI adoption differs per repository.
  const team = random.shuffle(plan.members).slice(0, clamp(Math.round(3 + repo.activity * 4), 3, 16));
  const teamWeights = team.map(() => random.logNormal(1, 0.6));
  const aiBias = random.logNormal(1, 0.35);
  const copilotBot: Author = { login: "Copilot", name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com", offsetMinutes: 0 };
  const cursorAgent: Author = { login: "cursor-agent", name: "Cursor Agent", email: "cursoragent@cursor.com", offsetMinutes: 0 };

  // The file tree: directories this repository has, files in them, most existing before the period starts.
  const directories = DIRECTORIES.filter((dir) => dir.weight >= 4 || random.chance(0.5));
  const files: RepoFile[] = [];
  const fileCount = clamp(Math.round(60 + 90 * repo.activity), 40, 500);
  for (let index = 0; index < fileCount; index += 1) {
    const directory = random.weighted(directories.map((dir, position) => [position, dir.weight] as const));
    const def = directories[directory]!;
    const noun = random.pick(NOUNS);
    const variant = random.pick(VARIANTS);
    const path =
      def.ext === "code"
        ? `${def.dir}/${noun}${variant}.${language.ext}`
        : def.ext === "test"
          ? `${def.dir}/${noun}${variant}${language.test}`
          : def.ext === "sql"
            ? `${def.dir}/${String(index).padStart(4, "0")}_${noun}.sql`
            : `${def.dir}/${noun}${variant}.${def.ext}`;
    if (files.some((file) => file.path === path)) continue;
    const kind = classifyFileKind({ path, patch: null, binary: false });
    files.push({ path, kind, counts: countsTowardShare(kind), length: random.chance(0.75) ? random.int(30, 400) : 0, directory });
  }
  const byDirectory = directories.map((_, position) => files.filter((file) => file.directory === position));
  const tests = files.filter((file) => file.kind === "test");

  // 1. Change units day by day: direct pushes and pull requests, with their commits' times.
  const planned: PlannedCommit[] = [];
  const pullRequests: PullRequestPlan[] = [];
  const perDay = shape.commitsPerRepoDay * repo.activity;
  for (let day = 0; day < shape.days; day += 1) {
    const dayStart = plan.start + day * DAY_MS;
    const weekday = new Date(dayStart).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    let remaining = Math.round(perDay * (weekend ? 0.25 : 1.3) * random.logNormal(1, 0.35));
    const adoption = 0.12 + 0.43 * (day / Math.max(1, shape.days - 1));
    while (remaining > 0) {
      const member = team[random.weighted(teamWeights.map((weight, position) => [position, weight] as const))]!;
      const memberAuthor: Author = member;
      const usesAgent = random.chance(clamp(adoption * aiBias * member.aiAffinity, 0, 0.95));
      const tool: Tool | null = usesAgent ? random.weighted(TOOLS.map((candidate) => [candidate.id, candidate.weight] as const)) : null;
      const author = tool === "copilot" ? copilotBot : tool === "cursor" ? cursorAgent : memberAuthor;
      const viaPr = tool === "copilot" || tool === "cursor" || random.chance(0.6);
      const count = viaPr ? Math.min(remaining, 1 + Math.floor(random.logNormal(1, 0.7))) : 1;
      remaining -= count;
      const directory = random.weighted(directories.map((dir, position) => [position, dir.weight] as const));
      const noun = random.pick(NOUNS);
      const first = workTime(random, dayStart, member.offsetMinutes);
      const unit: ChangeUnit = { directory, tool, pr: null, lands: true };
      const subject = `${random.pick(VERBS)} ${noun} ${random.pick(OBJECTS)}`;
      const times = [first];
      for (let index = 1; index < count; index += 1) times.push(times[index - 1]! + random.int(8, 120) * MINUTE_MS);
      const commits = times
        .filter((at) => at < plan.end)
        .map((at, index): PlannedCommit => ({
          at,
          sha: hexOf(random, 40),
          author,
          tool,
          unit,
          merge: false,
          message: tool && tool !== "unmarked" && random.chance(0.7) ? `${index === 0 ? "feat" : "fix"}(${noun}): ${subject.toLowerCase()}` : index === 0 ? subject : `${random.pick(VERBS)} ${noun} after review`,
        }));
      if (commits.length === 0) continue;
      planned.push(...commits);
      if (!viaPr) continue;

      const number = pullRequests.length + 1;
      const prefix = TOOLS.find((candidate) => candidate.id === tool)?.branch;
      const branch = `${prefix ?? member.login}/${noun}-${random.pick(OBJECTS).replace(/\s+/g, "-")}-${number}`;
      const body = tool === "claude" && random.chance(0.6) ? "## Summary\n\nGenerated with [Claude Code](https://claude.com/claude-code)" : random.chance(0.5) ? `Changes ${noun} ${random.pick(OBJECTS)}.` : null;
      const draft = random.chance(0.2);
      const openedAt = commits[0]!.at + random.int(2, 30) * MINUTE_MS;
      const readyAt = draft ? openedAt + random.logNormal(180, 1) * MINUTE_MS : openedAt;
      const firstReviewAt = readyAt + random.logNormal(300, 1.1) * MINUTE_MS;
      const outcome = random.weighted([["merged", 85], ["closed", 10], ["open", 5]] as const);
      const finishedAt = Math.max(firstReviewAt, commits[commits.length - 1]!.at) + random.logNormal(90, 1) * MINUTE_MS;
      const pr: PullRequestPlan = {
        number,
        branch,
        title: subject,
        body,
        author: tool === "copilot" ? copilotBot : memberAuthor,
        openedAt,
        draft,
        headSha: commits[commits.length - 1]!.sha,
        commits,
        state: outcome === "open" || finishedAt >= plan.end ? "open" : outcome,
        mergedAt: outcome === "merged" && finishedAt < plan.end ? finishedAt : null,
        closedAt: outcome !== "open" && finishedAt < plan.end ? finishedAt : null,
        readyAt: readyAt < plan.end ? readyAt : null,
        firstReviewAt: firstReviewAt < plan.end ? firstReviewAt : null,
      };
      unit.pr = pr;
      unit.lands = pr.state === "merged";
      pullRequests.push(pr);
      if (pr.mergedAt !== null) {
        planned.push({
          at: pr.mergedAt,
          sha: hexOf(random, 40),
          author: { login: "web-flow", name: "GitHub", email: "noreply@github.com", offsetMinutes: 0 },
          tool: null,
          unit: { directory, tool: null, pr: null, lands: true },
          merge: true,
          message: `Merge pull request #${number} from ${branch}`,
        });
      }
    }
  }
  planned.sort((a, b) => a.at - b.at);

  // 2. Commits in time order: files, patches that rewrite earlier lines, attribution, and the commit events.
  const mainline: { at: number; sha: string }[] = [];
  const commitTier = new Map<string, number>();
  for (const commit of planned) {
    const pr = commit.unit.pr;
    const branch = pr ? pr.branch : "main";
    const onDefault = pr === null;
    const committedAt = commit.at + random.int(0, 120) * 1000;
    const offset = commit.author.offsetMinutes;
    if (commit.merge) {
      rows.commits.push(copyLine([
        orgId, repoId, commit.sha, commit.author.name, commit.author.email, null, new Date(commit.at), offset, new Date(committedAt),
        commit.message, branch, null, true, "skipped", "merge commit", null, [], 0, 0, DETECTOR_VERSION, new Date(commit.at + MINUTE_MS),
        0, 0, 0, 0, 0,
      ]));
      mainline.push({ at: commit.at, sha: commit.sha });
      rows.code_events.push(copyLine([
        eventIds.next(commit.at), orgId, repoId, "commit", `commit/${commit.sha}`, commit.sha, null, "main", commit.author.login, new Date(commit.at),
        uuidOf(random), { message: commit.message, author: { name: commit.author.name, email: commit.author.email, username: "web-flow" }, filesAdded: 0, filesRemoved: 0, filesModified: 0, forced: false },
        new Date(commit.at + 2000),
      ]));
      continue;
    }
    if (onDefault) mainline.push({ at: commit.at, sha: commit.sha });
    const pool = byDirectory[commit.unit.directory]!.length > 0 ? byDirectory[commit.unit.directory]! : files;
    const fileTotal = clamp(Math.round(random.logNormal(1.5, 0.6)), 1, 8);
    const chosen = new Set<RepoFile>();
    for (let index = 0; index < fileTotal; index += 1) chosen.add(random.pick(pool));
    if (tests.length > 0 && random.chance(0.35)) chosen.add(random.pick(tests));
    const touchesLockfile = random.chance(0.04);
    const { confidence, signals } = commitSignals(commit.tool, commit.author, branch, 0);
    let added = 0;
    let deleted = 0;
    // Written lines by risk tier, summed onto the commit row as the verdict writer does (ADR 033).
    const written = [0, 0, 0, 0];
    let highestTier = 0;
    let filesAdded = 0;
    for (const file of chosen) {
      const isNew = file.length === 0;
      const linesAdded = clamp(Math.round(random.logNormal(isNew ? 40 : 10, 0.9)), 1, 600);
      const linesDeleted = isNew ? 0 : clamp(Math.round(random.logNormal(3, 1.1)), 0, Math.min(file.length, 300));
      const position = isNew ? 0 : random.int(1, Math.max(1, file.length - linesDeleted + 1));
      const fileConfidence = commit.tool === null ? round2(clamp(confidence + random.float() * 0.2 - 0.05, 0, 0.35)) : round2(clamp(confidence - random.float() * 0.12, 0.5, 0.99));
      const tier = classifyRiskTier({ path: file.path, kind: file.kind, aiConfidence: fileConfidence });
      highestTier = Math.max(highestTier, tier.tier);
      const complexity = file.kind === "code" ? { branches: random.int(0, 9), maxNesting: random.int(0, 4), functions: random.int(0, 6) } : null;
      rows.code_attribution.push(copyLine([
        orgId, repoId, commit.sha, file.path, null, isNew ? "added" : "modified", file.kind, file.counts, fileConfidence, [], tier.tier, tier.baseTier,
        tier.reasons, linesAdded, linesDeleted, complexity, DETECTOR_VERSION, new Date(commit.at), new Date(commit.at + MINUTE_MS),
        file.counts ? linesAdded : 0,
      ]));
      if (file.counts) written[tier.tier - 1]! += linesAdded;
      const short = commit.sha.slice(0, 7);
      const minus = Array.from({ length: linesDeleted }, (_, line) => `-old ${position + line}`);
      const plus = Array.from({ length: linesAdded }, (_, line) => `+${short} ${line}`);
      const patch = `@@ -${position},${linesDeleted} +${isNew ? 1 : position},${linesAdded} @@\n${[...minus, ...plus].join("\n")}`;
      rows.commit_file_patches.push(copyLine([orgId, repoId, commit.sha, file.path, null, isNew ? "added" : "modified", patch, false, fileConfidence >= 0.5, new Date(commit.at)]));
      added += linesAdded;
      deleted += linesDeleted;
      if (isNew) filesAdded += 1;
      // Only changes that reach the default branch change the file there.
      if (commit.unit.lands) file.length = file.length - linesDeleted + linesAdded;
    }
    if (touchesLockfile) {
      const lockConfidence = commit.tool === null ? 0.05 : 0.5;
      rows.code_attribution.push(copyLine([
        orgId, repoId, commit.sha, lockfile, null, "modified", "lockfile", false, lockConfidence, [], 1, 1, ["T1: lockfile file"],
        random.int(5, 400), random.int(5, 400), null, DETECTOR_VERSION, new Date(commit.at), new Date(commit.at + MINUTE_MS), 0,
      ]));
    }
    commitTier.set(commit.sha, highestTier);
    const aiConfidence = commit.tool === null ? round2(clamp(random.float() * 0.3, 0.01, 0.35)) : confidence;
    const finalSignals = commit.tool === "unmarked" ? commitSignals("unmarked", commit.author, branch, added).signals : signals;
    rows.commits.push(copyLine([
      orgId, repoId, commit.sha, commit.author.name, commit.author.email, commit.author.login, new Date(commit.at), offset, new Date(committedAt),
      commit.message, branch, pr?.number ?? null, onDefault, "analyzed", null, aiConfidence, finalSignals, added, deleted, DETECTOR_VERSION,
      new Date(commit.at + MINUTE_MS), written[0]! + written[1]! + written[2]! + written[3]!, written[0]!, written[1]!, written[2]!, written[3]!,
    ]));
    rows.code_events.push(copyLine([
      eventIds.next(commit.at), orgId, repoId, "commit", `commit/${commit.sha}`, commit.sha, null, branch, commit.author.login, new Date(commit.at),
      uuidOf(random),
      { message: commit.message, author: { name: commit.author.name, email: commit.author.email, username: commit.author.login }, filesAdded, filesRemoved: 0, filesModified: chosen.size - filesAdded, forced: false },
      new Date(commit.at + 2000),
    ]));
  }

  // 3. Pull requests: their row (the folded state) and the events that led to it, with preview deployments.
  let deploymentCount = 0;
  const deployment = (environment: string, sha: string, ref: string, createdAt: number, creator: string, production: boolean, superseded: boolean) => {
    const id = structuredId(1, repo.index, deploymentCount);
    const githubId = (repo.index + 1) * 10_000_000 + deploymentCount++;
    const failed = random.chance(production ? 0.04 : 0.03);
    const steps: [string, number][] = [["queued", 10_000], ["in_progress", 30_000], [failed ? "failure" : "success", random.int(90, 600) * 1000]];
    if (superseded && !failed && !production) steps.push(["inactive", random.int(2, 48) * 3_600_000]);
    let at = createdAt;
    let statusAt = createdAt;
    rows.code_events.push(copyLine([
      eventIds.next(createdAt), orgId, repoId, "deployment", `deployment/${githubId}`, sha, null, ref, creator, new Date(createdAt), uuidOf(random),
      { environment, ref }, new Date(createdAt + 1000),
    ]));
    let status = "pending";
    steps.forEach(([state, delay], index) => {
      at += delay;
      if (at >= plan.end) return;
      status = state;
      statusAt = at;
      rows.code_events.push(copyLine([
        eventIds.next(at), orgId, repoId, "deployment_status", `deployment/${githubId}/status/${githubId * 10 + index}`, sha, null, ref, creator,
        new Date(at), uuidOf(random), { environment, state }, new Date(at + 1000),
      ]));
    });
    const finished = status === "success" || status === "failure" || status === "inactive" ? statusAt : null;
    rows.deployments.push(copyLine([id, orgId, repoId, githubId, sha, ref, environment, production, status, new Date(createdAt), finished === null ? null : new Date(finished), creator]));
    return { id, status, createdAt, finishedAt: finished, sha };
  };

  for (const pr of pullRequests) {
    const markers = pullRequestAgentMarkers(pr.branch, pr.body);
    const prEvent = (type: string, key: string, at: number, actor: string, extra: Record<string, unknown> = {}) => {
      if (at >= plan.end) return;
      rows.code_events.push(copyLine([
        eventIds.next(at), orgId, repoId, type, key, pr.headSha, pr.number, pr.branch, actor, new Date(at), uuidOf(random),
        { action: extra.action ?? type.replace(/^pr_/, ""), title: pr.title, draft: pr.draft && (pr.readyAt === null || at < pr.readyAt), headRef: pr.branch, baseRef: "main", merged: type === "pr_merged", aiMarkers: markers, ...extra },
        new Date(at + 1000),
      ]));
    };
    const delivery = () => uuidOf(random);
    prEvent("pr_opened", `pr/${pr.number}/opened`, pr.openedAt, pr.author.login, { action: "opened" });
    if (pr.draft && pr.readyAt !== null) prEvent("pr_ready_for_review", `pr/${pr.number}/ready_for_review/${delivery()}`, pr.readyAt, pr.author.login, { action: "ready_for_review" });
    const requestAt = pr.readyAt ?? pr.openedAt;
    const reviewers = random.shuffle(team.filter((member) => member.login !== pr.author.login)).slice(0, random.int(1, 3));
    for (const reviewer of reviewers) prEvent("pr_review_requested", `pr/${pr.number}/review_requested/${delivery()}`, requestAt + 5000, pr.author.login, { action: "review_requested", reviewer: reviewer.login });
    // Each push after the first is a synchronize; previews deploy every push.
    pr.commits.forEach((commit, index) => {
      if (index > 0) prEvent("pr_updated", `pr/${pr.number}/synchronize/${delivery()}`, commit.at + 20_000, pr.author.login, { action: "synchronize" });
      if (commit.at + 60_000 < plan.end) {
        deployment(`preview-pr-${pr.number}`, commit.sha, pr.branch, commit.at + 60_000, "github-actions[bot]", false, index < pr.commits.length - 1 || pr.state !== "open");
      }
    });
    if (random.chance(0.5)) prEvent("pr_updated", `pr/${pr.number}/edited/${delivery()}`, pr.openedAt + random.int(1, 60) * MINUTE_MS, pr.author.login, { action: "edited" });
    let lastReviewAt = pr.firstReviewAt;
    if (pr.firstReviewAt !== null && reviewers.length > 0) {
      const rounds = random.int(1, 3);
      for (let round = 0; round < rounds; round += 1) {
        const at = pr.firstReviewAt + round * random.int(30, 600) * MINUTE_MS;
        const reviewer = reviewers[round % reviewers.length]!;
        const state = round === rounds - 1 ? "approved" : random.pick(["changes_requested", "commented"] as const);
        prEvent("pr_review", `pr/${pr.number}/review/${pr.number * 100 + round}/submitted`, at, reviewer.login, { action: "submitted", state, reviewer: reviewer.login });
        if (at < plan.end) lastReviewAt = at;
      }
    }
    if (pr.mergedAt !== null) prEvent("pr_merged", `pr/${pr.number}/merged`, pr.mergedAt, pr.author.login, { action: "closed", merged: true });
    else if (pr.closedAt !== null) prEvent("pr_closed", `pr/${pr.number}/closed/${new Date(pr.closedAt).toISOString()}`, pr.closedAt, pr.author.login, { action: "closed" });
    const updatedAt = Math.max(pr.openedAt, lastReviewAt ?? 0, pr.closedAt ?? 0, pr.commits[pr.commits.length - 1]!.at);
    rows.pull_requests.push(copyLine([
      orgId, repoId, pr.number, (repo.index + 1) * 1_000_000 + pr.number, pr.title, pr.body, pr.author.login, pr.branch, pr.headSha, "main", pr.state,
      pr.draft && pr.readyAt === null, new Date(pr.openedAt), pr.readyAt === null ? null : new Date(pr.readyAt),
      pr.firstReviewAt === null ? null : new Date(pr.firstReviewAt), pr.mergedAt === null ? null : new Date(pr.mergedAt),
      pr.closedAt === null ? null : new Date(pr.closedAt), pr.mergedAt === null ? null : hexOf(random, 40), markers, new Date(Math.min(updatedAt, plan.end - 1000)),
    ]));
  }

  // 4. Staging and production deployments of the default branch, on working days; incidents after some of them.
  const latestMainline = (at: number) => {
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
  };
  const productions: { at: number; index: number; id: string; finishedAt: number | null; status: string }[] = [];
  for (let day = 0; day < shape.days; day += 1) {
    const dayStart = plan.start + day * DAY_MS;
    const weekday = new Date(dayStart).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const stagings = clamp(Math.round(repo.activity * 2 * random.float() + 2), 2, 8);
    for (let index = 0; index < stagings; index += 1) {
      const at = dayStart + random.int(14, 23) * 3_600_000 + random.int(0, 3599) * 1000;
      const head = latestMainline(at);
      if (head < 0 || at >= plan.end) continue;
      deployment("staging", mainline[head]!.sha, "main", at, "github-actions[bot]", false, true);
    }
    const releases = random.chance(clamp(0.4 + repo.activity * 0.3, 0.2, 0.95)) ? clamp(Math.round(repo.activity * random.float() + 1), 1, 3) : 0;
    for (let index = 0; index < releases; index += 1) {
      const at = dayStart + random.int(16, 23) * 3_600_000 + random.int(0, 3599) * 1000;
      const head = latestMainline(at);
      if (head < 0 || at >= plan.end) continue;
      const deployed = deployment("production", mainline[head]!.sha, "main", at, random.pick(team).login, true, false);
      productions.push({ at, index: head, id: deployed.id, finishedAt: deployed.finishedAt, status: deployed.status });
    }
  }
  productions.sort((a, b) => a.at - b.at);

  const incidentRandom = random.fork("incidents");
  const incidentChance = clamp(0.05 + 0.04 * repo.activity, 0.03, 0.3);
  for (let position = 1; position < productions.length; position += 1) {
    const release = productions[position]!;
    if (release.finishedAt === null || !incidentRandom.chance(release.status === "failure" ? 0.5 : incidentChance)) continue;
    const startedAt = release.finishedAt + incidentRandom.logNormal(120, 1) * MINUTE_MS;
    if (startedAt >= plan.end) continue;
    const resolvedAt = startedAt + incidentRandom.logNormal(150, 1) * MINUTE_MS;
    const id = structuredId(2, repo.index, rows.incidents.length);
    const severity = incidentRandom.weighted([["sev1", 1], ["sev2", 4], ["sev3", 8], ["sev4", 4]] as const);
    rows.incidents.push(copyLine([
      id, orgId, repoId, incidentRandom.pick(INCIDENT_TITLES), incidentRandom.chance(0.5) ? "Customers reported errors; rolled back the release." : null,
      severity, new Date(startedAt), resolvedAt < plan.end ? new Date(resolvedAt) : null, incidentRandom.chance(0.3) ? "pagerduty" : "manual", null,
      new Date(startedAt + 10 * MINUTE_MS),
    ]));
    // Suspects: the commits this release shipped (since the previous one), the risky ones first.
    const shipped = mainline
      .slice(productions[position - 1]!.index + 1, release.index + 1)
      .filter((commit) => commitTier.has(commit.sha))
      .sort((a, b) => (commitTier.get(b.sha) ?? 0) - (commitTier.get(a.sha) ?? 0));
    for (const suspect of shipped.slice(0, incidentRandom.int(1, 3))) {
      rows.incident_commits.push(copyLine([id, repoId, suspect.sha, null, new Date(startedAt + 12 * MINUTE_MS)]));
    }
  }
  return rows;
}

export function describeShape(shape: LargeOrganizationShape): string {
  return `${shape.repos} repositories × ${shape.days} days up to ${shape.until} (seed ${shape.seed}, ${shape.commitsPerRepoDay} commits a repository-day, ${shape.activity} activity)`;
}

