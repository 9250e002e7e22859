import { agentBranchTool, findMarkerLines } from "../detection/markers.ts";
import { z } from "zod";
import type { CodeEventType } from "./event-types.ts";
import {
  deploymentPayloadSchema,
  deploymentStatusPayloadSchema,
  installationPayloadSchema,
  installationRepositoriesPayloadSchema,
  parseWebhookPayload,
  pullRequestPayloadSchema,
  pushPayloadSchema,
  reviewPayloadSchema,
  type DeploymentPayload,
  type DeploymentStatusPayload,
  type GithubDeployment,
  type GithubInstallationRepository,
  type GithubPullRequest,
  type GithubRepository,
  type InstallationPayload,
  type InstallationRepositoriesPayload,
  type PullRequestPayload,
  type PushPayload,
  type ReviewPayload,
} from "./webhook-payloads.ts";

/**
 * Turns one GitHub webhook delivery into a plan of writes: which code events to append, which current-state
 * rows (pull requests, deployments, installations) to upsert, and which commits to analyse. Pure: the worker
 * applies the plan in one transaction, so a crash midway leaves nothing half-written.
 *
 * The payloads' schemas live in webhook-payloads.ts.
 */

export type { CodeEventType };

export interface CodeEventDraft {
  type: CodeEventType;
  /** Unique within the repository: replaying the delivery appends nothing. */
  eventKey: string;
  commitSha: string | null;
  prNumber: number | null;
  branch: string | null;
  actor: string | null;
  timestamp: string;
  payload: Record<string, unknown>;
}

export interface RepositoryRef {
  githubId: number;
  fullName: string;
  defaultBranch: string | null;
  isPrivate: boolean | null;
}

export interface CommitDraft {
  sha: string;
  branch: string;
  onDefaultBranch: boolean;
  authorName: string;
  authorEmail: string;
  authorLogin: string | null;
  authoredAt: string;
  /** Minutes east of UTC from the commit's own timestamp: time of day is judged in the author's zone. */
  authoredOffsetMinutes: number | null;
  messageHeadline: string;
}

export interface PullRequestDraft {
  number: number;
  githubId: number;
  title: string;
  body: string | null;
  authorLogin: string | null;
  headRef: string;
  headSha: string;
  baseRef: string;
  state: "open" | "closed" | "merged";
  draft: boolean;
  openedAt: string;
  readyForReviewAt: string | null;
  mergedAt: string | null;
  closedAt: string | null;
  mergeCommitSha: string | null;
  /** Agent markers in the PR's branch or body: when present, the PR's commits are re-scored with them. */
  aiMarkers: string[];
  reviewSubmittedAt: string | null;
  reviewerLogin: string | null;
}

export interface DeploymentDraft {
  githubId: number;
  sha: string;
  ref: string | null;
  environment: string;
  isProduction: boolean;
  createdAt: string;
  creatorLogin: string | null;
  status: "pending" | "queued" | "in_progress" | "success" | "failure" | "error" | "inactive" | null;
  statusAt: string | null;
}

export type InstallationAction = "created" | "deleted" | "suspend" | "unsuspend";

export type WebhookPlan =
  | { kind: "ignored"; reason: string }
  /** A GitHub team, a team's members or the organisation's members changed: sync the installation's teams (ADR 076). */
  | { kind: "teams_changed"; installationId: number; event: string }
  | {
      kind: "installation";
      action: InstallationAction;
      installationId: number;
      account: { id: number; login: string; type: string };
      repositorySelection: string | null;
      installedByGithubId: number | null;
      repositories: RepositoryRef[];
    }
  | {
      kind: "installation_repositories";
      installationId: number;
      account: { id: number; login: string; type: string };
      added: RepositoryRef[];
      removed: RepositoryRef[];
    }
  | {
      kind: "activity";
      installationId: number | null;
      repository: RepositoryRef;
      events: CodeEventDraft[];
      commits: CommitDraft[];
      pullRequest: PullRequestDraft | null;
      deployment: DeploymentDraft | null;
      /** The push listed the most commits GitHub sends (2048): fetch the rest between these through the compare API. */
      compareRange: CompareRange | null;
    };

