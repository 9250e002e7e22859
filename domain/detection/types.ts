import type { AgentName, AttributedAgent } from "./agents.ts";

/**
 * The engine's input and output. A NormalisedCommit is what every source (a local git repository, GitHub's
 * "get a commit" response, a corpus record) is mapped onto before detection, so the signals never see a
 * source-specific shape.
 */

export interface GitIdentity {
  name: string;
  email: string;
  /** ISO 8601 with the commit's own UTC offset, e.g. "2024-03-01T02:13:00+01:00". Never normalised to UTC. */
  date: string;
}

export type FileStatus = "added" | "modified" | "removed" | "renamed" | "copied" | "changed";

export interface CommitFile {
  path: string;
  /** Set for renames and copies. */
  previousPath: string | null;
  status: FileStatus;
  additions: number;
  deletions: number;
  /** Unified-diff hunks starting at the first "@@", without the diff header; null when unknown or binary. */
  patch: string | null;
  /** The patch was cut short (GitHub and the corpus cap patch size); counts above stay exact. */
  patchTruncated: boolean;
  /** Known to be binary (git reports "Binary files differ"). */
  binary: boolean;
}

export type LineContributor = "human" | "ai" | "mixed";

/** Line-level authorship written by tooling (git-ai notes, Agent Trace records). */
export interface LineRecord {
  source: "git-ai" | "agent-trace";
  path: string;
  contributor: LineContributor;
  /** Tool or model that wrote the lines, when the record names one. */
  agent: string | null;
  /** Inclusive 1-based line ranges in the new version of the file. */
  ranges: Array<[number, number]>;
}

export interface PullRequestContext {
  title: string;
  body: string;
}

export interface NormalisedCommit {
  sha: string;
  parents: string[];
  message: string;
  author: GitIdentity;
  committer: GitIdentity;
  /** Branch the commit was pushed to or the PR head branch, when known. */
  branch: string | null;
  pullRequest: PullRequestContext | null;
  /** Author date (ISO 8601) of the same author's previous commit, when known. */
  authorPreviousCommitAt: string | null;
  files: CommitFile[];
  lineRecords: LineRecord[];
  /** The file list or a patch is incomplete (GitHub keeps at most 300 files; the corpus 50). */
  truncated: boolean;
}

/** The ids of explicit agent marks (markers.ts): each has a weight in ADR 010 and a label in signal-labels.ts. */
export const MARKER_SIGNAL_IDS = [
  "agent-identity",
  "agent-coauthor-trailer",
  "agent-generated-banner",
  "agent-session-trailer",
  "aider-message-prefix",
  "agent-branch",
  "agent-pr-marker",
  "line-records",
] as const;
export type MarkerSignalId = (typeof MARKER_SIGNAL_IDS)[number];
/** The ids that have a fixed meaning: the markers, an AI tool named in the pull request or message, the combined fitted
 * tells, and a file not counted toward the share. signal-labels.ts must name each. */
export type NamedSignalId = MarkerSignalId | "pr-ai-disclosure" | "fitted-tells" | "not-counted";
/** A stylistic or timing tell (signals.ts, style.ts): the fitted model decides which exist, so each family is open. */
export type TellId = `message-${string}` | `style-${string}` | `velocity-${string}` | "time-of-day";
/** Every id a verdict's signal can carry; a family whose tells were capped (model.ts) reads "<family>-capped". Verdicts
 * stored by earlier detector versions may hold other ids, so code reading stored signals keeps them as strings. */
export type SignalId = NamedSignalId | TellId | "timing-capped";

/** One piece of evidence. Weight is the probability-like strength this evidence alone gives, in [0, 1). */
export interface Signal {
  id: SignalId;
  weight: number;
  /** For a fitted tell: the factor by which it multiplies the odds that an agent wrote the commit. */
  odds?: number;
  /** Human-readable: the trailer line found, "612 lines 3 minutes after the previous commit", … */
  evidence: string;
  /**
   * On a marker: the tool that left it, or null when the mark names none (a generic "Assisted-by" trailer). Absent on
   * every other signal, and on markers stored before tools were recorded — so a stored key, even null, says "recorded".
   */
  agent?: AgentName | null;
}

export type FileKind = "code" | "test" | "docs" | "config" | "lockfile" | "generated" | "vendored" | "binary" | "translation";

export type RiskTier = 1 | 2 | 3 | 4;

export interface Complexity {
  /** Branch points among added lines: if/else if/case/loops/catch/ternaries/&&/||. */
  branches: number;
  /** Deepest nesting reached by added lines, relative to the shallowest added line of the file. */
  maxNesting: number;
  /** Function, method and lambda definitions among added lines. */
  functions: number;
}

export interface FileAttribution {
  path: string;
  previousPath: string | null;
  status: FileStatus;
  kind: FileKind;
  /** False for lockfiles, generated, vendored and binary files: they never count as anyone's written lines. */
  countsTowardShare: boolean;
  aiConfidence: number;
  riskTier: RiskTier;
  baseTier: RiskTier;
  riskReasons: string[];
  /** True when AI confidence is high and the file sits in T3/T4. */
  flagged: boolean;
  linesAdded: number;
  linesDeleted: number;
  /**
   * Of the added lines, those somebody wrote: 0 for files that do not count toward share, translation catalogues and
   * regenerated files; whitespace-only and formatter-only changes left out. AI share sums these, never linesAdded.
   */
  writtenLines: number;
  /** Why some added lines are not counted as written ("whitespace-only change: not counted"), or null. */
  exclusion: string | null;
  complexity: Complexity;
  /** Signals that apply to this file: the commit's plus the file's own (style, line records). */
  signals: Signal[];
}

export interface CommitAttribution {
  sha: string;
  /** Calibrated probability that an agent wrote the commit, at the class balance the model was fitted on. */
  confidence: number;
  /** Added lines somebody wrote: no lockfiles, generated, vendored, translation or whitespace-only changes. */
  writtenLines: number;
  signals: Signal[];
  /**
   * Which tool wrote the commit: the one its strongest marker names; "unmarked" when the confidence reaches
   * AI_CONFIDENCE_THRESHOLD with no marker naming a tool; null when the commit is not judged agent-written.
   */
  agent: AttributedAgent | null;
  detectorVersion: string;
  files: FileAttribution[];
}
