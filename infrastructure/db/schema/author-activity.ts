import { bigint, date, doublePrecision, index, integer, pgTable, smallint, text } from "drizzle-orm/pg-core";
import { orgIdColumn } from "./tenancy.ts";

/**
 * Per organisation, author login and local day (the organisation's time zone), what the team views add up (ADR 080):
 * the author's commits under their confidence bin (migration 0019's width 0.05; null while a commit has no
 * confidence) and, for commits at or above the AI threshold, the tool commit_ai_tool names (null below it): how many,
 * their written lines and the sum of their confidences. A team's figures over any whole days are these rows of its
 * people, summed, instead of every commit of theirs.
 *
 * Kept by statement-level triggers on commits (migration 0026) like the share bins: several rows per key when writers
 * overlapped (read with sum()); a row falling to zero is deleted; a change of the organisation's time zone rebuilds the
 * organisation's rows.
 */
export const authorDailyActivity = pgTable(
  "author_daily_activity",
  {
    orgId: orgIdColumn(),
    authorLogin: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    bin: smallint(),
    tool: text(),
    commits: integer().notNull().default(0),
    writtenLines: bigint({ mode: "number" }).notNull().default(0),
    confidenceSum: doublePrecision().notNull().default(0),
  },
  // The team read covers every column (an index-only scan by person and day range); the triggers find a key by its prefix.
  (t) => [index("author_daily_activity_org_author_day_idx").on(t.orgId, t.authorLogin, t.day, t.bin, t.tool, t.commits, t.writtenLines, t.confidenceSum)],
);

/**
 * The same sums per local ISO week (its Monday in the organisation's time zone), kept by the same triggers: a team's
 * range reads its whole weeks here and only the days at its edges from author_daily_activity (ADR 080).
 */
export const authorWeeklyActivity = pgTable(
  "author_weekly_activity",
  {
    orgId: orgIdColumn(),
    authorLogin: text().notNull(),
    week: date({ mode: "string" }).notNull(),
    bin: smallint(),
    tool: text(),
    commits: integer().notNull().default(0),
    writtenLines: bigint({ mode: "number" }).notNull().default(0),
    confidenceSum: doublePrecision().notNull().default(0),
  },
  (t) => [index("author_weekly_activity_org_author_week_idx").on(t.orgId, t.authorLogin, t.week, t.bin, t.tool, t.commits, t.writtenLines, t.confidenceSum)],
);

/**
 * Per organisation, author login and local day of the merge: the pull requests the author merged, and those merged with
 * no review at all (no submitted review and no first review time). The team views' other half (ADR 080), kept by
 * statement-level triggers on pull_requests (migration 0026) by the same scheme, rebuilt with the activity rows on a
 * time-zone change.
 */
export const authorDailyPullRequests = pgTable(
  "author_daily_pull_requests",
  {
    orgId: orgIdColumn(),
    authorLogin: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    merged: integer().notNull().default(0),
    mergedWithoutReview: integer().notNull().default(0),
  },
  (t) => [index("author_daily_pull_requests_org_author_day_idx").on(t.orgId, t.authorLogin, t.day, t.merged, t.mergedWithoutReview)],
);
