/**
 * Bump on any change that can move a confidence: stored attributions carry it, so results from different
 * rule sets are never mixed silently. Format: detector-<major>.<minor>.<patch>.
 */
export const DETECTOR_VERSION = "sentinel-detector-1.2.2";
