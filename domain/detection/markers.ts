import { AGENTS, type AgentName } from "./agents.ts";
import type { GitIdentity, LineRecord, MarkerSignalId, NormalisedCommit, PullRequestContext, Signal } from "./types.ts";

/**
 * Explicit marks that AI coding tools leave in git (ADR 010 lists them with their weights).
 *
 * Identities are matched on email addresses, GitHub numeric bot ids and `[bot]` logins, never on first
 * names: "Claude", "Devin", "Jules" and "Cody" are people too; "cursor", "codex" and "continue" are words.
 * The same tables drive `stripMarkers`, so what the detector calls a marker is exactly what eval removes. Every marker
 * signal says which tool left it (`agent`, a name from agents.ts), or null when the mark names none ("Assisted-by").
 */

const AGENT_EMAILS: Record<string, AgentName> = {
  "noreply@anthropic.com": AGENTS.claudeCode,
  "claude@anthropic.com": AGENTS.claudeCode,
  "copilot@github.com": AGENTS.copilot,
  "noreply@openai.com": AGENTS.codex,
  "codex@openai.com": AGENTS.codex,
  "cursoragent@cursor.com": AGENTS.cursor,
  "aider@aider.chat": AGENTS.aider,
  "noreply@aider.chat": AGENTS.aider,
  "amp@ampcode.com": AGENTS.amp,
  "openhands@all-hands.dev": AGENTS.openHands,
  "crush@charm.land": AGENTS.crush,
  "noreply@opencode.ai": AGENTS.openCode,
};

/** GitHub user ids of agent accounts, as they appear in `<id>+<login>@users.noreply.github.com`. */
const AGENT_GITHUB_IDS: Record<string, AgentName> = {
  "198982749": AGENTS.copilotAgent,
  "175728472": AGENTS.copilot,
  "158243242": AGENTS.devin,
  "176961590": AGENTS.geminiCodeAssist,
};

const AGENT_BOT_LOGINS: Record<string, AgentName> = {
  "claude[bot]": AGENTS.claudeCode,
  "claude-code-action[bot]": AGENTS.claudeCode,
  "copilot-swe-agent[bot]": AGENTS.copilotAgent,
  "chatgpt-codex-connector[bot]": AGENTS.codex,
  "openai-codex[bot]": AGENTS.codex,
  "devin-ai-integration[bot]": AGENTS.devin,
  "google-labs-jules[bot]": AGENTS.jules,
  "cursor[bot]": AGENTS.cursor,
  "gemini-code-assist[bot]": AGENTS.geminiCodeAssist,
  "amazon-q-developer[bot]": AGENTS.amazonQ,
  // GitHub's own Copilot account: the login is reserved, so no person can hold it.
  copilot: AGENTS.copilot,
};

/** `<id>+<login>@users.noreply.github.com`, or the older form without the id: `<login>@users.noreply.github.com`. */
const GITHUB_NOREPLY = /^(?:(\d+)\+)?([^@+]+)@users\.noreply\.github\.com$/;
const AIDER_NAME_SUFFIX = / \(aider\)$/;

/** Which tool an identity belongs to, or null for anyone else. */
export function agentOfIdentity(name: string, email: string): AgentName | null {
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
  if (AIDER_NAME_SUFFIX.test(name.trim())) return AGENTS.aider;
  return null;
}

/** Co-author names that are model or product names rather than first names (no email needed). */
const AGENT_COAUTHOR_NAMES: Array<[RegExp, AgentName]> = [
  [/^claude (opus|sonnet|haiku|code|\d)/i, AGENTS.claudeCode],
  [/^github copilot$/i, AGENTS.copilot],
  [/^aider \(.+\)$/i, AGENTS.aider],
];

const TRAILER = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)$/;
const NAME_AND_EMAIL = /^(.*?)\s*<([^>]*)>\s*$/;
/** Trailer keys agents write, with the tool each names; the generic ones name none (and read as the words given). */
const SESSION_TRAILERS: Record<string, { agent: AgentName | null; words: string }> = {
  "claude-session": { agent: AGENTS.claudeCode, words: AGENTS.claudeCode },
  "agent-logs-url": { agent: AGENTS.copilotAgent, words: AGENTS.copilotAgent },
  "amp-thread-id": { agent: AGENTS.amp, words: AGENTS.amp },
  "assisted-by": { agent: null, words: "an AI assistant" },
  "ai-generated": { agent: null, words: "an AI tool" },
};
const MADE_WITH_CURSOR = /^made-with:\s*cursor\b/i;
const REPLIT_AGENT = /^replit-commit-author:\s*agent\b/i;
/** The tool words a banner, a line record or a branch prefix names a tool by (lower case; a line record's "-" reads as a space). */
const TOOL_WORDS: Record<string, AgentName> = {
  "claude code": AGENTS.claudeCode,
  "gemini cli": AGENTS.geminiCli,
  crush: AGENTS.crush,
  codex: AGENTS.codex,
  cursor: AGENTS.cursor,
  amp: AGENTS.amp,
  opencode: AGENTS.openCode,
  aider: AGENTS.aider,
  copilot: AGENTS.copilot,
  devin: AGENTS.devin,
  jules: AGENTS.jules,
  openhands: AGENTS.openHands,
};
const GENERATED_BANNER = new RegExp(
  String.raw`^\s*(?:\p{Extended_Pictographic}\uFE0F?\s*)?(?:generated|created|written) (?:with|by|using) \[?(${Object.keys(TOOL_WORDS).join("|")})\b`,
  "iu",
);
const ROBOT_BANNER = /^\s*🤖\s*generated (?:with|by)\b/i;
const DEVIN_RUN = /link to devin run:\s*https:\/\/app\.devin\.ai\/sessions\//i;
const JULES_TASK = /pr created automatically by jules for task/i;
const AIDER_PREFIX = /^aider: /;
/** Branch prefixes agents push to; `copilot/` is the coding agent's, `cursor/` Cursor's background agent's. */
const AGENT_BRANCH_PREFIXES: Record<string, AgentName> = {
  copilot: AGENTS.copilotAgent,
  codex: AGENTS.codex,
  devin: AGENTS.devin,
  cursor: AGENTS.cursor,
  claude: AGENTS.claudeCode,
  jules: AGENTS.jules,
};
const AGENT_BRANCH = new RegExp(String.raw`^(?:refs\/heads\/)?(${Object.keys(AGENT_BRANCH_PREFIXES).join("|")})\/.`, "i");

