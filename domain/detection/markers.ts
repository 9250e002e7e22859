import type { GitIdentity, LineRecord, NormalisedCommit, PullRequestContext, Signal } from "./types.ts";

/**
 * Explicit marks that AI coding tools leave in git (ADR 010 lists them with their weights).
 *
 * Identities are matched on email addresses, GitHub numeric bot ids and `[bot]` logins, never on first
 * names: "Claude", "Devin", "Jules" and "Cody" are people too; "cursor", "codex" and "continue" are words.
 * The same tables drive `stripMarkers`, so what the detector calls a marker is exactly what eval removes.
 */

const AGENT_EMAILS: Record<string, string> = {
  "noreply@anthropic.com": "Claude Code",
  "claude@anthropic.com": "Claude Code",
  "copilot@github.com": "GitHub Copilot",
  "noreply@openai.com": "OpenAI Codex",
  "codex@openai.com": "OpenAI Codex",
  "cursoragent@cursor.com": "Cursor",
  "aider@aider.chat": "Aider",
  "noreply@aider.chat": "Aider",
  "amp@ampcode.com": "Amp",
  "openhands@all-hands.dev": "OpenHands",
  "crush@charm.land": "Crush",
  "noreply@opencode.ai": "OpenCode",
};

/** GitHub user ids of agent accounts, as they appear in `<id>+<login>@users.noreply.github.com`. */
const AGENT_GITHUB_IDS: Record<string, string> = {
  "198982749": "GitHub Copilot coding agent",
  "175728472": "GitHub Copilot",
  "158243242": "Devin",
  "176961590": "Gemini",
};

const AGENT_BOT_LOGINS: Record<string, string> = {
  "claude[bot]": "Claude Code",
  "claude-code-action[bot]": "Claude Code",
  "copilot-swe-agent[bot]": "GitHub Copilot coding agent",
  "chatgpt-codex-connector[bot]": "OpenAI Codex",
  "openai-codex[bot]": "OpenAI Codex",
  "devin-ai-integration[bot]": "Devin",
  "google-labs-jules[bot]": "Google Jules",
  "cursor[bot]": "Cursor",
  "gemini-code-assist[bot]": "Gemini",
  "amazon-q-developer[bot]": "Amazon Q",
  // GitHub's own Copilot account: the login is reserved, so no person can hold it.
  copilot: "GitHub Copilot",
};

/** `<id>+<login>@users.noreply.github.com`, or the older form without the id: `<login>@users.noreply.github.com`. */
const GITHUB_NOREPLY = /^(?:(\d+)\+)?([^@+]+)@users\.noreply\.github\.com$/;
const AIDER_NAME_SUFFIX = / \(aider\)$/;

/** Which tool an identity belongs to, or null for anyone else. */
export function agentOfIdentity(name: string, email: string): string | null {
  const address = email.trim().toLowerCase();
  const byEmail = AGENT_EMAILS[address];
  if (byEmail) return byEmail;
  const noreply = GITHUB_NOREPLY.exec(address);
  if (noreply) {
    const byId = AGENT_GITHUB_IDS[noreply[1] ?? ""];
    if (byId) return byId;
    const byLogin = AGENT_BOT_LOGINS[noreply[2] ?? ""];
    if (byLogin) return byLogin;
  }
  const login = name.trim().toLowerCase();
  if (login.endsWith("[bot]") && AGENT_BOT_LOGINS[login]) return AGENT_BOT_LOGINS[login];
  if (AIDER_NAME_SUFFIX.test(name.trim())) return "Aider";
  return null;
}

/** Co-author names that are model or product names rather than first names (no email needed). */
const AGENT_COAUTHOR_NAMES: Array<[RegExp, string]> = [
  [/^claude (opus|sonnet|haiku|code|\d)/i, "Claude Code"],
  [/^github copilot$/i, "GitHub Copilot"],
  [/^aider \(.+\)$/i, "Aider"],
];

