import type { MarkerSignalId } from "./markers.ts";

/**
 * The signal ids a verdict can name besides the fitted tells: the markers (markers.ts), an AI tool named in the pull
 * request or message, the combined tells, and a file not counted toward the share. Each has a readable name, and
 * the compiler insists on one for every id; a tell (message-…, style-…, velocity-…, time-of-day) reads as its words.
 */
export type SignalId = MarkerSignalId | "pr-ai-disclosure" | "fitted-tells" | "not-counted";

const SIGNAL_LABELS: Record<SignalId, string> = {
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

/** Named although not in SignalId: the time-of-day tell, and ids that earlier detector versions stored in verdicts. */
const OTHER_SIGNAL_LABELS: Readonly<Record<string, string>> = {
  velocity: "Commit velocity",
  "time-of-day": "Time of day",
  "message-shape": "Commit message shape",
  "code-style": "Code style",
};

export function signalLabel(id: string): string {
  return (Object.hasOwn(SIGNAL_LABELS, id) ? SIGNAL_LABELS[id as SignalId] : OTHER_SIGNAL_LABELS[id]) ?? id.replace(/-/g, " ");
}
