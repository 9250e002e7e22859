import { boolean, date, doublePrecision, index, integer, pgTable, smallint, timestamp, uuid } from "drizzle-orm/pg-core";
import { deployments } from "./activity.ts";
import { organizations, repositories } from "./tenancy.ts";

/**
 * Per finished production deployment, what it shipped (ADR 082): the commits since the repository's previous successful
 * production deployment, each one's minutes from authoring to the deployment finishing, and whether one of them put
 * AI-written code into a T3/T4 file. Written only by the triggers of migration 0028 on deployments, commits,
 * pull_requests, code_attribution and repositories, in the writer's transaction; application/metrics/dora.ts reads it.
 */
export const deploymentFacts = pgTable(
  "deployment_facts",
  {
    deploymentId: uuid()
      .primaryKey()
      .references(() => deployments.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repoId: uuid()
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    /** GitHub said success, or inactive (a success a later deployment replaced). */
    successful: boolean().notNull(),
    shippedCommits: integer().notNull(),
    aiHighRisk: boolean().notNull(),
    /** One per shipped commit: minutes from its author date to the deployment finishing (its creation when it never said). */
    leadMinutes: doublePrecision().array().notNull(),
  },
  (t) => [index("deployment_facts_repo_created_idx").on(t.repoId, t.createdAt), index("deployment_facts_org_created_idx").on(t.orgId, t.createdAt)],
);

/**
 * Per organisation, UTC day of creation and AI flag: the deployment_facts rows of all its repositories, counted. Several
 * rows per key when writers overlapped (0019's scheme): read with sum().
 */
export const orgDailyDeployments = pgTable(
  "org_daily_deployments",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    day: date({ mode: "string" }).notNull(),
    aiHighRisk: boolean().notNull(),
    deployments: integer().notNull().default(0),
    successful: integer().notNull().default(0),
    /** Successful deployments that shipped at least one commit. */
    shipping: integer().notNull().default(0),
  },
  (t) => [index("org_daily_deployments_org_day_idx").on(t.orgId, t.day, t.aiHighRisk, t.deployments, t.successful, t.shipping)],
);

/** Per organisation, UTC day and lead-time bucket (lead_time_bucket, 10 % wide): shipped commits of successful deployments. */
export const orgDailyLeadTimes = pgTable(
  "org_daily_lead_times",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    day: date({ mode: "string" }).notNull(),
    bucket: smallint().notNull(),
    commits: integer().notNull().default(0),
  },
  (t) => [index("org_daily_lead_times_org_day_idx").on(t.orgId, t.day, t.bucket, t.commits)],
);

/** The same per organisation, ISO week (UTC, from its Monday) and bucket: a year's range reads 52 rows per bucket, not 365. */
export const orgWeeklyLeadTimes = pgTable(
  "org_weekly_lead_times",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    week: date({ mode: "string" }).notNull(),
    bucket: smallint().notNull(),
    commits: integer().notNull().default(0),
  },
  (t) => [index("org_weekly_lead_times_org_week_idx").on(t.orgId, t.week, t.bucket, t.commits)],
);