/** A push cut short at GitHub's 2048-commit limit: the rest is read between these two shas. */
export interface CompareRange {
  before: string;
  after: string;
  branch: string;
  onDefaultBranch: boolean;
}

/** GitHub lists at most this many commits in one push payload. */
export const PUSH_COMMIT_LIMIT = 2048;
const MAX_BODY_CHARS = 20_000;

function repositoryRef(repo: GithubRepository | GithubInstallationRepository): RepositoryRef {
  return {
    githubId: repo.id,
    fullName: repo.full_name,
    defaultBranch: "default_branch" in repo && typeof repo.default_branch === "string" ? repo.default_branch : null,
    isPrivate: typeof repo.private === "boolean" ? repo.private : null,
  };
}

/** "+05:30" → 330, "Z" → 0, none → null. */
export function utcOffsetMinutes(iso: string): number | null {
  const match = /(Z|[+-]\d{2}:?\d{2})$/.exec(iso.trim());
  if (!match) return null;
  if (match[1] === "Z") return 0;
  const raw = match[1]!.replace(":", "");
  const sign = raw.startsWith("-") ? -1 : 1;
  return sign * (Number(raw.slice(1, 3)) * 60 + Number(raw.slice(3, 5)));
}

function headline(message: string): string {
  return (message.split("\n", 1)[0] ?? "").slice(0, 300);
}

export function pullRequestAgentMarkers(branch: string | null, body: string | null): string[] {
  const markers = new Set<string>();
  const tool = agentBranchTool(branch);
  if (tool) markers.add(`branch:${tool}`);
  for (const match of findMarkerLines(body ?? "", "pr")) markers.add(`pr-body:${match.signal.id}`);
  return [...markers].sort();
}

function pullRequestDraft(pr: GithubPullRequest, review: { at: string | null; reviewer: string | null }): PullRequestDraft {
  const merged = pr.merged === true || Boolean(pr.merged_at);
  const body = pr.body ? pr.body.slice(0, MAX_BODY_CHARS) : null;
  return {
    number: pr.number,
    githubId: pr.id,
    title: pr.title.slice(0, 500),
    body,
    authorLogin: pr.user?.login ?? null,
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    baseRef: pr.base.ref,
    state: merged ? "merged" : pr.state,
    draft: pr.draft,
    openedAt: pr.created_at,
    readyForReviewAt: pr.draft ? null : pr.created_at,
    mergedAt: pr.merged_at ?? null,
    closedAt: pr.closed_at ?? null,
    mergeCommitSha: merged ? (pr.merge_commit_sha ?? null) : null,
    aiMarkers: pullRequestAgentMarkers(pr.head.ref, body),
    reviewSubmittedAt: review.at,
    reviewerLogin: review.reviewer,
  };
}

type ActivityPlan = Extract<WebhookPlan, { kind: "activity" }>;
/** What a code event says about itself; where it happened (commit, pull request, branch) comes from its subject. */
type EventDetails = Pick<CodeEventDraft, "type" | "eventKey" | "actor" | "timestamp" | "payload">;

/** A delivery about one thing (a pull request, a review, a deployment): one code event and that thing's row. */
function singleEventPlan(
  payload: { installation?: { id: number }; repository: GithubRepository },
  event: CodeEventDraft,
  rows: { pullRequest: PullRequestDraft } | { deployment: DeploymentDraft },
): ActivityPlan {
  return {
    kind: "activity",
    installationId: payload.installation?.id ?? null,
    repository: repositoryRef(payload.repository),
    events: [event],
    commits: [],
    pullRequest: "pullRequest" in rows ? rows.pullRequest : null,
    deployment: "deployment" in rows ? rows.deployment : null,
    compareRange: null,
  };
}

