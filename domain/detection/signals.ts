import { parseLocalTime, formatClock } from "./time.ts";
import type { NormalisedCommit, Signal, TellId } from "./types.ts";

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
export function velocityTell(commit: NormalisedCommit, writtenLines: number): Tell | null {
  if (writtenLines < BURST_MIN_LINES) return null;
  const current = parseLocalTime(commit.author.date);
  const previous = parseLocalTime(commit.authorPreviousCommitAt);
  if (!current || !previous) return null;
  const minutes = (current.epochMs - previous.epochMs) / 60_000;
  if (minutes < 0 || minutes > BURST_MAX_MINUTES) return null;
  const rounded = Math.round(minutes);
  const shown = minutes < 1 ? "under a minute" : `${rounded} minute${rounded === 1 ? "" : "s"}`;
  const evidence = `${writtenLines} lines ${shown} after the author's previous commit`;
  if (writtenLines >= VELOCITY_MIN_LINES && minutes <= VELOCITY_MAX_MINUTES) return { id: "velocity-fast", evidence };
  return { id: "velocity-burst", evidence };
}

/** Authored between 02:00 and 04:59 on the author's own clock (the offset in the timestamp, never the server's). */
export function timeOfDayTell(commit: NormalisedCommit): Tell | null {
  const time = parseLocalTime(commit.author.date);
  if (!time || time.hour < 2 || time.hour > 4) return null;
  return { id: "time-of-day", evidence: `authored ${formatClock(time)}` };
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

const HEADING = /^#{1,4} \S/m;
const BOLD = /\*\*[^*\n]{2,}\*\*/;
// "(?:\s*:)?\s*" matches what "\s*:?\s*" did without backtracking quadratically over a long run of spaces.
const SECTION_LABEL = /^(?:#+\s*)?(?:summary|changes|changes made|key changes|what changed|test plan|testing|tests|root cause|problem|solution|motivation|impact|implementation|approach|details|notes?|why|fixes?|breaking changes?)(?:\s*:)?\s*$/im;
const LABELLED_LIST = /^[A-Z][\w /-]{2,40}:\s*\n\s*[-*] /m;
const TYPOGRAPHIC = /[\u2014\u2192\u2190\u21D2\u2713\u2714\u2705\u274C\u26A0\u{1F300}-\u{1FAFF}]/u;
const LLM_VOCABULARY = /\b(comprehensive|robust(?:ness)?|seamless(?:ly)?|streamlin\w+|leverag\w+|enhanc\w+|utiliz\w+|ensur(?:e|es|ing)|facilitat\w+|delv\w+)\b/i;
const BULLET = /^\s*(?:[-*•]|\d+\.) \S/gm;
const BULLET_LINE = /^\s*(?:[-*•]|\d+\.) \S/;
/** Conventional Commits types (Angular set plus chore/revert); "tests:" or "core:" are area prefixes, not types. */
const CONVENTIONAL_SUBJECT = /^(?:feat|fix|chore|docs|refactor|test|perf|build|ci|style|revert)(?:\([^)\n]+\))?!?: \S/;
/** Trailer lines are metadata, not writing: a human `Co-authored-by:` must not make a body look explanatory. */
const TRAILER = /^\s*(?:co-authored-by|signed-off-by|reviewed-by|acked-by|tested-by|reported-by|suggested-by|helped-by|cc|fixes|closes|refs?|change-id)\s*:/i;
export const EXPLAINED_BODY_MIN_CHARS = 100;
/**
 * Phrases of a cause-and-effect explanation ("silently dropped", "instead of", "no longer", "caused", "falls back").
 * Ordinary English: two distinct ones in a commit body are the tell (dev, tuning folds: 176 / 2 with markers stripped).
 */
const EXPLANATION_PHRASES: readonly RegExp[] = [
  /\bsilently\b/i,
  /\bnever\b/i,
  /\binstead of\b/i,
  /\bto avoid\b/i,
  /\bproperly\b/i,
  /\bno longer\b/i,
  /\b(?:caused|causing)\b/i,
  /\bexisting\b/i,
  /\bboth\b/i,
  /\bvia\b/i,
  /\bnow\b/i,
  /\bfalls? back\b/i,
  /\bso that\b/i,
  /\bwas (?:being|not)\b/i,
  /\bedge cases?\b/i,
];
/** Any of the phrases above: most bodies are empty or have none, and one test is cheaper than fifteen. */
const ANY_EXPLANATION_PHRASE = /\b(?:silently|never|instead of|to avoid|properly|no longer|caused|causing|existing|both|via|now|falls? back|so that|was being|was not|edge cases?)\b/i;
export const EXPLANATION_MIN_PHRASES = 2;
/** A wrapped bullet whose continuation line is indented under the item's text ("- Paginate …⏎  100 labels …"). */
const HANGING_BULLET = /^[-*] \S[^\n]*\n {2}\S/m;
export const DESCRIPTIVE_SUBJECT_CHARS = 50;
/**
 * GitHub's squash merge writes the PR's commit subjects as "* subject" paragraphs. Such a body is a log of
 * other messages, not one composed message: its length and bullets say nothing about who wrote it.
 */
const SQUASH_LOG = /^\* [^\n]+\n[ \t]*\n\* /m;

/**
 * Dependency and release bots (Dependabot, Renovate, semantic-release, release-please, GitHub Actions) write
 * templated messages — `build(deps): bump x from 1 to 2` over a bullet list of links — that look exactly like
 * an agent's. They are neither a person nor a coding agent, so their message shape is no evidence. (Agent bots
 * never reach here unmarked: their identities are markers.) The corpus excludes such bots, so this guards
 * production, not a corpus number.
 */
const AUTOMATION = /^(?:\d+\+)?(?:dependabot(?:-preview)?|renovate|semantic-release-bot|release-please|github-actions|greenkeeper|snyk-bot|pre-commit-ci|mergify|imgbot|allcontributors)(?:\[bot\])?$/i;

/** Named automation only: a custom GitHub App (`marvin-context-protocol[bot]`) may well be an agent. */
function isAutomationAuthor(commit: NormalisedCommit): boolean {
  return AUTOMATION.test(commit.author.name.trim()) || AUTOMATION.test(commit.author.email.split("@")[0] ?? "");
}

/** The body's own text: no trailer lines, no carriage returns. */
function writtenBody(body: string): string[] {
  return body
    .replace(/\r/g, "")
    .split("\n")
    .filter((line) => !TRAILER.test(line));
}

/** Longest run of bullet lines with no blank line between them (a squash merge's "* a\n\n* b" is not a list). */
function longestBulletRun(lines: readonly string[]): number {
  let best = 0;
  let run = 0;
  for (const line of lines) {
    run = BULLET_LINE.test(line) ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** One named piece of stylistic or timing evidence; the model (model.ts) says how much it moves the odds. */
export interface Tell {
  id: TellId;
  evidence: string;
}

/** "component: Subject" or "[area] subject": a maintained project's own prefix convention, not a Conventional type. */
const AREA_PREFIX = /^(?:\[[^\]\n]{1,40}\]\s*\S|[\w./-]{2,40}(?:\([^)\n]+\))?: \S)/;
const SIGNED_OFF = /^\s*signed-off-by\s*:/im;
const ISSUE_REFERENCE_SUBJECT = /\(#\d+\)\s*$/;

/**
 * The shape of the commit message as separate tells: markdown sections, typographic dashes and arrows, bullet lists,
 * the vocabulary language models favour, a Conventional-Commits subject over an explanatory body, a bullet list under
 * a prose explanation, explanation phrases — and what careful people write too (a Conventional subject alone, a
 * project's area prefix, a Signed-off-by trailer, a one-line message), so the model can learn what each is worth.
 * Dependency and release bots' templated messages are no evidence either way.
 */
export function messageTells(commit: NormalisedCommit): Tell[] {
  if (isAutomationAuthor(commit)) return [];
  const message = commit.message.trim();
  const newline = message.indexOf("\n");
  const subject = newline === -1 ? message : message.slice(0, newline);
  const body = newline === -1 ? "" : message.slice(newline + 1);
  const bodyLines = writtenBody(body);
  const squashLog = SQUASH_LOG.test(bodyLines.join("\n"));
  const written = bodyLines.join("\n").trim();
  const tells: Tell[] = [];
  const conventional = CONVENTIONAL_SUBJECT.test(subject);
  const type = conventional ? subject.slice(0, subject.indexOf(":") + 1) : "";
  // An empty message has no subject either: no evidence of its shape.
  if (subject.length > 0 && written.length === 0) tells.push({ id: "message-one-line", evidence: "a subject with no body" });
  if (conventional) tells.push({ id: "message-conventional-subject", evidence: `Conventional-Commits subject ("${type}")` });
  else if (AREA_PREFIX.test(subject)) tells.push({ id: "message-area-prefix", evidence: `subject names its area ("${subject.slice(0, 40)}")` });
  if (SIGNED_OFF.test(body)) tells.push({ id: "message-signed-off", evidence: "Signed-off-by trailer" });
  if (ISSUE_REFERENCE_SUBJECT.test(subject)) tells.push({ id: "message-pr-number", evidence: "subject ends with a pull-request number" });
  if (squashLog) tells.push({ id: "message-squash-log", evidence: "body lists squashed commits" });
  if (HEADING.test(body) || BOLD.test(message) || SECTION_LABEL.test(body) || LABELLED_LIST.test(body)) {
    tells.push({ id: "message-markdown", evidence: "markdown sections in the message" });
  }
  const typographic = TYPOGRAPHIC.exec(message);
  if (typographic) tells.push({ id: "message-typographic", evidence: `"${typographic[0]}" in the message` });
  const vocabulary = LLM_VOCABULARY.exec(message);
  if (vocabulary) tells.push({ id: "message-vocabulary", evidence: `"${vocabulary[0]}" in the message` });
  const bullets = body.match(BULLET)?.length ?? 0;
  if (bullets >= 3 && !squashLog) tells.push({ id: "message-bullets", evidence: `${bullets} bullet points` });
  if (written.length >= 400 && !squashLog) tells.push({ id: "message-long-body", evidence: `${written.length}-character body` });
  const listRun = longestBulletRun(bodyLines);
  if (conventional && written.length >= EXPLAINED_BODY_MIN_CHARS && !squashLog) {
    tells.push({ id: "message-conventional-explained", evidence: `Conventional-Commits subject ("${type}") over a ${written.length}-character explanation` });
  }
  if (listRun >= 2 && !squashLog && bodyLines.some((line) => line.trim().length > 40 && !BULLET_LINE.test(line))) {
    tells.push({ id: "message-list-under-prose", evidence: `a ${listRun}-item list under a prose explanation` });
  }
  if (ANY_EXPLANATION_PHRASE.test(written)) {
    const phrases: string[] = [];
    for (const phrase of EXPLANATION_PHRASES) {
      const found = phrase.exec(written);
      if (found) phrases.push(`"${found[0]}"`);
    }
    if (phrases.length >= EXPLANATION_MIN_PHRASES) tells.push({ id: "message-explanation-phrases", evidence: `explanation phrases ${phrases.join(", ")}` });
  }
  if (!squashLog && HANGING_BULLET.test(written)) tells.push({ id: "message-hanging-bullets", evidence: "wrapped list items with hanging indents" });
  if (subject.length >= DESCRIPTIVE_SUBJECT_CHARS) tells.push({ id: "message-long-subject", evidence: `${subject.length}-character subject` });
  return tells;
}
