import type { CodeEventDraft, CommitDraft, RepositoryRef, WebhookPlan } from "./webhook-plan.ts";
import { utcOffsetMinutes } from "./webhook-plan.ts";

/**
 * History that does not arrive as a push delivery — the rest of a push cut at 2048 commits (compare API), a
 * backfill of the default branch (list commits API), a local clone (`sentinel import`) — becomes the same
 * activity plan a push would have produced, so it takes the same write path and the same unique keys: importing
 * a commit that a push already recorded adds nothing.
 */

export interface HistoryCommit {
  sha: string;
  authorName: string;
  authorEmail: string;
  authorLogin: string | null;
  /** ISO 8601 with the author's own offset when known. */
  authoredAt: string;
  message: string;
  parentCount: number;
}

/** The commit object of GitHub's list-commits and compare responses (only what Sentinel reads). */
export interface GitHubListedCommit {
  sha: string;
  commit: { author: { name?: string | null; email?: string | null; date?: string | null } | null; message: string };
  author?: { login?: string | null } | null;
  parents?: unknown[];
}

export function fromGitHubListedCommit(listed: GitHubListedCommit): HistoryCommit {
  return {
    sha: listed.sha.toLowerCase(),
    authorName: listed.commit.author?.name ?? "",
    authorEmail: listed.commit.author?.email ?? "",
    authorLogin: listed.author?.login ?? null,
    authoredAt: listed.commit.author?.date ?? new Date(0).toISOString(),
    message: listed.commit.message,
    parentCount: listed.parents?.length ?? 1,
  };
}

function headline(message: string): string {
  return (message.split("\n", 1)[0] ?? "").slice(0, 300);
}

export function planHistoryImport(input: {
  repository: RepositoryRef;
  installationId: number | null;
  branch: string;
  onDefaultBranch: boolean;
  commits: HistoryCommit[];
  /** Recorded in each event's payload: "compare", "backfill" or "import". */
  origin: string;
}): Extract<WebhookPlan, { kind: "activity" }> {
  // Merges are skipped like the push planner's non-distinct commits: their changes belong to the merged commits.
  const kept = input.commits.filter((commit) => commit.parentCount <= 1);
  const commits: CommitDraft[] = kept.map((commit) => ({
    sha: commit.sha,
    branch: input.branch,
    onDefaultBranch: input.onDefaultBranch,
    authorName: commit.authorName,
    authorEmail: commit.authorEmail,
    authorLogin: commit.authorLogin,
    authoredAt: commit.authoredAt,
    authoredOffsetMinutes: utcOffsetMinutes(commit.authoredAt),
    messageHeadline: headline(commit.message),
  }));
  const events: CodeEventDraft[] = kept.map((commit) => ({
    type: "commit",
    eventKey: `commit/${commit.sha}`,
    commitSha: commit.sha,
    prNumber: null,
    branch: input.branch,
    actor: commit.authorLogin ?? commit.authorName,
    timestamp: commit.authoredAt,
    payload: {
      message: headline(commit.message),
      author: { name: commit.authorName, email: commit.authorEmail, username: commit.authorLogin },
      origin: input.origin,
    },
  }));
  return {
    kind: "activity",
    installationId: input.installationId,
    repository: input.repository,
    events,
    commits,
    pullRequest: null,
    deployment: null,
    compareRange: null,
  };
}
