import { classifyRiskTier, type TierOverride } from "../risk/index.ts";
import { combineSignals, dedupeSignals } from "./combine.ts";
import { measureComplexity, EMPTY_COMPLEXITY } from "./complexity.ts";
import { classifyFileKind, countsTowardShare, languageOf } from "./file-kind.ts";
import { detectAgentMarkers, lineRecordSignal } from "./markers.ts";
import { addedLines } from "./patch.ts";
import { aiDisclosureSignal, messageShapeSignal, timeOfDaySignal, velocitySignal } from "./signals.ts";
import { countStyle, emptyStyleCounts, styleSignal } from "./style.ts";
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
  added: string[];
  style: Signal | null;
}

/**
 * Tabular data (benchmark results, fixtures exported as CSV) is pasted, not written: 671 lines of a benchmark's raw.csv
 * a minute after the previous commit say nothing about who typed them. Still counted toward line totals.
 */
const DATA_FILE = /\.(?:csv|tsv|psv|jsonl|ndjson)$/i;

/** A rename or copy whose content barely changed is a move, not writing. */
function isMove(file: CommitFile): boolean {
  return (file.status === "renamed" || file.status === "copied") && file.additions <= Math.max(5, file.deletions);
}

function prepareFile(file: CommitFile): PreparedFile {
  const kind = classifyFileKind(file);
  const styled = kind === "code" || kind === "test";
  const added = styled ? addedLines(file.patch).filter((line) => line.length <= MAX_STYLED_LINE_CHARS) : [];
  const style = styled && added.length > 0 ? styleSignal(countStyle(added, languageOf(file.path), emptyStyleCounts(), kind === "test")) : null;
  return { file, kind, added, style };
}

/**
 * Scores one commit: explicit agent markers, disclosure in the PR, velocity, time of day, message shape and
 * code style, combined with diminishing returns (combineSignals). Every file inherits the commit's signals and
 * adds its own (style, line records); lockfiles, generated, vendored and binary files are marked and never
 * counted as written lines.
 */
export function analyzeCommit(commit: NormalisedCommit, options: AnalyzeOptions = {}): CommitAttribution {
  const prepared = commit.files.map(prepareFile);

  let writtenLines = 0;
  const commitStyle = emptyStyleCounts();
  for (const entry of prepared) {
    if (countsTowardShare(entry.kind) && !isMove(entry.file) && !DATA_FILE.test(entry.file.path)) writtenLines += entry.file.additions;
    if (entry.added.length > 0) countStyle(entry.added, languageOf(entry.file.path), commitStyle, entry.kind === "test");
  }

  const commitSignals: Signal[] = [...detectAgentMarkers(commit)];
  const candidates = [
    aiDisclosureSignal(commit),
    velocitySignal(commit, writtenLines),
    timeOfDaySignal(commit),
    messageShapeSignal(commit),
    styleSignal(commitStyle),
  ];
  for (const signal of candidates) if (signal) commitSignals.push(signal);
  const signals = dedupeSignals(commitSignals);
  const confidence = combineSignals(signals);

  if (options.commitOnly) return { sha: commit.sha, confidence, writtenLines, signals, detectorVersion: DETECTOR_VERSION, files: [] };

  // File-level signals replace the commit-level aggregate of the same id (style is judged per file).
  const inherited = signals.filter((signal) => signal.id !== "code-style" && signal.id !== "line-records");
  const files = prepared.map((entry): FileAttribution => {
    const own: Signal[] = [];
    if (entry.style) own.push(entry.style);
    const records = lineRecordSignal(commit.lineRecords.filter((record) => record.path === entry.file.path));
    if (records) own.push(records);
    const fileSignals = dedupeSignals([...inherited, ...own]);
    const aiConfidence = combineSignals(fileSignals);
    const tier = classifyRiskTier({ path: entry.file.path, kind: entry.kind, aiConfidence, overrides: options.tierOverrides });
    const complexity = entry.added.length > 0 ? measureComplexity(entry.added, languageOf(entry.file.path)) : { ...EMPTY_COMPLEXITY };
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
      writtenLines: countsTowardShare(entry.kind) ? entry.file.additions : 0,
      exclusion: null,
      complexity,
      signals: fileSignals,
    };
  });

  return { sha: commit.sha, confidence, writtenLines, signals, detectorVersion: DETECTOR_VERSION, files };
}
