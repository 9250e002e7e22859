import { agentBranchTool, agentOfIdentity, findMarkerLines } from "./markers.ts";
import type { GitIdentity, NormalisedCommit, PullRequestContext } from "./types.ts";

/**
 * Removes every explicit agent marker (the same tables the detector uses), to measure what the other signals
 * catch: marker lines of the message and PR body, Aider's prefix and name suffix, agent branch names,
 * line-level records; agent authors and committers become the first human co-author named in the message,
 * or a neutral human-looking identity.
 */

export const NEUTRAL_IDENTITY = { name: "Sam Taylor", email: "sam.taylor@example.com" } as const;

const COAUTHOR = /^co-authored-by:\s*(.*?)\s*<([^>]*)>\s*$/i;

function removeLines(text: string, lines: ReadonlySet<number>): string {
  return text
    .split("\n")
    .filter((_, index) => !lines.has(index))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function firstHumanCoauthor(message: string): { name: string; email: string } | null {
  for (const line of message.split("\n")) {
    const match = COAUTHOR.exec(line.trim());
    if (!match) continue;
    const name = match[1] ?? "";
    const email = match[2] ?? "";
    if (!agentOfIdentity(name, email) && !name.toLowerCase().endsWith("[bot]") && name.length > 0) return { name, email };
  }
  return null;
}

function humanise(identity: GitIdentity, replacement: { name: string; email: string }): GitIdentity {
  if (!agentOfIdentity(identity.name, identity.email)) return identity;
  const aiderSuffix = / \(aider\)$/;
  if (aiderSuffix.test(identity.name) && !agentOfIdentity("", identity.email)) {
    return { ...identity, name: identity.name.replace(aiderSuffix, "") };
  }
  return { ...identity, name: replacement.name, email: replacement.email };
}

function stripText(text: string, where: "message" | "pr"): string {
  const marked = new Set(findMarkerLines(text, where).filter((match) => match.signal.id !== "aider-message-prefix").map((match) => match.line));
  const cleaned = removeLines(text, marked);
  return where === "message" ? cleaned.replace(/^aider: /, "") : cleaned;
}

export function stripMarkers(commit: NormalisedCommit): NormalisedCommit {
  const replacement = firstHumanCoauthor(commit.message) ?? NEUTRAL_IDENTITY;
  const pullRequest: PullRequestContext | null = commit.pullRequest
    ? { title: stripText(commit.pullRequest.title, "pr"), body: stripText(commit.pullRequest.body, "pr") }
    : null;
  return {
    ...commit,
    message: stripText(commit.message, "message"),
    author: humanise(commit.author, replacement),
    committer: humanise(commit.committer, replacement),
    branch: agentBranchTool(commit.branch) ? null : commit.branch,
    pullRequest,
    lineRecords: [],
  };
}
