/**
 * The generated organisation's agent mix (issue 18, "By AI tool"): which AI tool made an agent-written change, and
 * the marks that tool leaves — commit author, message trailers, branch prefix, pull-request body — so the stored
 * `signals` are what the real marker detector (domain/detection/markers.ts) finds on such a commit, `agent` included.
 *
 * large-organization.ts first picks how the agent works (its `Tool`: a local agent the member runs, Copilot's or
 * Cursor's cloud agent that pushes commits itself, a cloud agent on the member's account, or none that leaves a mark);
 * that draw and everything it decides are unchanged, so the rest of the organisation stays the same for a seed. The
 * tool within that way of working is drawn here, from a stream of its own (`agentStream`).
 */
import { Random } from "../demo/dataset/random.ts";
import { AGENTS, type AgentName } from "../domain/detection/agents.ts";
import { dedupeSignals } from "../domain/detection/combine.ts";
import { detectAgentMarkers } from "../domain/detection/markers.ts";
import type { NormalisedCommit, Signal } from "../domain/detection/types.ts";

/** How an agent works (large-organization.ts draws it): who commits, through which branch, with which confidence. */
export type AgentKind = "claude" | "copilot" | "cursor" | "codex" | "unmarked";

export interface AgentIdentity {
  login: string;
  name: string;
  email: string;
  offsetMinutes: number;
}

export interface AgentFlavour {
  /** The tool as agents.ts names it; null for an agent that leaves no mark (judged by style alone: "unmarked"). */
  tool: AgentName | null;
  /** The branch prefix of its pull requests (`claude/…`), or null for the member's own (`ada-okafor/…`). */
  branchPrefix: string | null;
  /** Lines the tool appends to commit messages (trailers, banners); `{hex}` is a per-commit id. */
  trailers: readonly string[];
  /** The identity the tool commits as, when it commits itself; null when the member does. */
  author: AgentIdentity | null;
  /** The pull-request body the tool writes, or null to keep the member's. */
  prBody: string | null;
  /** The tool opens its pull requests as itself (Copilot's, Jules' and Devin's bots); Cursor's opens them as the member. */
  opensPullRequests: boolean;
}

