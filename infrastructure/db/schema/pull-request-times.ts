import { bigserial, boolean, date, index, integer, pgTable, primaryKey, smallint, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./tenancy.ts";

/**
 * The pull-request lens' comparison over large ranges (ADR 084, migration 0030). Triggers on pull_requests and
 * pull_request_lines note the pull requests a statement may have moved (the queue, insert-only); the folder
 * (application/pull-requests/pull-request-times.ts, one per organisation at a time) recomputes their facts and the
 * histograms of the days they fall on. Readers add what is still queued, so nothing written is missed.
 *
 * No foreign key from the queue (written while an organisation or repository is being deleted) nor to repositories
 * from the facts (a deleted repository's facts must still be there for the folder to take them out).
 */
export const pullRequestTimeQueue = pgTable(
  "pull_request_time_queue",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    orgId: uuid().notNull(),
    repoId: uuid().notNull(),
    prNumber: integer().notNull(),
  },
  (t) => [index("pull_request_time_queue_org_idx").on(t.orgId, t.repoId, t.prNumber)],
);

/** Buckets are lead_time_bucket's (10 % wide, migration 0028); null when not merged / not reviewed. */
export const pullRequestTimeFacts = pgTable(
  "pull_request_time_facts",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid().notNull(),
    prNumber: integer().notNull(),
    /** The UTC day it was opened. */
    day: date({ mode: "string" }).notNull(),
    aiAssisted: boolean().notNull(),
    merged: boolean().notNull(),
    reviewed: boolean().notNull(),
    cycleBucket: smallint(),
    reviewBucket: smallint(),
  },
  (t) => [
    primaryKey({ name: "pull_request_time_facts_pkey", columns: [t.repoId, t.prNumber] }),
    index("pull_request_time_facts_org_day_idx").on(t.orgId, t.day, t.aiAssisted),
    index("pull_request_time_facts_repo_day_idx").on(t.repoId, t.day, t.aiAssisted),
  ],
);

/** A day's pull requests on one side: counts, and histograms as arrays whose element b + 1 counts bucket b. */
const dailyTimes = () => ({
  day: date({ mode: "string" }).notNull(),
  aiAssisted: boolean().notNull(),
  pullRequests: integer().notNull(),
  merged: integer().notNull(),
  reviewed: integer().notNull(),
  mergedWithoutReview: integer().notNull(),
  cycleBuckets: integer().array().notNull(),
  reviewBuckets: integer().array().notNull(),
});

export const orgDailyPullRequestTimes = pgTable(
  "org_daily_pull_request_times",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    ...dailyTimes(),
  },
  (t) => [primaryKey({ name: "org_daily_pull_request_times_pkey", columns: [t.orgId, t.day, t.aiAssisted] })],
);

export const repoDailyPullRequestTimes = pgTable(
  "repo_daily_pull_request_times",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid().notNull(),
    ...dailyTimes(),
  },
  (t) => [primaryKey({ name: "repo_daily_pull_request_times_pkey", columns: [t.repoId, t.day, t.aiAssisted] })],
);
