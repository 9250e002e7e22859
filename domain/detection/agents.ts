/**
 * The AI coding tools whose marks the detector recognises (markers.ts), each by the name shown to people. Markers,
 * attributions and the per-tool view all spell a tool through this one list, so a tool is never named two ways.
 */
export const AGENTS = {
  claudeCode: "Claude Code",
  copilotAgent: "GitHub Copilot coding agent",
  /** Copilot in the editor or an accepted review suggestion: it co-authors, it does not push commits of its own. */
  copilot: "GitHub Copilot",
  codex: "OpenAI Codex",
  cursor: "Cursor",
  geminiCli: "Gemini CLI",
  geminiCodeAssist: "Gemini Code Assist",
  jules: "Google Jules",
  devin: "Devin",
  aider: "Aider",
  openCode: "OpenCode",
  amp: "Amp",
  openHands: "OpenHands",
  crush: "Crush",
  amazonQ: "Amazon Q",
  replit: "Replit Agent",
} as const;

export type AgentName = (typeof AGENTS)[keyof typeof AGENTS];

export const AGENT_NAMES: readonly AgentName[] = Object.values(AGENTS);

/** A commit judged agent-written by its style and timing alone: no marker on it names a tool. */
export const UNMARKED_AGENT = "unmarked";

/** What a commit judged agent-written is attributed to: the tool its strongest marker names, or "unmarked". */
export type AttributedAgent = AgentName | typeof UNMARKED_AGENT;
