import { bigint, date, doublePrecision, index, integer, pgTable, smallint, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { perRiskTier } from "./columns.ts";
import { orgIdColumn, repositoryRowColumns } from "./tenancy.ts";

/**
 * Per repository and UTC day, the counts the overview and repository pages add up over their windows, so a page
 * reads a few thousand small rows instead of millions of events (ADR 060). Written only by statement-level
 * triggers on code_events, commits and code_attribution (migrations 0007, 0010): every write path — webhooks,
 * analysis, import, COPY, re-tiering — keeps it exact in the same transaction. Lines are the counted files' added
 * lines (lockfiles, generated and vendored files excluded), per risk tier; AI lines have file confidence ≥ 0.5.
 *
 * A day may have several rows: a write adds to a row of the day no other open transaction holds (FOR UPDATE SKIP
 * LOCKED), or inserts its own, so writers never wait for each other (one total row per day deadlocked a webhook job
 * and an analysis job writing the same repository and day). A day's numbers are the sum of its rows: read with sum().
 */
export const repoDailyActivity = pgTable(
  "repo_daily_activity",
  {
    ...repositoryRowColumns(),
    day: date({ mode: "string" }).notNull(),
    events: integer().notNull().default(0),
    /** Latest event time of the day (events are append-only, so a maximum is enough). */
    lastEventAt: timestamp({ withTimezone: true }),
    /** Commits by author day, by analysis status, and with commit confidence ≥ 0.5. */
    commits: integer().notNull().default(0),
    analyzedCommits: integer().notNull().default(0),
    pendingCommits: integer().notNull().default(0),
    aiCommits: integer().notNull().default(0),
    ...perRiskTier("lines", "lines", (name) => integer(name).notNull().default(0)),
    ...perRiskTier("aiLines", "ai_lines", (name) => integer(name).notNull().default(0)),
  },
  (t) => [index("repo_daily_activity_repo_day_idx").on(t.repoId, t.day), index("repo_daily_activity_org_day_idx").on(t.orgId, t.day)],
);

/**
 * Per repository, file and UTC day: how many counted attribution rows put AI-written code (confidence ≥ 0.5) into a
 * T3/T4 file. "High-risk AI files in the window" counts distinct paths whose day sums are positive — not a sum, so
 * it cannot live in repo_daily_activity. Same triggers, same rows-per-writer scheme.
 */
export const repoDailyHighRiskFiles = pgTable(
  "repo_daily_high_risk_files",
  {
    ...repositoryRowColumns(),
    day: date({ mode: "string" }).notNull(),
    filePath: text().notNull(),
    changes: integer().notNull(),
  },
  // Every column a reader filters on or sums is in the index, tenant first: the count of distinct files reads the
  // index alone (an index-only scan).
  (t) => [index("repo_daily_high_risk_files_org_repo_day_idx").on(t.orgId, t.repoId, t.day, t.filePath, t.changes)],
);

/**
 * Per repository and file: the latest day AI-written code went into it while it was T3/T4 — so "high-risk files
 * changed in the window" is a range count over one row per file instead of a scan of every day's rows. Kept by the
 * same triggers (several rows per file when writers overlapped: read the maximum). Only ever raised: a change that
 * takes rows away (re-tiering, re-scoring, deletes) is recorded in repo_high_risk_decrements instead, and a reader
 * whose window holds one counts from repo_daily_high_risk_files.
 */
export const repoHighRiskFileLastDays = pgTable(
  "repo_high_risk_file_last_days",
  {
    ...repositoryRowColumns(),
    filePath: text().notNull(),
    lastDay: date({ mode: "string" }).notNull(),
  },
  (t) => [
    index("repo_high_risk_file_last_days_org_repo_day_idx").on(t.orgId, t.repoId, t.lastDay, t.filePath),
    // The triggers find a file's rows by path.
    index("repo_high_risk_file_last_days_repo_file_idx").on(t.repoId, t.filePath),
  ],
);

/** Days whose high-risk file counts went down (see repo_high_risk_file_last_days): appended, never updated. */
export const repoHighRiskDecrements = pgTable(
  "repo_high_risk_decrements",
  {
    ...repositoryRowColumns(),
    day: date({ mode: "string" }).notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("repo_high_risk_decrements_org_repo_day_idx").on(t.orgId, t.repoId, t.day)],
);

/** The columns the daily and weekly share bins both keep; a new builder set per table (drizzle binds each to one). */
function shareBinSums() {
  return {
    bin: smallint().notNull(),
    /** The detector that scored these commits ('' when a commit carries none). */
    detectorVersion: text().notNull(),
    commits: integer().notNull().default(0),
    writtenLines: bigint({ mode: "number" }).notNull().default(0),
    ...perRiskTier("writtenLines", "written_lines", (name) => bigint(name, { mode: "number" }).notNull().default(0)),
    confidenceSum: doublePrecision().notNull().default(0),
  };
}

const periodStartColumn = () => date({ mode: "string" }).notNull();

/**
 * The daily and weekly share bins are one table per period: per repository, period (the column `day` or `week`, its
 * first day), bin and detector version, the sums of shareBinSums; read by repository and period through one index.
 */
function shareBinsTable<Name extends string, Period extends "day" | "week">(name: Name, period: Period) {
  const periodStart = { [period]: periodStartColumn() } as Record<Period, ReturnType<typeof periodStartColumn>>;
  return pgTable(name, { ...repositoryRowColumns(), ...periodStart, ...shareBinSums() }, (t) => [
    index(`${name}_org_repo_${period}_idx`).on(t.orgId, t.repoId, t[period], t.bin),
  ]);
}

/**
 * Per repository, UTC day, confidence bin and detector version: the analysed commits whose commit-level confidence
 * falls in the bin (width 0.05: bin 0 is [0, 0.05), bin 19 is [0.95, 1]), their written lines (in all and by risk
 * tier) and the sum of their confidences. AI share over any range of days is estimated from these sums alone
 * (domain/metrics/share-bins.ts, ADR 033): the bins' mean confidences and lines are what estimateAiShare needs.
 * Kept by statement-level triggers on commits only (migration 0019), like repo_daily_activity: several rows per key
 * when writers overlapped (read with sum()); a row that falls to all zeros is deleted.
 */
export const repoDailyShareBins = shareBinsTable("repo_daily_share_bins", "day");

/**
 * The same sums per UTC week (starting Monday): the overview's 100 repositories × 90 days read 13 weekly rows per
 * bin and at most 6 days at the window's start instead of 90 day rows (ADR 033). Kept by the same triggers.
 */
export const repoWeeklyShareBins = shareBinsTable("repo_weekly_share_bins", "week");

/**
 * Per repository, ISO week (its Monday in the organisation's time zone) and AI tool: the commits judged AI-written
 * (confidence ≥ 0.5) and their written lines, under the tool application/metrics/ai-tools.ts names (the SQL function
 * commit_ai_tool, migration 0023), so the organisation's weekly per-tool chart reads ≈ 100 repositories × weeks × tools
 * small rows instead of every commit's signals (ADR 078). Kept by statement-level triggers on commits like the share
 * bins (several rows per key when writers overlapped: read with sum(); a row falling to zero is deleted), so analysis,
 * import and re-scoring (ADR 074) keep it exact in their own transaction; a change of the organisation's time zone
 * rebuilds the organisation's rows.
 */
export const repoWeeklyToolActivity = pgTable(
  "repo_weekly_tool_activity",
  {
    ...repositoryRowColumns(),
    week: date({ mode: "string" }).notNull(),
    tool: text().notNull(),
    commits: integer().notNull().default(0),
    writtenLines: bigint({ mode: "number" }).notNull().default(0),
  },
  // The organisation's read covers every column (an index-only scan by week range); the triggers find a key by repository.
  (t) => [
    index("repo_weekly_tool_activity_org_week_idx").on(t.orgId, t.week, t.repoId, t.tool, t.commits, t.writtenLines),
    index("repo_weekly_tool_activity_repo_week_idx").on(t.repoId, t.week, t.tool),
  ],
);

/**
 * The weeks since birth a tool's life table keeps, 0..11: survival after 12 weeks — the longest figure shown — needs
 * the deaths and censorings of those weeks and of no later one.
 */
export const TOOL_LIFE_TABLE_WEEKS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
type LifeTableWeek = (typeof TOOL_LIFE_TABLE_WEEKS)[number];
type PerLifeTableWeek<Kind extends string, Column> = { [Week in LifeTableWeek as `${Kind}Week${Week}`]: Column };

/** One column per life-table week: keys `<kind>Week0` …, SQL names `<kind>_week_0` … (the casing would write `_week0`). */
function perLifeTableWeek<Kind extends string, Column>(kind: Kind, build: (name: string) => Column): PerLifeTableWeek<Kind, Column> {
  return Object.fromEntries(TOOL_LIFE_TABLE_WEEKS.map((week) => [`${kind}Week${week}`, build(`${kind}_week_${week}`)])) as PerLifeTableWeek<Kind, Column>;
}

/**
 * Per repository, weekly cohort (the Monday lines were written in, organisation's time zone) and AI tool: what became
 * of the AI-written lines the tool's commits added, from the same provenance replay as line_survival (computed with
 * it, replaced when changed, ADR 078). A life table by whole weeks since birth — deaths and censored lines (still
 * alive at as_of, or lost to a truncated patch) in week 0..11 — pools into one Kaplan–Meier estimate over any set
 * of repositories and cohorts; reworked lines are those deleted or rewritten within 14 days, out of the lines at least
 * 14 days old at as_of (matured_lines): the tool's AI tax. The life table is one plain column per week (ADR 081),
 * not an array: the organisation's read sums ~9,000 rows, and an array is deconstructed for every element summed.
 */
export const repoWeeklyToolLines = pgTable(
  "repo_weekly_tool_lines",
  {
    ...repositoryRowColumns(),
    week: date({ mode: "string" }).notNull(),
    tool: text().notNull(),
    linesBorn: integer().notNull(),
    maturedLines: integer().notNull(),
    reworkedLines: integer().notNull(),
    /** deathsWeek<k>: lines that died k whole weeks after birth; later deaths are not kept. */
    ...perLifeTableWeek("deaths", (name) => integer(name).notNull().default(0)),
    /** censoredWeek<k>: lines censored k whole weeks after birth. */
    ...perLifeTableWeek("censored", (name) => integer(name).notNull().default(0)),
    asOf: timestamp({ withTimezone: true }).notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("repo_weekly_tool_lines_repo_week_tool_key").on(t.repoId, t.week, t.tool),
    index("repo_weekly_tool_lines_org_week_idx").on(t.orgId, t.week),
  ],
);

/**
 * Per organisation, ISO week and AI tool: repo_weekly_tool_activity summed over all the organisation's repositories,
 * disabled ones included, so the overview's per-tool chart reads one row per week and tool instead of one per
 * repository too (ADR 083). Kept by statement-level triggers on repo_weekly_tool_activity (migration 0029), the rows-
 * per-writer scheme of the share bins: read with sum(), and subtract the disabled repositories' repository rows.
 */
export const orgWeeklyToolActivity = pgTable(
  "org_weekly_tool_activity",
  {
    orgId: orgIdColumn(),
    week: date({ mode: "string" }).notNull(),
    tool: text().notNull(),
    commits: integer().notNull().default(0),
    writtenLines: bigint({ mode: "number" }).notNull().default(0),
  },
  // Covers every column: the read is an index-only scan by week range, the triggers find a key by its prefix.
  (t) => [index("org_weekly_tool_activity_org_week_idx").on(t.orgId, t.week, t.tool, t.commits, t.writtenLines)],
);

/**
 * Per organisation, weekly cohort and AI tool: repo_weekly_tool_lines' life tables summed over all the organisation's
 * repositories, disabled ones included (ADR 083). Kept by statement-level triggers on repo_weekly_tool_lines
 * (migration 0029) as the survival run writes it; read with sum(), subtracting the disabled repositories' rows.
 */
export const orgWeeklyToolLines = pgTable(
  "org_weekly_tool_lines",
  {
    orgId: orgIdColumn(),
    week: date({ mode: "string" }).notNull(),
    tool: text().notNull(),
    linesBorn: integer().notNull().default(0),
    maturedLines: integer().notNull().default(0),
    reworkedLines: integer().notNull().default(0),
    ...perLifeTableWeek("deaths", (name) => integer(name).notNull().default(0)),
    ...perLifeTableWeek("censored", (name) => integer(name).notNull().default(0)),
  },
  (t) => [index("org_weekly_tool_lines_org_week_idx").on(t.orgId, t.week, t.tool)],
);
