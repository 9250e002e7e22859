/** Readable names for the detector's signal ids (the evidence text says the rest). */
const SIGNAL_LABELS: Record<string, string> = {
  "agent-identity": "Agent identity",
  "agent-coauthor-trailer": "Agent co-author trailer",
  "agent-generated-banner": "Generated-with banner",
  "aider-message-prefix": "Aider message prefix",
  "agent-session-trailer": "Agent session trailer",
  "agent-branch": "Agent branch",
  "agent-pr-marker": "Agent marker in PR",
  "line-records": "Line-level authorship record",
  "pr-ai-disclosure": "AI tool named in PR or message",
  velocity: "Commit velocity",
  "time-of-day": "Time of day",
  "message-shape": "Commit message shape",
  "code-style": "Code style",
};

export function signalLabel(id: string): string {
  return SIGNAL_LABELS[id] ?? id.replace(/-/g, " ");
}

export function formatConfidence(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${Math.round(value * 100)} %`;
}

export const TIER_LABELS: Record<number, string> = {
  1: "T1 Boilerplate",
  2: "T2 Glue",
  3: "T3 Core",
  4: "T4 Critical",
};
