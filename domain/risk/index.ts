export { classifyRiskTier, defaultTier, pathWords, FLAG_CONFIDENCE, LOW_CONFIDENCE, TIER_NAMES } from "./tiers.ts";
export type { Tier, TierInput, TierOverride, TierResult } from "./tiers.ts";
export { compileGlob, matchesGlob } from "./glob.ts";