/** An event on a pull request: on its number and head branch. */
function pullRequestEvent(pr: GithubPullRequest, commitSha: string | null, details: EventDetails): CodeEventDraft {
  const { type, eventKey, actor, timestamp, payload } = details;
  return { type, eventKey, commitSha, prNumber: pr.number, branch: pr.head.ref, actor, timestamp, payload };
}

/** An event on a deployment: on its commit and ref, by its creator. */
function deploymentEvent(value: GithubDeployment, details: Omit<EventDetails, "actor">): CodeEventDraft {
  const { type, eventKey, timestamp, payload } = details;
  return { type, eventKey, commitSha: value.sha, prNumber: null, branch: value.ref ?? null, actor: value.creator?.login ?? null, timestamp, payload };
}

const PULL_REQUEST_EVENT_TYPES: Record<string, CodeEventType> = {
  opened: "pr_opened",
  reopened: "pr_updated",
  edited: "pr_updated",
  synchronize: "pr_updated",
  converted_to_draft: "pr_updated",
  ready_for_review: "pr_ready_for_review",
  review_requested: "pr_review_requested",
};

const DEPLOYMENT_STATES = new Set(["pending", "queued", "in_progress", "success", "failure", "error", "inactive"]);

export function isProductionEnvironment(environment: string, flag?: boolean): boolean {
  return flag === true || /^(prod|production|live)([-_ ].*)?$/i.test(environment.trim());
}

export function planWebhookIngestion(event: string, payload: unknown, deliveryId: string): WebhookPlan {
  switch (event) {
    case "ping":
      return { kind: "ignored", reason: "ping" };
    case "push":
      return planPush(parseWebhookPayload(event, pushPayloadSchema, payload));
    case "pull_request":
      return planPullRequest(parseWebhookPayload(event, pullRequestPayloadSchema, payload), deliveryId);
    case "pull_request_review":
      return planReview(parseWebhookPayload(event, reviewPayloadSchema, payload));
    case "deployment":
      return planDeployment(parseWebhookPayload(event, deploymentPayloadSchema, payload));
    case "deployment_status":
      return planDeploymentStatus(parseWebhookPayload(event, deploymentStatusPayloadSchema, payload));
    case "installation":
      return planInstallation(parseWebhookPayload(event, installationPayloadSchema, payload));
    case "installation_repositories":
      return planInstallationRepositories(parseWebhookPayload(event, installationRepositoriesPayloadSchema, payload));
    case "membership":
    case "team":
    case "organization":
      return planTeamsChanged(event, parseWebhookPayload(event, teamsChangedPayloadSchema, payload));
    default:
      return { kind: "ignored", reason: `event "${event}" is not used by Sentinel` };
  }
}

function planPush(push: PushPayload): WebhookPlan {
  if (!push.ref.startsWith("refs/heads/")) return { kind: "ignored", reason: `push to ${push.ref} (not a branch)` };
  if (push.deleted) return { kind: "ignored", reason: `branch ${push.ref} deleted` };
  const branch = push.ref.slice("refs/heads/".length);
  const repo = repositoryRef(push.repository);
  const onDefaultBranch = repo.defaultBranch !== null && branch === repo.defaultBranch;
  // Non-distinct commits were already pushed to another branch: they are recorded once, from that push.
  const distinct = push.commits.filter((commit) => commit.distinct);
  const commits: CommitDraft[] = distinct.map((commit) => ({
    sha: commit.id.toLowerCase(),
    branch,
    onDefaultBranch,
    authorName: commit.author.name,
    authorEmail: commit.author.email,
    authorLogin: commit.author.username ?? null,
    authoredAt: commit.timestamp,
    authoredOffsetMinutes: utcOffsetMinutes(commit.timestamp),
    messageHeadline: headline(commit.message),
  }));
  const events: CodeEventDraft[] = distinct.map((commit) => ({
    type: "commit",
    eventKey: `commit/${commit.id.toLowerCase()}`,
    commitSha: commit.id.toLowerCase(),
    prNumber: null,
    branch,
    actor: commit.author.username ?? commit.author.name,
    timestamp: commit.timestamp,
    payload: {
      message: headline(commit.message),
      author: { name: commit.author.name, email: commit.author.email, username: commit.author.username ?? null },
      filesAdded: commit.added.length,
      filesRemoved: commit.removed.length,
      filesModified: commit.modified.length,
      forced: push.forced,
    },
  }));
  return {
    kind: "activity",
    installationId: push.installation?.id ?? null,
    repository: repo,
    events,
    commits,
    pullRequest: null,
    deployment: null,
    compareRange: push.commits.length >= PUSH_COMMIT_LIMIT ? { before: push.before, after: push.after, branch, onDefaultBranch } : null,
  };
}

