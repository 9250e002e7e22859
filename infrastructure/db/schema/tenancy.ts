import { sql } from "drizzle-orm";
import { bigint, boolean, index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { MEMBER_ROLES } from "../../../domain/access/roles.ts";
import { belongsTo } from "./columns.ts";

export const memberRole = pgEnum("member_role", MEMBER_ROLES);

/** The multi-tenant root. Every row below belongs to exactly one organisation. */
export const organizations = pgTable(
  "organizations",
  {
    id: uuid().primaryKey().defaultRandom(),
    slug: text().notNull(),
    name: text().notNull(),
    githubAccountId: bigint({ mode: "number" }),
    githubAccountLogin: text(),
    githubAccountType: text(),
    /** IANA zone used for "yesterday" in daily metrics and for schedules. */
    timezone: text().notNull().default("America/Los_Angeles"),
    plan: text().notNull().default("self-hosted"),
    /** Alert thresholds, rule switches and other per-organisation settings; validated by zod on read. */
    settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    isDemo: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("organizations_slug_key").on(t.slug),
    uniqueIndex("organizations_github_account_key").on(t.githubAccountId).where(sql`${t.githubAccountId} is not null`),
  ],
);

/** The owning organisation: every tenant row carries it, and deleting the organisation deletes the row. */
export const orgIdColumn = () => belongsTo(() => organizations.id);

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** GitHub's numeric user id: logins can be renamed, ids cannot. Null only for the local demo user. */
    githubId: bigint({ mode: "number" }),
    login: text().notNull(),
    name: text(),
    email: text(),
    avatarUrl: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("users_github_id_key").on(t.githubId).where(sql`${t.githubId} is not null`)],
);

export const organizationMembers = pgTable(
  "organization_members",
  {
    orgId: orgIdColumn(),
    userId: belongsTo(() => users.id),
    role: memberRole().notNull().default("member"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("organization_members_user_idx").on(t.userId)],
);

/** One row per GitHub App installation; the id is GitHub's installation id. */
export const githubInstallations = pgTable(
  "github_installations",
  {
    id: bigint({ mode: "number" }).primaryKey(),
    orgId: orgIdColumn(),
    accountId: bigint({ mode: "number" }).notNull(),
    accountLogin: text().notNull(),
    accountType: text().notNull(),
    repositorySelection: text(),
    installedByGithubId: bigint({ mode: "number" }),
    suspendedAt: timestamp({ withTimezone: true }),
    deletedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("github_installations_org_idx").on(t.orgId)],
);

/** API keys are shown once; only a SHA-256 hash and a short display prefix are stored. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text().notNull(),
    displayPrefix: text().notNull(),
    keyHash: text().notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    /** `read` keys answer GET requests only; `write` keys may also create incidents and acknowledge alerts. */
    scope: text({ enum: ["read", "write"] }).notNull().default("read"),
    /** A key past this instant answers 401 as if revoked; null keys never expire. */
    expiresAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_key_hash_key").on(t.keyHash), index("api_keys_org_idx").on(t.orgId)],
);

export type RiskOverride = { pattern: string; tier: 1 | 2 | 3 | 4 };

export const repositories = pgTable(
  "repositories",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    /** GitHub's repository id; null for repositories imported from a local clone without a GitHub App. */
    githubId: bigint({ mode: "number" }),
    installationId: bigint({ mode: "number" }).references(() => githubInstallations.id, { onDelete: "set null" }),
    fullName: text().notNull(),
    defaultBranch: text().notNull().default("main"),
    isPrivate: boolean().notNull().default(true),
    /** Where the history comes from: a GitHub App installation, `sentinel import`, or the demo generator. */
    source: text({ enum: ["github", "local", "demo"] }).notNull().default("github"),
    /** Set when the installation is deleted or the repository is removed from it: hidden, later events ignored. */
    disabledAt: timestamp({ withTimezone: true }),
    /**
     * Why GitHub refused Sentinel access to this repository the last time it asked (a 403/404 that is not a rate
     * limit: a missing App permission, SAML enforcement, a repository gone). Cleared by the next successful fetch.
     */
    accessError: text(),
    accessErrorAt: timestamp({ withTimezone: true }),
    riskOverrides: jsonb().$type<RiskOverride[]>().notNull().default([]),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("repositories_org_full_name_key").on(t.orgId, t.fullName),
    uniqueIndex("repositories_org_github_id_key").on(t.orgId, t.githubId).where(sql`${t.githubId} is not null`),
    index("repositories_installation_idx").on(t.installationId),
  ],
);

/** The repository a row belongs to (always alongside orgIdColumn, so queries can filter by tenant first). */
export const repoIdColumn = () => belongsTo(() => repositories.id);

/** The first columns of a repository's row: its organisation, then the repository. */
export const repositoryRowColumns = () => ({ orgId: orgIdColumn(), repoId: repoIdColumn() });

/**
 * People an owner or admin removed from an organisation. Sign-in adds members of the GitHub organisation
 * automatically; a row here stops that for this person until someone lets them back in (Settings → Members).
 */
export const organizationMemberRemovals = pgTable(
  "organization_member_removals",
  {
    orgId: orgIdColumn(),
    userId: belongsTo(() => users.id),
    removedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    removedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] })],
);

/**
 * Commits an import, a backfill or an analysis could not store (an unreadable git object, a row the database
 * refused): the run records the reason here and goes on with the rest. The repository page lists them; a later
 * successful analysis of the same commit removes its row.
 */
export const commitFailures = pgTable(
  "commit_failures",
  {
    ...repositoryRowColumns(),
    sha: text().notNull(),
    stage: text({ enum: ["import", "backfill", "analysis"] }).notNull(),
    reason: text().notNull(),
    failedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.repoId, t.sha] }), index("commit_failures_org_idx").on(t.orgId, t.failedAt)],
);

/**
 * Teams (issue 18): from GitHub (`source = 'github'`, synced daily and on team/membership webhooks; `githubId` is
 * GitHub's team id) or made by an admin in Settings (`source = 'manual'`). A person may be in several teams.
 */
export const teams = pgTable(
  "teams",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    slug: text().notNull(),
    name: text().notNull(),
    source: text({ enum: ["github", "manual"] }).notNull(),
    githubId: bigint({ mode: "number" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("teams_org_slug_key").on(t.orgId, t.slug),
    uniqueIndex("teams_org_github_id_key").on(t.orgId, t.githubId).where(sql`${t.githubId} is not null`),
  ],
);

/** Who is in a team, by GitHub login (commit and pull-request authors are matched by login). */
export const teamMembers = pgTable(
  "team_members",
  {
    teamId: belongsTo(() => teams.id),
    orgId: orgIdColumn(),
    login: text().notNull(),
    source: text({ enum: ["github", "manual"] }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "team_members_pkey", columns: [t.teamId, t.login] }), index("team_members_org_login_idx").on(t.orgId, t.login)],
);

/**
 * The GitHub organisation's members as last synced (Members: read): what a team mapping may name. A login seen as
 * a commit or pull-request author is known too, without a row here.
 */
export const githubOrgMembers = pgTable(
  "github_org_members",
  {
    orgId: orgIdColumn(),
    login: text().notNull(),
    githubId: bigint({ mode: "number" }),
    syncedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "github_org_members_pkey", columns: [t.orgId, t.login] })],
);
