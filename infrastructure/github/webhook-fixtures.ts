import { randomUUID } from "node:crypto";
import { signWebhookBody } from "../ingest/webhook-receiver.ts";
import { pushCommitOf, type GitHubCommitRecord } from "./corpus-fixture.ts";

/**
 * Webhook payloads shaped like GitHub's (and @octokit/webhooks-examples'), trimmed to realistic but small
 * objects, plus a signer. For tests and the benchmark.
 */

export interface FixtureAccount {
  id: number;
  login: string;
  type?: "Organization" | "User";
}

export interface FixtureRepository {
  id: number;
  full_name: string;
  default_branch?: string;
  private?: boolean;
}

function account(value: FixtureAccount) {
  return {
    login: value.login,
    id: value.id,
    node_id: `MDEyOk9yZ2FuaXphdGlvbj${value.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${value.id}?v=4`,
    type: value.type ?? "Organization",
    site_admin: false,
  };
}

function repository(value: FixtureRepository, owner: FixtureAccount) {
  const [, name] = value.full_name.split("/");
  return {
    id: value.id,
    node_id: `R_${value.id}`,
    name,
    full_name: value.full_name,
    private: value.private ?? true,
    owner: account(owner),
    html_url: `https://github.com/${value.full_name}`,
    default_branch: value.default_branch ?? "main",
    master_branch: value.default_branch ?? "main",
    created_at: 1_700_000_000,
    pushed_at: 1_760_000_000,
  };
}

const sender = { login: "octocat", id: 583231, node_id: "MDQ6VXNlcjU4MzIzMQ==", type: "User", site_admin: false };

export function installationPayload(action: "created" | "deleted" | "suspend" | "unsuspend", installationId: number, owner: FixtureAccount, repos: FixtureRepository[]) {
  return {
    action,
    installation: {
      id: installationId,
      account: account(owner),
      repository_selection: "selected",
      app_id: 1,
      app_slug: "sentinel-test",
      target_id: owner.id,
      target_type: owner.type ?? "Organization",
      permissions: { contents: "read", metadata: "read", pull_requests: "read", deployments: "read" },
      events: ["push", "pull_request", "pull_request_review", "deployment", "deployment_status"],
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    },
    repositories: repos.map((repo) => ({ id: repo.id, node_id: `R_${repo.id}`, name: repo.full_name.split("/")[1], full_name: repo.full_name, private: repo.private ?? true })),
    requester: null,
    sender,
  };
}

export function installationRepositoriesPayload(action: "added" | "removed", installationId: number, owner: FixtureAccount, repos: FixtureRepository[]) {
  const list = repos.map((repo) => ({ id: repo.id, node_id: `R_${repo.id}`, name: repo.full_name.split("/")[1], full_name: repo.full_name, private: repo.private ?? true }));
  return {
    action,
    installation: { id: installationId, account: account(owner), repository_selection: "selected", app_id: 1 },
    repository_selection: "selected",
    repositories_added: action === "added" ? list : [],
    repositories_removed: action === "removed" ? list : [],
    requester: null,
    sender,
  };
}