export interface MarkerLineMatch {
  /** 0-based line index in the text. */
  line: number;
  signal: Signal;
}

/** A marker signal: it always says which tool left it, null when the mark names none. */
function marker(id: MarkerSignalId, weight: number, evidence: string, agent: AgentName | null): Signal {
  return { id, weight, evidence, agent };
}

function coauthorAgent(value: string): AgentName | null {
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
          const weight = tool === AGENTS.copilot ? 0.8 : 0.9;
          found.push({ line: index, signal: marker("agent-coauthor-trailer", weight, `${tool} co-author trailer: "${quote(line)}"`, tool) });
        }
        return;
      }
      const session = SESSION_TRAILERS[key];
      if (session && value.trim().length > 0) {
        found.push({ line: index, signal: marker("agent-session-trailer", 0.9, `${session.words} trailer: "${quote(line)}"`, session.agent) });
        return;
      }
      const trailerTool = MADE_WITH_CURSOR.test(line) ? AGENTS.cursor : REPLIT_AGENT.test(line) ? AGENTS.replit : null;
      if (trailerTool) {
        found.push({ line: index, signal: marker("agent-session-trailer", 0.9, `agent trailer: "${quote(line)}"`, trailerTool) });
        return;
      }
    }
    const banner = GENERATED_BANNER.exec(line);
    if (banner || ROBOT_BANNER.test(line)) {
      const tool = banner ? (TOOL_WORDS[(banner[1] ?? "").toLowerCase()] ?? null) : null;
      found.push({ line: index, signal: marker("agent-generated-banner", 0.95, `generated-with banner: "${quote(line)}"`, tool) });
      return;
    }
    const sessionLinkTool = DEVIN_RUN.test(line) ? AGENTS.devin : JULES_TASK.test(line) ? AGENTS.jules : null;
    if (sessionLinkTool) {
      const id = where === "pr" ? "agent-pr-marker" : "agent-session-trailer";
      found.push({ line: index, signal: marker(id, 0.9, `agent session link: "${quote(line)}"`, sessionLinkTool) });
    }
  });
  if (where === "message" && AIDER_PREFIX.test(text)) {
    found.push({ line: 0, signal: marker("aider-message-prefix", 0.9, `Aider message prefix: "${quote(lines[0] ?? "")}"`, AGENTS.aider) });
  }
  return found;
}

function identitySignal(role: "author" | "committer", identity: GitIdentity): Signal | null {
  const tool = agentOfIdentity(identity.name, identity.email);
  if (!tool) return null;
  return marker("agent-identity", 0.95, `${role} is ${tool}: ${identity.name} <${identity.email}>`, tool);
}

/** The agent prefix of a branch ("copilot"), or null when the branch is not an agent's. */
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

/** A record names a tool ("claude-code", "cursor") or often only a model ("claude-opus-4"), which is no tool. */
function recordTool(agent: string | null): AgentName | null {
  return agent ? (TOOL_WORDS[agent.trim().toLowerCase().replace(/-/g, " ")] ?? null) : null;
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
  const by = first?.agent ? ` by ${first.agent}` : "";
  return marker("line-records", 0.95, `${source}: ${lines} line${lines === 1 ? "" : "s"} written${by}`, recordTool(first?.agent ?? null));
}

/** Every explicit agent marker on the commit: identities, trailers, banners, branch, PR body, line records. */
export function detectAgentMarkers(commit: NormalisedCommit): Signal[] {
  const signals: Signal[] = [];
  const author = identitySignal("author", commit.author);
  if (author) signals.push(author);
  const committer = identitySignal("committer", commit.committer);
  if (committer) signals.push(committer);
  for (const match of findMarkerLines(commit.message, "message")) signals.push(match.signal);
  const branchPrefix = agentBranchTool(commit.branch);
  if (branchPrefix) {
    const tool = AGENT_BRANCH_PREFIXES[branchPrefix] ?? null;
    signals.push(marker("agent-branch", 0.8, `branch ${commit.branch} uses the ${branchPrefix}/ agent prefix`, tool));
  }
  signals.push(...prSignals(commit.pullRequest));
  const records = lineRecordSignal(commit.lineRecords);
  if (records) signals.push(records);
  return signals;
}
