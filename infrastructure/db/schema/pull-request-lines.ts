import { index, integer, pgTable, timestamp } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { perRiskTier } from "./columns.ts";
import { repositoryRowColumns } from "./tenancy.ts";

/**
 * Per pull request, the figures the pull-request lens shows and classifies by (ADR 079, migration 0025): its commits'
 * written lines, of them the AI-written ones (counted files at AI confidence ≥ 0.5), and its AI-written files per risk
 * tier (any file at AI confidence ≥ 0.5, counted or not). Written only by statement-level triggers on commits,
 * code_attribution and pull_requests, so a range of pull requests is read without touching commits or attribution.
 *
 * A pull request may have several rows: a write adds to a row no other open transaction holds (FOR UPDATE SKIP
 * LOCKED) or inserts its own, so no writer ever waits on this table. A pull request's figures are the sum of its rows.
 * `opened_at` is the pull request's opening time when it was known as the row was written, else null.
 */
export const pullRequestLines = pgTable(
  "pull_request_lines",
  {
    ...repositoryRowColumns(),
    prNumber: integer().notNull(),
    openedAt: timestamp({ withTimezone: true }),
    writtenLines: integer().notNull().default(0),
    aiLines: integer().notNull().default(0),
    ...perRiskTier("aiFiles", "ai_files", (name) => integer(name).notNull().default(0)),
  },
  (t) => [
    // A page's rows: each pull request's figures from the index alone (drizzle has no INCLUDE: all key columns).
    index("pull_request_lines_repo_pr_idx").on(t.repoId, t.prNumber, t.writtenLines, t.aiLines, t.aiFilesT1, t.aiFilesT2, t.aiFilesT3, t.aiFilesT4),
    // A range's AI-written pull requests, for the AI-assisted vs human split.
    index("pull_request_lines_org_opened_ai_idx")
      .on(t.orgId, t.openedAt, t.repoId, t.prNumber, t.aiLines)
      .where(sql`${t.aiLines} <> 0`),
  ],
);