/** A push of `records` (oldest first) onto `branch`; `before` defaults to the first record's parent. */
export function pushPayload(options: {
  installationId: number;
  owner: FixtureAccount;
  repo: FixtureRepository;
  records: GitHubCommitRecord[];
  branch?: string;
  before?: string;
}) {
  const branch = options.branch ?? options.repo.default_branch ?? "main";
  const last = options.records.at(-1);
  const commits = options.records.map(pushCommitOf);
  return {
    ref: `refs/heads/${branch}`,
    before: options.before ?? options.records[0]?.parents[0]?.sha ?? "0".repeat(40),
    after: last?.sha ?? "0".repeat(40),
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/${options.repo.full_name}/compare`,
    commits,
    head_commit: commits.at(-1) ?? null,
    repository: repository(options.repo, options.owner),
    pusher: { name: "octocat", email: "octocat@github.com" },
    sender,
    installation: { id: options.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" },
  };
}

export function pullRequestPayload(options: {
  action: string;
  installationId: number;
  owner: FixtureAccount;
  repo: FixtureRepository;
  number: number;
  headRef: string;
  headSha: string;
  body?: string;
  merged?: boolean;
  /** When the PR was opened; default 2026-03-01T10:00:00Z. */
  createdAt?: string;
  /** When this action happened (updated_at, and closed_at / merged_at when closing); default 2026-03-01T12:00:00Z. */
  updatedAt?: string;
  mergeCommitSha?: string;
}) {
  const closed = options.action === "closed";
  const updatedAt = options.updatedAt ?? "2026-03-01T12:00:00Z";
  return {
    action: options.action,
    number: options.number,
    pull_request: {
      id: 1_000_000 + options.number,
      number: options.number,
      state: closed ? "closed" : "open",
      title: `Change ${options.number}`,
      body: options.body ?? null,
      draft: false,
      merged: closed ? (options.merged ?? false) : false,
      user: { login: "octocat", id: 583231, type: "User" },
      head: { ref: options.headRef, sha: options.headSha, label: `octo:${options.headRef}` },
      base: { ref: options.repo.default_branch ?? "main", sha: "a".repeat(40), label: "octo:main" },
      created_at: options.createdAt ?? "2026-03-01T10:00:00Z",
      updated_at: updatedAt,
      closed_at: closed ? updatedAt : null,
      merged_at: closed && options.merged ? updatedAt : null,
      merge_commit_sha: closed && options.merged ? (options.mergeCommitSha ?? "b".repeat(40)) : null,
    },
    repository: repository(options.repo, options.owner),
    sender,
    installation: { id: options.installationId },
  };
}

/** A review submitted on a pull request (the PR as in `pullRequestPayload`, still open). */
export function pullRequestReviewPayload(options: {
  installationId: number;
  owner: FixtureAccount;
  repo: FixtureRepository;
  number: number;
  headRef: string;
  headSha: string;
  reviewId: number;
  reviewer: FixtureAccount;
  state?: "approved" | "commented" | "changes_requested";
  /** The PR's body, as GitHub repeats the whole pull request in every review delivery. */
  body?: string;
  createdAt?: string;
  submittedAt: string;
}) {
  const pr = pullRequestPayload({ ...options, action: "opened", updatedAt: options.submittedAt });
  return {
    action: "submitted",
    review: {
      id: options.reviewId,
      user: { login: options.reviewer.login, id: options.reviewer.id, type: "User" },
      body: null,
      state: options.state ?? "approved",
      submitted_at: options.submittedAt,
      commit_id: options.headSha,
    },
    pull_request: pr.pull_request,
    repository: pr.repository,
    sender: { ...sender, login: options.reviewer.login, id: options.reviewer.id },
    installation: { id: options.installationId },
  };
}

function deploymentObject(options: { deploymentId: number; sha: string; ref?: string; environment: string; createdAt: string }) {
  return {
    id: options.deploymentId,
    node_id: `DE_${options.deploymentId}`,
    sha: options.sha,
    ref: options.ref ?? "main",
    task: "deploy",
    environment: options.environment,
    production_environment: /^prod/i.test(options.environment),
    created_at: options.createdAt,
    updated_at: options.createdAt,
    creator: { login: "deploy-bot", id: 424242, type: "Bot" },
  };
}

/** `deployment` created. */
export function deploymentPayload(options: {
  installationId: number;
  owner: FixtureAccount;
  repo: FixtureRepository;
  deploymentId: number;
  sha: string;
  ref?: string;
  environment?: string;
  createdAt: string;
}) {
  return {
    action: "created",
    deployment: deploymentObject({ ...options, environment: options.environment ?? "production" }),
    repository: repository(options.repo, options.owner),
    sender,
    installation: { id: options.installationId },
  };
}

/** `deployment_status` created: the deployment moved to `state` at `at`. */
export function deploymentStatusPayload(options: {
  installationId: number;
  owner: FixtureAccount;
  repo: FixtureRepository;
  deploymentId: number;
  statusId: number;
  sha: string;
  ref?: string;
  environment?: string;
  createdAt: string;
  state: "queued" | "in_progress" | "success" | "failure" | "error" | "inactive";
  at: string;
}) {
  const environment = options.environment ?? "production";
  return {
    action: "created",
    deployment_status: { id: options.statusId, state: options.state, environment, created_at: options.at, updated_at: options.at },
    deployment: deploymentObject({ ...options, environment }),
    repository: repository(options.repo, options.owner),
    sender,
    installation: { id: options.installationId },
  };
}

export interface SignedDelivery {
  deliveryId: string;
  event: string;
  body: string;
  headers: Record<string, string>;
}

export function signDelivery(secret: string, event: string, payload: unknown, deliveryId: string = randomUUID()): SignedDelivery {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return {
    deliveryId,
    event,
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/abc1234",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-github-hook-id": "1",
      "x-github-hook-installation-target-type": "integration",
      "x-hub-signature-256": signWebhookBody(secret, body),
    },
  };
}

export function webhookRequest(delivery: { body: string | Uint8Array; headers: Record<string, string> }, url = "http://localhost/api/webhooks/github"): Request {
  return new Request(url, { method: "POST", headers: delivery.headers, body: delivery.body as BodyInit });
}
