import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, real, smallint, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { CODE_EVENT_TYPES, type CodeEventType } from "../../../domain/ingestion/event-types.ts";
import { perRiskTier } from "./columns.ts";
import { repositoryRowColumns } from "./tenancy.ts";

/**
 * Every webhook delivery Sentinel accepted, keyed by GitHub's X-GitHub-Delivery. GitHub signs no timestamp,
 * so this unique key is the replay guard; the payload stays here so a lost queue job can be re-queued.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    deliveryId: text().primaryKey(),
    event: text().notNull(),
    action: text(),
    installationId: bigint({ mode: "number" }),
    status: text({ enum: ["queued", "processed", "ignored", "failed"] })
      .notNull()
      .default("queued"),
    payload: jsonb().$type<Record<string, unknown>>(),
    error: text(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("webhook_deliveries_status_idx").on(t.status, t.receivedAt)],
);

export { CODE_EVENT_TYPES, type CodeEventType };

/** Append-only source of truth: everything else (attribution, metrics, alerts) can be recomputed from it. */
export const codeEvents = pgTable(
  "code_events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ...repositoryRowColumns(),
    type: text({ enum: CODE_EVENT_TYPES }).notNull(),
    /** Idempotency key within the repository, e.g. `commit/<sha>` or `pr/<n>/review/<review id>`. */
    eventKey: text().notNull(),
    commitSha: text(),
    prNumber: integer(),
    branch: text(),
    actor: text(),
    timestamp: timestamp({ withTimezone: true }).notNull(),
    deliveryId: text(),
    /** The fields Sentinel reads, not GitHub's whole payload. */
    payload: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("code_events_repo_event_key").on(t.repoId, t.eventKey),
    // The events feed: newest first (by id, read backwards) for the organisation, one repository, one type, or both
    // (ADR 060). Ascending on purpose: `order by id desc` is DESC NULLS FIRST, which a DESC (NULLS LAST) index does
    // not provide, so the planner walked the primary key instead.
    // The design's time index: a repository's events by time (metrics windows, exports, operators' queries).
    index("code_events_repo_timestamp_idx").on(t.repoId, t.timestamp.desc().nullsFirst()),
    index("code_events_org_id_idx").on(t.orgId, t.id),
    index("code_events_repo_id_idx").on(t.repoId, t.id),
    index("code_events_org_type_id_idx").on(t.orgId, t.type, t.id),
    index("code_events_repo_type_id_idx").on(t.repoId, t.type, t.id),
    index("code_events_commit_sha_idx").on(t.commitSha).where(sql`${t.commitSha} is not null`),
  ],
);

/** One row per commit and repository: the commit-level verdict that the per-file rows share. */
export const commits = pgTable(
  "commits",
  {
    ...repositoryRowColumns(),
    sha: text().notNull(),
    authorName: text(),
    authorEmail: text(),
    authorLogin: text(),
    /** Author date with its original offset kept in `authoredOffsetMinutes`: time of day is read in the author's zone. */
    authoredAt: timestamp({ withTimezone: true }).notNull(),
    authoredOffsetMinutes: smallint(),
    committedAt: timestamp({ withTimezone: true }),
    messageHeadline: text().notNull().default(""),
    branch: text(),
    prNumber: integer(),
    onDefaultBranch: boolean().notNull().default(false),
    analysisStatus: text({ enum: ["pending", "analyzed", "skipped", "failed"] })
      .notNull()
      .default("pending"),
    skipReason: text(),
    aiConfidence: real(),
    signals: jsonb().$type<unknown[]>().notNull().default([]),
    linesAdded: integer().notNull().default(0),
    linesDeleted: integer().notNull().default(0),
    /**
     * Written lines (the counted files' `written_lines`), in all and by the files' risk tiers: what AI share is a share
     * of. Set with the verdict, in the statement that writes the commit's attribution rows, so the share rollup
     * (repo_daily_share_bins) is a function of this row alone (ADR 033).
     */
    writtenLines: integer().notNull().default(0),
    ...perRiskTier("writtenLines", "written_lines", (name) => integer(name).notNull().default(0)),
    detectorVersion: text(),
    analyzedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: "commits_pkey", columns: [t.repoId, t.sha] }),
    index("commits_repo_authored_idx").on(t.repoId, t.authoredAt.desc().nullsFirst()),
    // A PR's commits (is the PR AI-flagged? did this commit land through a merged PR?): metrics and review queue.
    index("commits_repo_pr_idx").on(t.repoId, t.prNumber).where(sql`${t.prNumber} is not null`),
    // The events feed's minimum-confidence filter finds rare high-confidence commits here, not by scanning events.
    index("commits_org_ai_confidence_idx").on(t.orgId, t.aiConfidence),
    // The incident form's suspects: commits that landed between two deployments (ADR 060).
    index("commits_repo_landed_idx").on(t.repoId, sql`coalesce(${t.committedAt}, ${t.authoredAt})`),
    // Team and person views: one author's commits over a range, across the organisation's repositories.
    index("commits_org_author_idx").on(t.orgId, t.authorLogin, t.authoredAt).where(sql`${t.authorLogin} is not null`),
    check("commits_ai_confidence_range", sql`${t.aiConfidence} is null or (${t.aiConfidence} >= 0 and ${t.aiConfidence} <= 1)`),
  ],
);

