/**
 * The confidence at or above which a commit counts as AI-attributed (aiCommits) and a file's added lines as
 * AI-written (high-risk AI files, incident and alert AI lines). AI share is not a count at a threshold: it is
 * estimated (ADR 033). SQL that filters on it interpolates this constant, except what a migration fixed: the partial
 * index code_attribution_repo_high_risk_idx (infrastructure/db/schema/activity.ts) and the rollup trigger functions
 * (migrations 0009/0010) say `>= 0.5` literally; threshold.test.ts in infrastructure/db checks they still agree.
 */
export const AI_CONFIDENCE_THRESHOLD = 0.5;
