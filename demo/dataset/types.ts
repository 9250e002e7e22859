/**
 * The demo dataset: raw GitHub-shaped input (webhook deliveries and "get a commit" responses) for a
 * fictional organisation. Seeding replays it through the same ingestion path as live data, so nothing
 * here is a metric: shares, churn, review times and failure rates all come out of Sentinel's own code.
 */

export interface GitHubUser {
  login: string;
  id: number;
  type: "User" | "Bot" | "Organization";
  html_url: string;
}

export interface DemoAccount {
  id: number;
  login: string;
  type: "Organization";
  html_url: string;
  /** The GitHub App installation on this organisation; every delivery carries it. */
  installationId: number;
}

export interface GitHubRepository {
  id: number;
  node_id: string;
  name: string;
  full_name: string;
  private: boolean;
  html_url: string;
  description: string;
  language: "TypeScript" | "Go";
  default_branch: "main";
  owner: GitHubUser;
}

export interface DemoMember {
  id: number;
  login: string;
  name: string;
  /** GitHub noreply address: `<id>+<login>@users.noreply.github.com`. */
  email: string;
  /** Home UTC offset as it appears in commit dates, e.g. "+05:30". */
  utcOffset: string;
  utcOffsetMinutes: number;
  /** full_name of the repositories this developer works in. */
  repositories: string[];
}

/** Identity inside a git commit (push payloads add the GitHub username when the email maps to one). */
export interface GitPersonWithUsername {
  name: string;
  email: string;
  username?: string;
}

export interface GitHubPushCommit {
  id: string;
  tree_id: string;
  distinct: boolean;
  message: string;
  /** ISO 8601 with the author's offset, e.g. 2025-03-04T10:12:33+01:00 */
  timestamp: string;
  url: string;
  author: GitPersonWithUsername;
  committer: GitPersonWithUsername;
  added: string[];
  removed: string[];
  modified: string[];
}

export interface InstallationRef {
  id: number;
}

export interface PushPayload {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  base_ref: string | null;
  compare: string;
  commits: GitHubPushCommit[];
  head_commit: GitHubPushCommit | null;
  repository: GitHubRepository;
  pusher: { name: string; email: string };
  organization: GitHubUser;
  installation: InstallationRef;
  sender: GitHubUser;
}

export interface GitHubPullRequest {
  id: number;
  number: number;
  html_url: string;
  state: "open" | "closed";
  draft: boolean;
  title: string;
  body: string;
  user: GitHubUser;
  head: { ref: string; sha: string; label: string };
  base: { ref: string; sha: string; label: string };
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
  merged: boolean;
  merge_commit_sha: string | null;
  merged_by: GitHubUser | null;
  requested_reviewers: GitHubUser[];
  assignees: GitHubUser[];
  commits: number;
  additions: number;
  deletions: number;
  changed_files: number;
}

export type PullRequestAction = "opened" | "ready_for_review" | "review_requested" | "synchronize" | "closed";

export interface PullRequestPayload {
  action: PullRequestAction;
  number: number;
  pull_request: GitHubPullRequest;
  /** Only on review_requested. */
  requested_reviewer?: GitHubUser;
  /** Only on synchronize: the head before and after the push. */
  before?: string;
  after?: string;
  repository: GitHubRepository;
  organization: GitHubUser;
  installation: InstallationRef;
  sender: GitHubUser;
}

export type ReviewState = "approved" | "changes_requested" | "commented";

export interface PullRequestReviewPayload {
  action: "submitted";
  review: {
    id: number;
    user: GitHubUser;
    body: string | null;
    state: ReviewState;
    submitted_at: string;
    commit_id: string;
    html_url: string;
  };
  pull_request: GitHubPullRequest;
  repository: GitHubRepository;
  organization: GitHubUser;
  installation: InstallationRef;
  sender: GitHubUser;
}

export type DeploymentEnvironment = "production" | "staging";

