/** The detection engine's public surface: map a commit in, get an explainable attribution out. */
export { analyzeCommit, type AnalyzeOptions } from "./engine.ts";
export { combineSignals, dedupeSignals, MAX_SIGNAL_WEIGHT } from "./combine.ts";
export { fromGitHubCommit, gitHubCommitSchema, type GitHubCommitContext, type GitHubCommitResponse } from "./github.ts";
export { stripMarkers, NEUTRAL_IDENTITY } from "./strip.ts";
export { detectAgentMarkers, agentOfIdentity } from "./markers.ts";
export { MARKER_SIGNAL_IDS } from "./types.ts";
export { parseGitAiNote, parseAgentTrace } from "./line-records.ts";
export { evaluateDetections, rocAuc, type EvaluationReport, type ScoredExample } from "./evaluation.ts";
export { classifyFileKind, countsTowardShare } from "./file-kind.ts";
export { measureComplexity } from "./complexity.ts";
export { DETECTOR_VERSION, DETECTOR_TRAINING_PRIOR } from "./version.ts";
export { AI_CONFIDENCE_THRESHOLD } from "./threshold.ts";
export type * from "./types.ts";
export { fromCorpusRecord, corpusRecordSchema, type CorpusExample } from "./corpus.ts";
