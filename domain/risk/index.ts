export { classifyRiskTier, defaultTier, pathWords, FLAG_CONFIDENCE, LOW_CONFIDENCE, TIER_NAMES } from "./tiers.ts";
export type { Tier, TierInput, TierOverride, TierResult } from "./tiers.ts";
export { compileRiskPattern, matchesGlob, riskPatternProblem, RISK_PATTERN_LIMITS } from "./glob.ts";
export type { CompiledRiskPattern } from "./glob.ts";