function planPullRequest(payload: PullRequestPayload, deliveryId: string): WebhookPlan {
  const pr = payload.pull_request;
  let type: CodeEventType | undefined = PULL_REQUEST_EVENT_TYPES[payload.action];
  let eventKey = `pr/${pr.number}/${payload.action}/${deliveryId}`;
  let timestamp = pr.updated_at ?? pr.created_at;
  if (payload.action === "opened") {
    eventKey = `pr/${pr.number}/opened`;
    timestamp = pr.created_at;
  } else if (payload.action === "closed") {
    const merged = pr.merged === true || Boolean(pr.merged_at);
    type = merged ? "pr_merged" : "pr_closed";
    timestamp = (merged ? pr.merged_at : pr.closed_at) ?? timestamp;
    eventKey = `pr/${pr.number}/${merged ? "merged" : `closed/${timestamp}`}`;
  }
  if (!type) return { kind: "ignored", reason: `pull_request action "${payload.action}" is not used by Sentinel` };
  const draft = pullRequestDraft(pr, { at: null, reviewer: null });
  if (payload.action === "ready_for_review") draft.readyForReviewAt = timestamp;
  const event = pullRequestEvent(pr, pr.head.sha, {
    type,
    eventKey,
    actor: payload.sender?.login ?? pr.user?.login ?? null,
    timestamp,
    payload: {
      action: payload.action,
      title: draft.title,
      draft: pr.draft,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      merged: draft.state === "merged",
      aiMarkers: draft.aiMarkers,
    },
  });
  return singleEventPlan(payload, event, { pullRequest: draft });
}

/** "Approved with no comment" is an approval whose review said nothing: GitHub sends an empty body as null or "". */
function hasReviewBody(review: Record<string, unknown>): boolean {
  return typeof review.body === "string" && review.body.trim() !== "";
}

function planReview(payload: ReviewPayload): WebhookPlan {
  if (payload.action !== "submitted" && payload.action !== "dismissed") {
    return { kind: "ignored", reason: `pull_request_review action "${payload.action}" is not used by Sentinel` };
  }
  const pr = payload.pull_request;
  const review = payload.review;
  const submittedAt = review.submitted_at ?? pr.updated_at ?? pr.created_at;
  const reviewer = review.user?.login ?? null;
  // A comment by the PR's own author is not a review pickup.
  const countsAsPickup = payload.action === "submitted" && reviewer !== null && reviewer !== pr.user?.login;
  const event = pullRequestEvent(pr, null, {
    type: "pr_review",
    eventKey: `pr/${pr.number}/review/${review.id}/${payload.action}`,
    actor: reviewer,
    timestamp: submittedAt,
    // reviewId and commented feed the PR's review counts (apply-webhook-plan.ts, countReview); byAuthor says it is none.
    payload: { action: payload.action, state: review.state.toLowerCase(), reviewer, reviewId: review.id, commented: hasReviewBody(review), byAuthor: reviewer !== null && reviewer === pr.user?.login },
  });
  const pickup = countsAsPickup ? { at: submittedAt, reviewer } : { at: null, reviewer: null };
  return singleEventPlan(payload, event, { pullRequest: pullRequestDraft(pr, pickup) });
}

