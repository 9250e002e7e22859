import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { CHANNEL_KINDS } from "../../../domain/alerts/channel-kinds.ts";
import type { TierCounts } from "../../../domain/risk/tiers.ts";
import { belongsTo } from "./columns.ts";
import { orgIdColumn, repoIdColumn, repositories, repositoryRowColumns, users } from "./tenancy.ts";


/** One row per repository per day, written with ON CONFLICT (repo_id, date) DO UPDATE so reruns converge. */
export const repoMetrics = pgTable(
  "repo_metrics",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ...repositoryRowColumns(),
    date: date({ mode: "string" }).notNull(),
    commits: integer().notNull().default(0),
    aiCommits: integer().notNull().default(0),
    linesAdded: integer().notNull().default(0),
    aiLinesAdded: integer().notNull().default(0),
    linesDeleted: integer().notNull().default(0),
    /** Written lines (counted files' `written_lines`): what AI share is a share of. */
    writtenLines: integer().notNull().default(0),
    /**
     * Estimated AI share of the day's written lines × 100, with the repository's prior fitted over the 90 days ending
     * with this one (ADR 033); `ai_lines_added` is the expected AI-written lines behind it, rounded.
     */
    aiPercentage: real().notNull().default(0),
    /** Plausible range (about 95 %) of `ai_percentage`; null on a day without written lines. */
    aiShareLow: real(),
    aiShareHigh: real(),
    /** The repository's estimated share of agent commits over those 90 days (0–1). */
    aiPrior: real(),
    /** The detector version of the day's newest verdict (null on a day without analysed commits). */
    detectorVersion: text(),
    /** Written lines per risk tier, and the expected AI-written share of them (same adjusted confidences). */
    linesByTier: jsonb().$type<TierCounts>(),
    aiLinesByTier: jsonb().$type<TierCounts>(),
    highRiskFiles: integer().notNull().default(0),
    aiChurnLines: integer(),
    humanChurnLines: integer(),
    aiTax: real(),
    humanTax: real(),
    prsOpened: integer().notNull().default(0),
    prsMerged: integer().notNull().default(0),
    reviewQueueDepth: integer(),
    medianPickupMinutes: real(),
    deployments: integer().notNull().default(0),
    incidentsOpened: integer().notNull().default(0),
    changeFailureRate: real(),
    computedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("repo_metrics_repo_date_key").on(t.repoId, t.date.desc().nullsFirst()),
    check("repo_metrics_ai_percentage_range", sql`${t.aiPercentage} >= 0 and ${t.aiPercentage} <= 100`),
  ],
);

export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    kind: text({ enum: CHANNEL_KINDS }).notNull(),
    name: text().notNull(),
    /** Kind-specific settings (Slack channel id, email addresses, PagerDuty routing key); validated by zod. */
    config: jsonb().$type<Record<string, unknown>>().notNull(),
    enabled: boolean().notNull().default(true),
    /** Opt-in: the weekly digest (issue 18) is sent to this channel too. */
    weeklyDigest: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("notification_channels_org_idx").on(t.orgId)],
);

/** How one message to one channel went: alert_deliveries and digest_deliveries both keep these. */
const channelDeliveryColumns = () => ({
  status: text({ enum: ["pending", "sent", "failed"] })
    .notNull()
    .default("pending"),
  attempts: integer().notNull().default(0),
  lastError: text(),
  /** What the channel returned (Slack message ts, Resend email id, PagerDuty dedup key). */
  externalId: text(),
  sentAt: timestamp({ withTimezone: true }),
});

/**
 * One weekly digest per channel and week (the Monday it covers up to, in the organisation's zone): the primary key
 * is the send-once guard, like alert_deliveries for alerts. A retried job finds the row and sends nothing twice.
 */
export const digestDeliveries = pgTable(
  "digest_deliveries",
  {
    orgId: orgIdColumn(),
    channelId: belongsTo(() => notificationChannels.id),
    weekStart: date({ mode: "string" }).notNull(),
    ...channelDeliveryColumns(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "digest_deliveries_pkey", columns: [t.channelId, t.weekStart] }), index("digest_deliveries_org_week_idx").on(t.orgId, t.weekStart)],
);

export const alerts = pgTable(
  "alerts",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    repoId: uuid().references(() => repositories.id, { onDelete: "cascade" }),
    rule: text().notNull(),
    severity: text({ enum: ["info", "warning", "critical"] }).notNull(),
    title: text().notNull(),
    /** The numbers that triggered the rule, so a message can say "95 % (threshold 90 %)". */
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    triggeredAt: timestamp({ withTimezone: true }).notNull(),
    /** Per-channel delivery summary; the authoritative rows are in alert_deliveries. */
    deliveryStatus: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    sentAt: timestamp({ withTimezone: true }),
    acknowledgedAt: timestamp({ withTimezone: true }),
    acknowledgedBy: uuid().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    index("alerts_repo_triggered_idx").on(t.repoId, t.triggeredAt.desc().nullsFirst()),
    index("alerts_org_triggered_idx").on(t.orgId, t.triggeredAt.desc().nullsFirst()),
  ],
);

export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    alertId: belongsTo(() => alerts.id),
    channelId: belongsTo(() => notificationChannels.id),
    ...channelDeliveryColumns(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.alertId, t.channelId] })],
);

export const incidents = pgTable(
  "incidents",
  {
    id: uuid().primaryKey().defaultRandom(),
    ...repositoryRowColumns(),
    title: text().notNull(),
    description: text(),
    severity: text({ enum: ["sev1", "sev2", "sev3", "sev4"] }).notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    resolvedAt: timestamp({ withTimezone: true }),
    source: text({ enum: ["manual", "api", "pagerduty", "demo"] }).notNull().default("manual"),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("incidents_org_started_idx").on(t.orgId, t.startedAt.desc().nullsFirst()),
    index("incidents_repo_started_idx").on(t.repoId, t.startedAt.desc().nullsFirst()),
    check("incidents_resolved_after_start", sql`${t.resolvedAt} is null or ${t.resolvedAt} >= ${t.startedAt}`),
  ],
);

/** Commits suspected of causing an incident (same repository as the incident). */
export const incidentCommits = pgTable(
  "incident_commits",
  {
    incidentId: belongsTo(() => incidents.id),
    repoId: repoIdColumn(),
    commitSha: text().notNull(),
    note: text(),
    linkedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.commitSha] }), index("incident_commits_repo_sha_idx").on(t.repoId, t.commitSha)],
);

/**
 * The 24-hour alert dedup guard (ADR 040): one row per (organisation, rule, repository key) holding the last
 * alert that fired. Claiming a slot is one `INSERT … ON CONFLICT … DO UPDATE … WHERE the last alert is 24 h
 * old`: concurrent evaluations serialise on the row, so at most one of them gets a row back and creates the alert.
 */
export const alertDedup = pgTable(
  "alert_dedup",
  {
    orgId: orgIdColumn(),
    rule: text().notNull(),
    /** The repository id, or "org" for organisation-wide alerts (a primary key cannot contain nulls). */
    repoKey: text().notNull(),
    alertId: uuid().notNull(),
    lastTriggeredAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ name: "alert_dedup_pkey", columns: [t.orgId, t.rule, t.repoKey] })],
);