const TRAILER = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)$/;
const NAME_AND_EMAIL = /^(.*?)\s*<([^>]*)>\s*$/;
const SESSION_TRAILERS: Record<string, string> = {
  "claude-session": "Claude Code",
  "agent-logs-url": "GitHub Copilot coding agent",
  "amp-thread-id": "Amp",
  "assisted-by": "an AI assistant",
  "ai-generated": "an AI tool",
};
const MADE_WITH_CURSOR = /^made-with:\s*cursor\b/i;
const REPLIT_AGENT = /^replit-commit-author:\s*agent\b/i;
const GENERATED_BANNER =
  /^\s*(?:\p{Extended_Pictographic}\uFE0F?\s*)?(?:generated|created|written) (?:with|by|using) \[?(claude code|gemini cli|crush|codex|cursor|amp|opencode|aider|copilot|devin|jules|openhands)\b/iu;
const ROBOT_BANNER = /^\s*🤖\s*generated (?:with|by)\b/i;
const DEVIN_RUN = /link to devin run:\s*https:\/\/app\.devin\.ai\/sessions\//i;
const JULES_TASK = /pr created automatically by jules for task/i;
const AIDER_PREFIX = /^aider: /;
const AGENT_BRANCH = /^(?:refs\/heads\/)?(copilot|codex|devin|cursor|claude|jules)\/./i;

export interface MarkerLineMatch {
  /** 0-based line index in the text. */
  line: number;
  signal: Signal;
}

function coauthorAgent(value: string): string | null {
  const parts = NAME_AND_EMAIL.exec(value);
  const name = (parts ? parts[1] : value)?.trim() ?? "";
  const email = parts?.[2]?.trim() ?? "";
  const byIdentity = agentOfIdentity(name, email);
  if (byIdentity) return byIdentity;
  for (const [pattern, tool] of AGENT_COAUTHOR_NAMES) if (pattern.test(name)) return tool;
  return null;
}

function quote(line: string): string {
  const trimmed = line.trim();
  return trimmed.length > 140 ? `${trimmed.slice(0, 137)}…` : trimmed;
}

/**
 * Lines of a commit message or PR body that are agent markers. Used by the detector (as signals) and by
 * stripMarkers (to delete exactly those lines).
 */
export function findMarkerLines(text: string, where: "message" | "pr"): MarkerLineMatch[] {
  const found: MarkerLineMatch[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line.length === 0) return;
    const trailer = TRAILER.exec(line);
    if (trailer) {
      const key = (trailer[1] ?? "").toLowerCase();
      const value = trailer[2] ?? "";
      if (key === "co-authored-by") {
        const tool = coauthorAgent(value);
        if (tool) {
          // An accepted Copilot review suggestion also adds this trailer, so it weighs a little less.
          const weight = tool === "GitHub Copilot" ? 0.8 : 0.9;
          found.push({ line: index, signal: { id: "agent-coauthor-trailer", weight, evidence: `${tool} co-author trailer: "${quote(line)}"` } });
        }
        return;
      }
      const session = SESSION_TRAILERS[key];
      if (session && value.trim().length > 0) {
        found.push({ line: index, signal: { id: "agent-session-trailer", weight: 0.9, evidence: `${session} trailer: "${quote(line)}"` } });
        return;
      }
      if (MADE_WITH_CURSOR.test(line) || REPLIT_AGENT.test(line)) {
        found.push({ line: index, signal: { id: "agent-session-trailer", weight: 0.9, evidence: `agent trailer: "${quote(line)}"` } });
        return;
      }
    }
    if (GENERATED_BANNER.test(line) || ROBOT_BANNER.test(line)) {
      found.push({ line: index, signal: { id: "agent-generated-banner", weight: 0.95, evidence: `generated-with banner: "${quote(line)}"` } });
      return;
    }
    if (DEVIN_RUN.test(line) || JULES_TASK.test(line)) {
      const id = where === "pr" ? "agent-pr-marker" : "agent-session-trailer";
      found.push({ line: index, signal: { id, weight: 0.9, evidence: `agent session link: "${quote(line)}"` } });
    }
  });
  if (where === "message" && AIDER_PREFIX.test(text)) {
    found.push({ line: 0, signal: { id: "aider-message-prefix", weight: 0.9, evidence: `Aider message prefix: "${quote(lines[0] ?? "")}"` } });
  }
  return found;
}

function identitySignal(role: "author" | "committer", identity: GitIdentity): Signal | null {
  const tool = agentOfIdentity(identity.name, identity.email);
  if (!tool) return null;
  return { id: "agent-identity", weight: 0.95, evidence: `${role} is ${tool}: ${identity.name} <${identity.email}>` };
}

export function agentBranchTool(branch: string | null): string | null {
  if (!branch) return null;
  return AGENT_BRANCH.exec(branch)?.[1]?.toLowerCase() ?? null;
}

function prSignals(pr: PullRequestContext | null): Signal[] {
  if (!pr) return [];
  return findMarkerLines(`${pr.title}\n${pr.body}`, "pr").map(({ signal }) => ({
    ...signal,
    id: "agent-pr-marker",
    evidence: `pull request: ${signal.evidence}`,
  }));
}

export function countRecordLines(record: LineRecord): number {
  return record.ranges.reduce((sum, [start, end]) => sum + Math.max(0, end - start + 1), 0);
}

export function lineRecordSignal(records: readonly LineRecord[]): Signal | null {
  const aiRecords = records.filter((record) => record.contributor !== "human" && countRecordLines(record) > 0);
  if (aiRecords.length === 0) return null;
  const lines = aiRecords.reduce((sum, record) => sum + countRecordLines(record), 0);
  const first = aiRecords[0];
  const source = first?.source === "git-ai" ? "git-ai note" : "Agent Trace record";
  const agent = first?.agent ? ` by ${first.agent}` : "";
  return { id: "line-records", weight: 0.95, evidence: `${source}: ${lines} line${lines === 1 ? "" : "s"} written${agent}` };
}

/** Every explicit agent marker on the commit: identities, trailers, banners, branch, PR body, line records. */
export function detectAgentMarkers(commit: NormalisedCommit): Signal[] {
  const signals: Signal[] = [];
  const author = identitySignal("author", commit.author);
  if (author) signals.push(author);
  const committer = identitySignal("committer", commit.committer);
  if (committer) signals.push(committer);
  for (const match of findMarkerLines(commit.message, "message")) signals.push(match.signal);
  const branchTool = agentBranchTool(commit.branch);
  if (branchTool) {
    signals.push({ id: "agent-branch", weight: 0.8, evidence: `branch ${commit.branch} uses the ${branchTool}/ agent prefix` });
  }
  signals.push(...prSignals(commit.pullRequest));
  const records = lineRecordSignal(commit.lineRecords);
  if (records) signals.push(records);
  return signals;
}