function deploymentDraft(
  value: GithubDeployment,
  status: { state: string; at: string } | null,
): DeploymentDraft {
  const state = status && DEPLOYMENT_STATES.has(status.state) ? (status.state as DeploymentDraft["status"]) : null;
  return {
    githubId: value.id,
    sha: value.sha,
    ref: value.ref ?? null,
    environment: value.environment,
    isProduction: isProductionEnvironment(value.environment, value.production_environment),
    createdAt: value.created_at,
    creatorLogin: value.creator?.login ?? null,
    status: state,
    statusAt: status?.at ?? null,
  };
}

function planDeployment(payload: DeploymentPayload): WebhookPlan {
  if (payload.action !== "created") return { kind: "ignored", reason: `deployment action "${payload.action}" is not used by Sentinel` };
  const value = payload.deployment;
  const event = deploymentEvent(value, {
    type: "deployment",
    eventKey: `deployment/${value.id}`,
    timestamp: value.created_at,
    payload: { environment: value.environment, ref: value.ref ?? null },
  });
  return singleEventPlan(payload, event, { deployment: deploymentDraft(value, null) });
}

function planDeploymentStatus(payload: DeploymentStatusPayload): WebhookPlan {
  const status = payload.deployment_status;
  const value = payload.deployment;
  const state = status.state.toLowerCase();
  const event = deploymentEvent(value, {
    type: "deployment_status",
    eventKey: `deployment/${value.id}/status/${status.id}`,
    timestamp: status.created_at,
    payload: { environment: status.environment ?? value.environment, state },
  });
  return singleEventPlan(payload, event, { deployment: deploymentDraft(value, { state, at: status.created_at }) });
}

/** `membership`, `team` and `organization` deliveries: only the installation matters, the sync reads the rest from GitHub. */
const teamsChangedPayloadSchema = z.object({ action: z.string(), installation: z.object({ id: z.number().int() }).passthrough().optional() }).passthrough();

/** The actions that change who is in which team or in the organisation; `delivery-relevance.ts` lists the same. */
export const TEAMS_CHANGED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  membership: ["added", "removed"],
  team: ["created", "deleted", "edited"],
  organization: ["member_added", "member_removed"],
};

function planTeamsChanged(event: string, payload: z.infer<typeof teamsChangedPayloadSchema>): WebhookPlan {
  if (!TEAMS_CHANGED_ACTIONS[event]?.includes(payload.action)) return { kind: "ignored", reason: `${event} action "${payload.action}" is not used by Sentinel` };
  // An organisation webhook (not the App's) names no installation: there is no organisation of Sentinel's to sync.
  if (payload.installation === undefined) return { kind: "ignored", reason: `${event} delivery without an installation (not from the GitHub App)` };
  return { kind: "teams_changed", installationId: payload.installation.id, event };
}

function planInstallation(payload: InstallationPayload): WebhookPlan {
  const actions: Record<string, InstallationAction> = {
    created: "created",
    deleted: "deleted",
    suspend: "suspend",
    unsuspend: "unsuspend",
  };
  const action = actions[payload.action];
  if (!action) return { kind: "ignored", reason: `installation action "${payload.action}" is not used by Sentinel` };
  return {
    kind: "installation",
    action,
    installationId: payload.installation.id,
    account: { id: payload.installation.account.id, login: payload.installation.account.login, type: payload.installation.account.type },
    repositorySelection: payload.installation.repository_selection ?? null,
    installedByGithubId: payload.sender?.id ?? null,
    repositories: (payload.repositories ?? []).map(repositoryRef),
  };
}

function planInstallationRepositories(payload: InstallationRepositoriesPayload): WebhookPlan {
  if (payload.action !== "added" && payload.action !== "removed") {
    return { kind: "ignored", reason: `installation_repositories action "${payload.action}" is not used by Sentinel` };
  }
  return {
    kind: "installation_repositories",
    installationId: payload.installation.id,
    account: { id: payload.installation.account.id, login: payload.installation.account.login, type: payload.installation.account.type },
    added: payload.repositories_added.map(repositoryRef),
    removed: payload.repositories_removed.map(repositoryRef),
  };
}
