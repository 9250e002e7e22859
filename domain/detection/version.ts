import { DETECTOR_MODEL } from "./model.ts";

/**
 * Bump on any change to what a verdict stores — a confidence, or what its signals name: stored attributions carry
 * it, so results from different rule sets are never mixed silently, and the worker re-scores older history at start
 * (jobs/rescore.ts). Format: detector-<major>.<minor>.<patch>. 1.3.1 gives the same confidences as 1.3.0 and adds
 * the AI tool each marker names (ADR 074).
 */
export const DETECTOR_VERSION = "sentinel-detector-1.3.1";

/**
 * The share of agent commits in the data the confidences are calibrated at. A confidence of 0.7 means about 70 % of
 * such commits were agent-written when agents wrote this share of all commits; estimateAiShare re-weights it to a
 * repository's own share.
 */
export const DETECTOR_TRAINING_PRIOR = DETECTOR_MODEL.trainingPrior;
