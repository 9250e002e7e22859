import { classifyRiskTier, type TierOverride } from "../risk/index.ts";
import { UNMARKED_AGENT, type AttributedAgent } from "./agents.ts";
import { combineSignals, dedupeSignals } from "./combine.ts";
import { measureComplexity, EMPTY_COMPLEXITY } from "./complexity.ts";
import { classifyFileKind, countsTowardShare, languageOf } from "./file-kind.ts";
import { detectAgentMarkers, lineRecordSignal } from "./markers.ts";
import { addedLines } from "./patch.ts";
import { scoreTells } from "./model.ts";
import { aiDisclosureSignal, messageTells, timeOfDayTell, velocityTell, type Tell } from "./signals.ts";
import { countStyle, emptyStyleCounts, styleTells } from "./style.ts";
import { regeneratedCommitReason, translationCommitReason, writtenLinesOf, type WrittenLines } from "./written-lines.ts";
import { AI_CONFIDENCE_THRESHOLD } from "./threshold.ts";
import type { CommitAttribution, CommitFile, FileAttribution, FileKind, NormalisedCommit, Signal } from "./types.ts";
import { DETECTOR_VERSION } from "./version.ts";

export interface AnalyzeOptions {
  /** Per-repository risk-tier overrides, first match wins. */
  tierOverrides?: readonly TierOverride[];
  /** Skip per-file complexity and tiers when only the commit confidence is needed (eval). */
  commitOnly?: boolean;
}

/**
 * Added lines longer than this are left out of style and complexity. Nobody writes such a line by hand (it is minified
 * code, a data blob or padding), so it is no evidence of anyone's style; and the style and complexity patterns
 * backtrack on long whitespace runs, so one 20,000-character line took seconds (found by engine.fuzz.test.ts).
 */
export const MAX_STYLED_LINE_CHARS = 1_000;

interface PreparedFile {
  file: CommitFile;
  kind: FileKind;
  written: WrittenLines;
}

/**
 * Tabular data (benchmark results, fixtures exported as CSV) is pasted, not written: 671 lines of a benchmark's raw.csv
 * a minute after the previous commit say nothing about who typed them.
 */
const DATA_FILE = /\.(?:csv|tsv|psv|jsonl|ndjson)$/i;

/** A rename or copy whose content barely changed is a move, not writing. */
function isMove(file: CommitFile): boolean {
  return (file.status === "renamed" || file.status === "copied") && file.additions <= Math.max(5, file.deletions);
}

function prepareFiles(commit: NormalisedCommit): PreparedFile[] {
  const commitReason = translationCommitReason(commit);
  const regeneratedReason = regeneratedCommitReason(commit.message);
  return commit.files.map((file) => {
    const kind = classifyFileKind(file);
    const written = writtenLinesOf(file, { kind, moved: isMove(file), data: DATA_FILE.test(file.path), commitReason, regeneratedReason });
    return { file, kind, written };
  });
}

export interface CommitTells {
  tells: Tell[];
  writtenLines: number;
}

function tellsOf(commit: NormalisedCommit, prepared: readonly PreparedFile[]): CommitTells {
  let writtenLines = 0;
  const style = emptyStyleCounts();
  for (const entry of prepared) {
    writtenLines += entry.written.count;
    if (entry.kind !== "code" && entry.kind !== "test") continue;
    const lines = entry.written.lines.filter((line) => line.length <= MAX_STYLED_LINE_CHARS);
    if (lines.length > 0) countStyle(lines, languageOf(entry.file.path), style, entry.kind === "test");
  }
  const tells: Tell[] = [...messageTells(commit), ...styleTells(style)];
  const velocity = velocityTell(commit, writtenLines);
  if (velocity) tells.push(velocity);
  const night = timeOfDayTell(commit);
  if (night) tells.push(night);
  return { tells, writtenLines };
}

/** The named tells of a commit and its written lines: what the model scores (and what scripts/fit-detector.ts fits on). */
export function extractCommitTells(commit: NormalisedCommit): CommitTells {
  return tellsOf(commit, prepareFiles(commit));
}