/** Cloud agents that commit as themselves (their GitHub bot identities, which the detector knows). */
export const COPILOT_AGENT: AgentIdentity = { login: "Copilot", name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com", offsetMinutes: 0 };
export const CURSOR_AGENT: AgentIdentity = { login: "cursor-agent", name: "Cursor Agent", email: "cursoragent@cursor.com", offsetMinutes: 0 };
const JULES_AGENT: AgentIdentity = { login: "google-labs-jules[bot]", name: "google-labs-jules[bot]", email: "161369871+google-labs-jules[bot]@users.noreply.github.com", offsetMinutes: 0 };
const DEVIN_AGENT: AgentIdentity = { login: "devin-ai-integration[bot]", name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com", offsetMinutes: 0 };

const CLAUDE_CODE_TRAILERS = ["🤖 Generated with [Claude Code](https://claude.com/claude-code)", "", "Co-Authored-By: Claude <noreply@anthropic.com>"];

const flavour = (tool: AgentName | null, parts: Partial<Omit<AgentFlavour, "tool">> = {}): AgentFlavour => ({
  tool,
  branchPrefix: null,
  trailers: [],
  author: null,
  prBody: null,
  opensPullRequests: false,
  ...parts,
});

// Copilot's and Cursor's cloud agents only ever work through a pull request (large-organization.ts planChange).
const COPILOT_CODING_AGENT = flavour(AGENTS.copilotAgent, { branchPrefix: "copilot", author: COPILOT_AGENT, opensPullRequests: true });
const CURSOR_BACKGROUND_AGENT = flavour(AGENTS.cursor, { branchPrefix: "cursor", author: CURSOR_AGENT });
const UNMARKED = flavour(null);

/**
 * The tools of each way of working, by weight: a realistic 2026 mix in which Claude Code leads, Copilot (its cloud
 * agent and, in the editor, its co-author trailer) and Cursor follow, then Codex, Gemini CLI, Jules, Devin, Aider,
 * Amp, OpenCode and OpenHands. Jules and Devin only ever open pull requests; a direct push of that way of working is
 * a Codex or Aider session on the member's machine.
 */
const MIX: Record<AgentKind, { viaPr: readonly (readonly [AgentFlavour, number])[]; direct: readonly (readonly [AgentFlavour, number])[] }> = {
  claude: {
    viaPr: localAgents("claude"),
    direct: localAgents(null),
  },
  copilot: {
    viaPr: [[COPILOT_CODING_AGENT, 1]],
    direct: [[COPILOT_CODING_AGENT, 1]],
  },
  cursor: {
    viaPr: [[CURSOR_BACKGROUND_AGENT, 1]],
    direct: [[CURSOR_BACKGROUND_AGENT, 1]],
  },
  codex: {
    viaPr: [
      [flavour(AGENTS.codex, { branchPrefix: "codex" }), 45],
      [flavour(AGENTS.jules, { branchPrefix: "jules", author: JULES_AGENT, opensPullRequests: true, prBody: "PR created automatically by Jules for task [{hex}](https://jules.google.com/task/{hex})" }), 20],
      [flavour(AGENTS.devin, { branchPrefix: "devin", author: DEVIN_AGENT, opensPullRequests: true, prBody: "Link to Devin run: https://app.devin.ai/sessions/{hex}\n\nRequested by the author." }), 20],
      [flavour(AGENTS.openHands, { trailers: ["Co-authored-by: openhands <openhands@all-hands.dev>"] }), 15],
    ],
    direct: [
      [flavour(AGENTS.codex, { trailers: ["Co-authored-by: Codex <noreply@openai.com>"] }), 70],
      [flavour(AGENTS.aider, { trailers: ["Co-authored-by: aider (openai/gpt-5) <aider@aider.chat>"] }), 30],
    ],
  },
  unmarked: {
    viaPr: [[UNMARKED, 1]],
    direct: [[UNMARKED, 1]],
  },
};

/** Agents on the member's machine: they mark the message; only Claude Code also names its pull requests' branches. */
function localAgents(claudeBranch: string | null): [AgentFlavour, number][] {
  return [
    [flavour(AGENTS.claudeCode, { branchPrefix: claudeBranch, trailers: CLAUDE_CODE_TRAILERS }), 62],
    [flavour(AGENTS.copilot, { trailers: ["Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"] }), 12],
    [flavour(AGENTS.geminiCli, { trailers: ["Generated with Gemini CLI"] }), 8],
    [flavour(AGENTS.cursor, { trailers: ["Made-with: Cursor"] }), 4],
    [flavour(AGENTS.aider, { trailers: ["Co-authored-by: aider (anthropic/claude-sonnet-4-5) <aider@aider.chat>"] }), 5],
    [flavour(AGENTS.amp, { trailers: ["Amp-Thread-ID: https://ampcode.com/threads/T-{hex}", "Co-authored-by: Amp <amp@ampcode.com>"] }), 5],
    [flavour(AGENTS.openCode, { trailers: ["Co-authored-by: opencode <noreply@opencode.ai>"] }), 4],
  ];
}

/** The stream the tools of one repository's changes are drawn from: separate from the repository's own stream. */
export function agentStream(seed: number, repoIndex: number): Random {
  return new Random(seed).fork(`repository-${repoIndex}-agents`);
}

export function pickAgentFlavour(random: Random, kind: AgentKind, viaPr: boolean): AgentFlavour {
  const choices = MIX[kind];
  return random.weighted(viaPr ? choices.viaPr : choices.direct);
}

/** `{hex}` in a trailer or body: a session or task id, derived from the commit (or pull request) so no draw is needed. */
export function fillIds(text: string, id: string): string {
  return text.replaceAll("{hex}", id);
}

export interface MarkedCommit {
  sha: string;
  headline: string;
  author: AgentIdentity;
  at: Date;
  branch: string;
  pullRequest: { title: string; body: string | null } | null;
  flavour: AgentFlavour;
}

/**
 * The markers the detector finds on the commit, stored as the engine stores them (engine.ts analyzeCommit): deduped
 * by id, strongest first, and of two equal markers the one naming a tool kept. Only the message's trailers and the
 * commit's identity, branch and pull request are built: no file is needed to find markers.
 */
export function markersOf(commit: MarkedCommit): Signal[] {
  const trailers = commit.flavour.trailers.map((line) => fillIds(line, commit.sha.slice(0, 12)));
  const identity = { name: commit.author.name, email: commit.author.email, date: commit.at.toISOString() };
  const normalised: NormalisedCommit = {
    sha: commit.sha,
    parents: [],
    message: trailers.length > 0 ? `${commit.headline}\n\n${trailers.join("\n")}` : commit.headline,
    author: identity,
    committer: identity,
    branch: commit.branch,
    pullRequest: commit.pullRequest ? { title: commit.pullRequest.title, body: commit.pullRequest.body ?? "" } : null,
    authorPreviousCommitAt: null,
    files: [],
    lineRecords: [],
    truncated: false,
  };
  const markers = detectAgentMarkers(normalised).filter((signal) => signal.id !== "line-records");
  return dedupeSignals([...markers].sort((a, b) => Number(Boolean(b.agent)) - Number(Boolean(a.agent))));
}
