import { DETECTOR_MODEL } from "./model.ts";

/**
 * Bump on any change that can move a confidence: stored attributions carry it, so results from different
 * rule sets are never mixed silently. Format: detector-<major>.<minor>.<patch>.
 */
export const DETECTOR_VERSION = "sentinel-detector-1.3.0";

/**
 * The share of agent commits in the data the confidences are calibrated at. A confidence of 0.7 means about 70 % of
 * such commits were agent-written when agents wrote this share of all commits; estimateAiShare re-weights it to a
 * repository's own share.
 */
export const DETECTOR_TRAINING_PRIOR = DETECTOR_MODEL.trainingPrior;