/**
 * What the detection engine read for a commit that no other table keeps: the whole message, author and committer,
 * parents, line records, the file list, and the head of each uncounted file's patch (counted files' patches are in
 * `commit_file_patches`). Written with every verdict, so `sentinel rescore` can run a new detector over stored
 * history without asking GitHub again (ingest/detection-input.ts). Commits analysed before it existed have no row.
 */
export const commitDetectionInputs = pgTable(
  "commit_detection_inputs",
  {
    ...repositoryRowColumns(),
    commitSha: text().notNull(),
    /** A versioned document (`v`): see StoredDetectionInput. */
    input: jsonb().$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ name: "commit_detection_inputs_pkey", columns: [t.repoId, t.commitSha] })],
);

/** Per commit, per file: how likely the change is AI-written, why, and how risky the file is. */
export const codeAttribution = pgTable(
  "code_attribution",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ...repositoryRowColumns(),
    commitSha: text().notNull(),
    filePath: text().notNull(),
    previousPath: text(),
    changeType: text().notNull(),
    /** code, test, docs, config, lockfile, generated, vendored, binary. */
    fileKind: text().notNull().default("code"),
    /** False for lockfiles, generated, vendored and binary files: nobody wrote those lines. */
    countsTowardShare: boolean().notNull().default(true),
    aiConfidence: real().notNull(),
    signals: jsonb().$type<unknown[]>().notNull().default([]),
    riskTier: smallint().notNull(),
    baseRiskTier: smallint().notNull(),
    riskReasons: jsonb().$type<string[]>().notNull().default([]),
    linesAdded: integer().notNull().default(0),
    linesDeleted: integer().notNull().default(0),
    /** Of the added lines, those somebody wrote (0 for uncounted files, regenerated catalogues, whitespace-only changes). */
    writtenLines: integer().notNull().default(0),
    /** Why some added lines are not counted as written ("regenerated translation catalogue: not counted"), or null. */
    exclusion: text(),
    complexity: jsonb().$type<{ branches: number; maxNesting: number; functions: number }>(),
    detectorVersion: text().notNull(),
    authoredAt: timestamp({ withTimezone: true }).notNull(),
    analyzedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // (repo_id, commit_sha, file_path), not (commit_sha, file_path): two organisations tracking the same
    // fork must never overwrite each other's rows.
    uniqueIndex("code_attribution_repo_commit_file_key").on(t.repoId, t.commitSha, t.filePath),
    index("code_attribution_repo_ai_confidence_idx").on(t.repoId, t.aiConfidence.desc().nullsFirst()),
    index("code_attribution_repo_authored_idx").on(t.repoId, t.authoredAt.desc().nullsFirst()),
    // The file page: one file's commits in a range, newest first (migration 0031).
    index("code_attribution_repo_file_authored_idx").on(t.repoId, t.filePath, t.authoredAt.desc().nullsFirst()),
    // The repository page's high-risk files: AI-written code in T3/T4 files, a small share of all rows (ADR 060).
    // 0.5 is AI_CONFIDENCE_THRESHOLD, fixed by the migration that built the index (ai-threshold.test.ts checks it).
    index("code_attribution_repo_high_risk_idx")
      .on(t.repoId, t.authoredAt)
      .where(sql`${t.riskTier} >= 3 and ${t.aiConfidence} >= 0.5`),
    check("code_attribution_ai_confidence_range", sql`${t.aiConfidence} >= 0 and ${t.aiConfidence} <= 1`),
    check("code_attribution_risk_tier_range", sql`${t.riskTier} between 1 and 4 and ${t.baseRiskTier} between 1 and 4`),
  ],
);

