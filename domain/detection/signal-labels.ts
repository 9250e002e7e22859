import type { NamedSignalId } from "./types.ts";

/** A readable name for every signal id (the compiler insists on one for each); a tell (message-…, style-…, velocity-…,
 * time-of-day) reads as its words. */
const SIGNAL_LABELS: Record<NamedSignalId, string> = {
  "agent-identity": "Agent identity",
  "agent-coauthor-trailer": "Agent co-author trailer",
  "agent-generated-banner": "Generated-with banner",
  "aider-message-prefix": "Aider message prefix",
  "agent-session-trailer": "Agent session trailer",
  "agent-branch": "Agent branch",
  "agent-pr-marker": "Agent marker in PR",
  "line-records": "Line-level authorship record",
  "pr-ai-disclosure": "AI tool named in PR or message",
  "fitted-tells": "fitted tells",
  "not-counted": "not counted",
};

/** Tells that read better than their words, and ids that earlier detector versions stored in verdicts. */
const OTHER_SIGNAL_LABELS: Readonly<Record<string, string>> = {
  velocity: "Commit velocity",
  "time-of-day": "Time of day",
  "message-shape": "Commit message shape",
  "code-style": "Code style",
};

export function signalLabel(id: string): string {
  return (Object.hasOwn(SIGNAL_LABELS, id) ? SIGNAL_LABELS[id as NamedSignalId] : OTHER_SIGNAL_LABELS[id]) ?? id.replace(/-/g, " ");
}
