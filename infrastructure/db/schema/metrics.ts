import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { orgIdColumn, repoIdColumn, repositoryRowColumns } from "./tenancy.ts";

/**
 * The unified-diff patch of each counted file of each analysed commit, as the analysis saw it (ADR 030). Line
 * provenance (churn, AI tax, survival) is recomputed from these rows by replaying them per file; GitHub is never
 * asked again. Lockfiles, generated and vendored files are not stored: their lines belong to nobody.
 */
export const commitFilePatches = pgTable(
  "commit_file_patches",
  {
    ...repositoryRowColumns(),
    commitSha: text().notNull(),
    filePath: text().notNull(),
    previousPath: text(),
    /** added, modified, removed, renamed, copied, changed (GitHub's file status). */
    status: text().notNull(),
    /** Null when GitHub sent none (binary, or too large); with `patchTruncated` the file's lines become unknown. */
    patch: text(),
    patchTruncated: boolean().notNull().default(false),
    /** The file's AI confidence ≥ 0.5 at analysis time: every line this patch adds is an AI line. */
    aiAuthored: boolean().notNull(),
    authoredAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: "commit_file_patches_pkey", columns: [t.repoId, t.commitSha, t.filePath] }),
    index("commit_file_patches_repo_authored_idx").on(t.repoId, t.authoredAt),
  ],
);

export type SurvivalCurvePoint = { days: number; survival: number };

/** Per repository, weekly cohort (local Monday) and author kind: how many of the cohort's lines are still alive. */
export const lineSurvival = pgTable(
  "line_survival",
  {
    ...repositoryRowColumns(),
    cohortWeek: date({ mode: "string" }).notNull(),
    authorKind: text({ enum: ["ai", "human"] }).notNull(),
    linesBorn: integer().notNull(),
    linesDied: integer().notNull(),
    /** Lines whose fate became unknown (truncated patch) before they died: censored, like lines still alive. */
    linesLost: integer().notNull(),
    /** Kaplan–Meier survival after 1, 2, 4, 8 and 12 weeks; null until the cohort is that old. */
    survivalW1: real(),
    survivalW2: real(),
    survivalW4: real(),
    survivalW8: real(),
    survivalW12: real(),
    /** Exponential fit (deaths ÷ total exposure); null when no line of the cohort died yet. */
    halfLifeDays: real(),
    /** Whole Kaplan–Meier step curve, for the dashboard. */
    curve: jsonb().$type<SurvivalCurvePoint[]>().notNull().default([]),
    asOf: timestamp({ withTimezone: true }).notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("line_survival_repo_week_kind_key").on(t.repoId, t.cohortWeek, t.authorKind),
    check("line_survival_counts", sql`${t.linesDied} + ${t.linesLost} <= ${t.linesBorn}`),
  ],
);

/** Hourly review-queue health per repository (monitor-saturation-hourly), one row per repository and hour. */
export const reviewQueueSnapshots = pgTable(
  "review_queue_snapshots",
  {
    ...repositoryRowColumns(),
    /** The hour the snapshot describes (truncated to the hour, UTC instant). */
    takenAt: timestamp({ withTimezone: true }).notNull(),
    /** Open, non-draft PRs awaiting a first review. */
    waiting: integer().notNull(),
    oldestWaitMinutes: real(),
    /** Ready for review → first review, median over PRs first reviewed in the previous 30 days. */
    medianPickupMinutes: real(),
    /** Waiting PRs older than 3 days (LinearB's "hanging"). */
    hanging: integer().notNull(),
    /** Share (0–1) of waiting PRs flagged as AI-written; null when nothing waits. */
    aiWaitingShare: real(),
    computedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("review_queue_snapshots_repo_taken_key").on(t.repoId, t.takenAt),
    index("review_queue_snapshots_org_taken_idx").on(t.orgId, t.takenAt.desc()),
  ],
);

/**
 * Repositories whose stored verdicts changed under their metrics (a re-score): the authored-time range whose days,
 * and the churn window after them, must be recomputed. Marked before the verdicts are written and cleared only
 * after the recompute, so a run killed in between leaves the mark for the next run (ingest/rescore.ts).
 */
export const metricsStaleRanges = pgTable("metrics_stale_ranges", {
  orgId: orgIdColumn(),
  repoId: repoIdColumn().primaryKey(),
  firstAuthoredAt: timestamp({ withTimezone: true }).notNull(),
  lastAuthoredAt: timestamp({ withTimezone: true }).notNull(),
  /** Changes with every widening, so a recompute that started before it does not clear the newer mark. */
  markedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