/** Noisy-OR of near-certain evidence over the model's probability: a marker of 0.95 lifts anything to at least 0.95. */
export function withMarkers(probability: number, markers: readonly Signal[]): number {
  return combineSignals([{ id: "fitted-tells", weight: probability, evidence: "" }, ...markers]);
}

/**
 * Of two markers of the same id and weight, the one naming a tool goes first, so that it is the one dedupeSignals keeps
 * (it keeps the first of equals): the weights, and so the confidence, are the same either way.
 */
function namingToolFirst(markers: readonly Signal[]): Signal[] {
  return [...markers].sort((a, b) => Number(Boolean(b.agent)) - Number(Boolean(a.agent)));
}

/**
 * The tool of the strongest marker that names one (signals come strongest first, as dedupeSignals orders them);
 * "unmarked" for a commit judged agent-written without one; null for a commit not judged agent-written.
 */
export function attributedAgent(confidence: number, signals: readonly Signal[]): AttributedAgent | null {
  if (confidence < AI_CONFIDENCE_THRESHOLD) return null;
  return signals.find((signal) => signal.agent)?.agent ?? UNMARKED_AGENT;
}

/**
 * Scores one commit. Explicit agent markers (identities, trailers, banners, agent branches, PR markers, line records)
 * and an explicit disclosure are near-certain and combine by noisy-OR; every other tell — message shape, code style,
 * velocity, time of day — is a named feature of a fitted logistic model (model.ts), shown with the factor by which it
 * moves the odds. No stylistic tell decides alone. Velocity and style read only written lines: translation catalogues,
 * regenerated, generated, vendored and lockfiles, moves and whitespace-only changes are excluded, each with its reason.
 */
export function analyzeCommit(commit: NormalisedCommit, options: AnalyzeOptions = {}): CommitAttribution {
  const prepared = prepareFiles(commit);
  const { tells, writtenLines } = tellsOf(commit, prepared);
  const scored = scoreTells(tells);
  const markers = dedupeSignals(namingToolFirst(detectAgentMarkers(commit).filter((signal) => signal.id !== "line-records")));
  const disclosure = aiDisclosureSignal(commit);
  const certain = disclosure ? dedupeSignals([...markers, disclosure]) : markers;
  const confidence = withMarkers(scored.probability, certain);
  const signals = [...certain, ...scored.signals];
  const agent = attributedAgent(confidence, certain);

  if (options.commitOnly) return { sha: commit.sha, confidence, writtenLines, signals, agent, detectorVersion: DETECTOR_VERSION, files: [] };

  const files = prepared.map((entry): FileAttribution => {
    const records = lineRecordSignal(commit.lineRecords.filter((record) => record.path === entry.file.path));
    const fileSignals = records ? [records, ...signals] : signals;
    const aiConfidence = records ? withMarkers(confidence, [records]) : confidence;
    const tier = classifyRiskTier({ path: entry.file.path, kind: entry.kind, aiConfidence, overrides: options.tierOverrides });
    // Complexity reads every added line of code and tests; only a full attribution needs it, never eval's scoring.
    const added = entry.kind === "code" || entry.kind === "test" ? addedLines(entry.file.patch).filter((line) => line.length <= MAX_STYLED_LINE_CHARS) : [];
    const complexity = added.length > 0 ? measureComplexity(added, languageOf(entry.file.path)) : { ...EMPTY_COMPLEXITY };
    return {
      path: entry.file.path,
      previousPath: entry.file.previousPath,
      status: entry.file.status,
      kind: entry.kind,
      countsTowardShare: countsTowardShare(entry.kind),
      aiConfidence,
      riskTier: tier.tier,
      baseTier: tier.baseTier,
      riskReasons: tier.reasons,
      flagged: tier.flagged,
      linesAdded: entry.file.additions,
      linesDeleted: entry.file.deletions,
      writtenLines: entry.written.count,
      exclusion: entry.written.exclusion,
      complexity,
      signals: entry.written.exclusion ? [...fileSignals, { id: "not-counted", weight: 0, evidence: entry.written.exclusion }] : fileSignals,
    };
  });

  return { sha: commit.sha, confidence, writtenLines, signals, agent, detectorVersion: DETECTOR_VERSION, files };
}