export interface GitHubDeployment {
  id: number;
  sha: string;
  ref: string;
  task: "deploy";
  environment: DeploymentEnvironment;
  original_environment: DeploymentEnvironment;
  production_environment: boolean;
  transient_environment: boolean;
  description: string | null;
  creator: GitHubUser;
  created_at: string;
  updated_at: string;
}

export interface DeploymentPayload {
  action: "created";
  deployment: GitHubDeployment;
  repository: GitHubRepository;
  organization: GitHubUser;
  installation: InstallationRef;
  sender: GitHubUser;
}

export interface DeploymentStatusPayload {
  action: "created";
  deployment_status: {
    id: number;
    state: "success" | "failure";
    environment: DeploymentEnvironment;
    description: string;
    target_url: string;
    creator: GitHubUser;
    created_at: string;
    updated_at: string;
  };
  deployment: GitHubDeployment;
  repository: GitHubRepository;
  organization: GitHubUser;
  installation: InstallationRef;
  sender: GitHubUser;
}

interface DeliveryBase {
  /** Deterministic, shaped like the X-GitHub-Delivery UUID. */
  id: string;
  /** ISO 8601 UTC. Deliveries are ordered by this. */
  receivedAt: string;
}

export type DemoDelivery =
  | (DeliveryBase & { event: "push"; payload: PushPayload })
  | (DeliveryBase & { event: "pull_request"; payload: PullRequestPayload })
  | (DeliveryBase & { event: "pull_request_review"; payload: PullRequestReviewPayload })
  | (DeliveryBase & { event: "deployment"; payload: DeploymentPayload })
  | (DeliveryBase & { event: "deployment_status"; payload: DeploymentStatusPayload });

export type DemoEventName = DemoDelivery["event"];

export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601 with the original offset, as in the labelled corpus. */
  date: string;
}

export interface GitHubCommitFile {
  filename: string;
  status: "added" | "modified" | "removed";
  additions: number;
  deletions: number;
  changes: number;
  /** Hunks from the first "@@", no diff header. Absent only when the file has no line changes. */
  patch?: string;
}

/** GitHub's REST "get a commit" response (GET /repos/{owner}/{repo}/commits/{sha}), trimmed to what Sentinel reads. */
export interface GitHubCommitResponse {
  sha: string;
  html_url: string;
  commit: {
    author: GitPerson;
    committer: GitPerson;
    message: string;
    tree: { sha: string };
  };
  author: GitHubUser | null;
  committer: GitHubUser | null;
  parents: { sha: string; html_url: string }[];
  stats: { additions: number; deletions: number; total: number };
  files: GitHubCommitFile[];
}

export type Severity = "sev1" | "sev2" | "sev3";

export interface DemoIncident {
  id: string;
  repoFullName: string;
  title: string;
  severity: Severity;
  startedAt: string;
  resolvedAt: string;
  /** Production deployment after which the incident began. */
  deploymentId: number;
  suspectedCommitShas: string[];
  resolution: "hotfix" | "rollback";
}

export type AiTool = "claude-code" | "cursor" | "cursor-agent" | "copilot-agent" | "codex";

/**
 * What the generator knows and a detector has to work out. Seeding must not feed this into
 * detection; it exists so tests (and a demo "how good is detection here" view) can compare.
 */
export interface DemoCommitTruth {
  repoFullName: string;
  aiAssisted: boolean;
  tool: AiTool | null;
  /** The commit itself (author, message) carries a marker from docs/detection.md. */
  marked: boolean;
  merge: boolean;
  /** The branch the commit was first pushed to. */
  branch: string;
}

export interface DemoDataset {
  seed: number;
  window: { start: string; end: string; days: number };
  account: DemoAccount;
  repositories: GitHubRepository[];
  members: DemoMember[];
  deliveries: DemoDelivery[];
  /** Every commit referenced by a push delivery, in the order they were created. */
  commits: GitHubCommitResponse[];
  incidents: DemoIncident[];
  groundTruth: { commits: Record<string, DemoCommitTruth> };
}

export interface GenerateDemoDatasetInput {
  seed: number;
  now: Date;
  /** Length of the window ending at `now`. Default 90. */
  days?: number;
}