/** Current state of each pull request, folded from its events (the review queue reads this). */
export const pullRequests = pgTable(
  "pull_requests",
  {
    ...repositoryRowColumns(),
    number: integer().notNull(),
    githubId: bigint({ mode: "number" }),
    title: text().notNull().default(""),
    body: text(),
    authorLogin: text(),
    headRef: text(),
    headSha: text(),
    baseRef: text(),
    state: text({ enum: ["open", "closed", "merged"] })
      .notNull()
      .default("open"),
    draft: boolean().notNull().default(false),
    openedAt: timestamp({ withTimezone: true }).notNull(),
    readyForReviewAt: timestamp({ withTimezone: true }),
    firstReviewAt: timestamp({ withTimezone: true }),
    mergedAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    mergeCommitSha: text(),
    aiMarkers: jsonb().$type<string[]>().notNull().default([]),
    /** Submitted reviews (pull_request_review "submitted"), approvals among them, and reviews that said something (a body). */
    reviewCount: integer().notNull().default(0),
    approvalCount: integer().notNull().default(0),
    commentedReviewCount: integer().notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("pull_requests_repo_number_key").on(t.repoId, t.number),
    // The organisation's pull-request list, newest first, over a time range.
    index("pull_requests_org_opened_idx").on(t.orgId, t.openedAt),
    // The pull-request lens' comparison (ADR 079): every column it reads of a range's ~50,000 pull requests, so they are
    // an index-only scan (drizzle has no INCLUDE: all key columns), and the few with agent markers in an index of their own.
    index("pull_requests_org_opened_covering_idx").on(t.orgId, t.openedAt, t.repoId, t.number, t.mergedAt, t.firstReviewAt, t.readyForReviewAt),
    index("pull_requests_org_opened_marked_idx")
      .on(t.orgId, t.openedAt, t.repoId, t.number)
      .where(sql`jsonb_array_length(${t.aiMarkers}) > 0`),
    // Team views: the pull requests a team's people merged in a range (without it the bench's teams read scanned the table).
    index("pull_requests_org_author_merged_idx").on(t.orgId, t.authorLogin, t.mergedAt).where(sql`${t.mergedAt} is not null`),
    index("pull_requests_repo_state_idx").on(t.repoId, t.state, t.openedAt),
    // What a production deployment shipped includes the pull requests merged since the one before (DORA lead time).
    index("pull_requests_repo_merged_idx").on(t.repoId, t.mergedAt).where(sql`${t.mergedAt} is not null`),
  ],
);

/** Current state of each deployment, folded from deployment and deployment_status events. */
export const deployments = pgTable(
  "deployments",
  {
    id: uuid().primaryKey().defaultRandom(),
    ...repositoryRowColumns(),
    githubId: bigint({ mode: "number" }).notNull(),
    sha: text().notNull(),
    ref: text(),
    environment: text().notNull(),
    isProduction: boolean().notNull().default(false),
    status: text({ enum: ["pending", "queued", "in_progress", "success", "failure", "error", "inactive"] })
      .notNull()
      .default("pending"),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    finishedAt: timestamp({ withTimezone: true }),
    creatorLogin: text(),
  },
  (t) => [
    uniqueIndex("deployments_repo_github_id_key").on(t.repoId, t.githubId),
    index("deployments_repo_created_idx").on(t.repoId, t.createdAt.desc().nullsFirst()),
    // Production deployments are a few of a repository's (staging and previews are most): DORA and the incident form
    // read a range of them and, per deployment, the one before.
    index("deployments_repo_production_idx").on(t.repoId, t.createdAt).where(sql`${t.isProduction}`),
  ],
);
