import { parseLocalTime, formatClock } from "./time.ts";
import type { NormalisedCommit, Signal } from "./types.ts";

/**
 * Commit-level signals other than explicit markers. Each is a small pure function returning a Signal or
 * null. Weights and their dev-corpus precision are documented in docs/decisions/010-detection-engine.md.
 */

export const VELOCITY_MIN_LINES = 500;
export const VELOCITY_MAX_MINUTES = 5;
/** A softer tier: 100+ lines within 15 minutes. Dev-corpus precision ≈ 96 % (124 ai / 5 human). */
export const BURST_MIN_LINES = 100;
export const BURST_MAX_MINUTES = 15;

/**
 * 500+ written lines within 5 minutes of the author's previous commit (0.6), or 100+ within 15 minutes
 * (0.3). `writtenLines` must already exclude renames without edits, lockfiles, generated and vendored
 * files: moving a 5,000-line file is not writing it.
 */
export function velocitySignal(commit: NormalisedCommit, writtenLines: number): Signal | null {
  if (writtenLines < BURST_MIN_LINES) return null;
  const current = parseLocalTime(commit.author.date);
  const previous = parseLocalTime(commit.authorPreviousCommitAt);
  if (!current || !previous) return null;
  const minutes = (current.epochMs - previous.epochMs) / 60_000;
  if (minutes < 0 || minutes > BURST_MAX_MINUTES) return null;
  const rounded = Math.round(minutes);
  const shown = minutes < 1 ? "under a minute" : `${rounded} minute${rounded === 1 ? "" : "s"}`;
  const evidence = `${writtenLines} lines ${shown} after the author's previous commit`;
  if (writtenLines >= VELOCITY_MIN_LINES && minutes <= VELOCITY_MAX_MINUTES) return { id: "velocity", weight: 0.6, evidence };
  return { id: "velocity", weight: 0.3, evidence };
}

/** Authored between 02:00 and 04:59 on the author's own clock (the offset in the timestamp, never the server's). */
export function timeOfDaySignal(commit: NormalisedCommit): Signal | null {
  const time = parseLocalTime(commit.author.date);
  if (!time || time.hour < 2 || time.hour > 4) return null;
  return { id: "time-of-day", weight: 0.3, evidence: `authored ${formatClock(time)}` };
}

const TOOL = String.raw`(?:AI|an AI|LLMs?|an LLM|Claude(?: Code)?|(?:GitHub )?Copilot|ChatGPT|GPT-?\d[\w.-]*|o\d(?:-\w+)?|Codex|Cursor|Devin|Gemini(?: CLI)?|Aider|Jules|Windsurf|Cline|Amp|OpenCode|Amazon Q|an? (?:AI|coding) (?:agent|assistant))`;
/**
 * A disclosure that the change itself was written with a tool: "generated with Claude", "written by
 * Copilot", "AI-assisted". Naming a tool is not enough: "Add Copilot integration" is a PR about Copilot.
 */
const DISCLOSURE = new RegExp(
  String.raw`\b(?:(?:generated|written|authored|created|drafted|implemented|produced|coded|made|built|done|assisted)\s+(?:(?:entirely|mostly|partly|largely|fully|primarily)\s+)?(?:with|by|using|via|in)\s+(?:the\s+help\s+of\s+)?${TOOL}\b|with\s+(?:the\s+)?help\s+(?:of|from)\s+${TOOL}\b|\bAI[- ](?:generated|assisted|written|authored)\b|\b${TOOL}\s+(?:wrote|generated|implemented|authored|drafted)\s+(?:this|the|these|most|all|parts?))`,
  "i",
);

function firstMatchLine(text: string, pattern: RegExp): string | null {
  for (const line of text.split("\n")) if (pattern.test(line)) return line.trim().slice(0, 140);
  return null;
}

/** A PR title/body (or commit message) that says the change was made with an AI tool. */
export function aiDisclosureSignal(commit: NormalisedCommit): Signal | null {
  const pr = commit.pullRequest;
  if (pr) {
    const line = firstMatchLine(`${pr.title}\n${pr.body}`, DISCLOSURE);
    if (line) return { id: "pr-ai-disclosure", weight: 0.7, evidence: `pull request says: "${line}"` };
  }
  const line = firstMatchLine(commit.message, DISCLOSURE);
  if (line) return { id: "pr-ai-disclosure", weight: 0.7, evidence: `commit message says: "${line}"` };
  return null;
}

export const MESSAGE_SHAPE_MAX_WEIGHT = 0.55;

const HEADING = /^#{1,4} \S/m;
const BOLD = /\*\*[^*\n]{2,}\*\*/;
const SECTION_LABEL = /^(?:#+\s*)?(?:summary|changes|changes made|key changes|what changed|test plan|testing|tests|root cause|problem|solution|motivation|impact|implementation|approach|details|notes?|why|fixes?|breaking changes?)\s*:?\s*$/im;
const LABELLED_LIST = /^[A-Z][\w /-]{2,40}:\s*\n\s*[-*] /m;
const TYPOGRAPHIC = /[\u2014\u2192\u2190\u21D2\u2713\u2714\u2705\u274C\u26A0\u{1F300}-\u{1FAFF}]/u;
const LLM_VOCABULARY = /\b(comprehensive|robust(?:ness)?|seamless(?:ly)?|streamlin\w+|leverag\w+|enhanc\w+|utiliz\w+|ensur(?:e|es|ing)|facilitat\w+|delv\w+)\b/i;
const BULLET = /^\s*(?:[-*•]|\d+\.) \S/gm;

/**
 * The shape of the commit message: markdown sections, typographic dashes and arrows, bullet lists, the
 * vocabulary language models favour. Agents write these; people rarely do in a commit message.
 * Counted as one signal however many tells appear, so a long message cannot stack itself up.
 */
export function messageShapeSignal(commit: NormalisedCommit): Signal | null {
  const message = commit.message.trim();
  const newline = message.indexOf("\n");
  const body = newline === -1 ? "" : message.slice(newline + 1);
  const tells: string[] = [];
  let weight = 0;
  if (HEADING.test(body) || BOLD.test(message) || SECTION_LABEL.test(body) || LABELLED_LIST.test(body)) {
    weight += 0.3;
    tells.push("markdown sections");
  }
  const typographic = TYPOGRAPHIC.exec(message);
  if (typographic) {
    weight += 0.35;
    tells.push(`"${typographic[0]}" in the text`);
  }
  const vocabulary = LLM_VOCABULARY.exec(message);
  if (vocabulary) {
    weight += 0.15;
    tells.push(`"${vocabulary[0]}"`);
  }
  const bullets = body.match(BULLET)?.length ?? 0;
  if (bullets >= 3) {
    weight += 0.1;
    tells.push(`${bullets} bullet points`);
  }
  if (body.length >= 400) {
    weight += 0.1;
    tells.push(`${body.length}-character body`);
  }
  if (tells.length === 0) return null;
  return { id: "message-shape", weight: Math.min(MESSAGE_SHAPE_MAX_WEIGHT, weight), evidence: `message shape: ${tells.join(", ")}` };
}
