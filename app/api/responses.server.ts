import { z } from "zod";
import { EVENT_TYPES } from "../utils/event-types.ts";
import { ALERT_SEVERITIES } from "../presenters/alerts.server.ts";

/**
 * The 200 (and 201) bodies of every /api/v1 endpoint, as zod schemas. The OpenAPI document is generated from them
 * (z.toJSONSchema, io "output"), the CSV columns of the lists are read from them, and the contract test parses every
 * endpoint's answer with them. They are strict: a field a presenter returns and the schema lacks fails that test, so
 * the document cannot fall behind what the API sends.
 *
 * One unit for every share, rate and confidence the API answers: a fraction 0–1 (0.312 means 31.2 %), said in each
 * such field's description. Until 2026-12-07 AI shares and incident attributions were percents (issue 19); the pages
 * convert to percents when they show them.
 */

const FRACTION = "fraction 0–1 (0.12 means 12 %)";

const id = (what: string) => z.uuid().describe(`${what} id`);
const count = (what: string) => z.number().int().min(0).describe(what);
const timestamp = (what: string) => z.iso.datetime().describe(`${what}, ISO 8601 in UTC`);
const day = (what: string) => z.iso.date().describe(`${what}, YYYY-MM-DD`);
/** The schema or null, described as the schema is plus when it is null (a description on the whole field, not inside it). */
const orNull = <T extends z.ZodType>(schema: T, whenNull: string) => schema.nullable().describe(`${schema.description ?? ""}; null ${whenNull}`);

const repositorySource = z
  .enum(["github", "local", "demo"])
  .describe("Where the repository's commits come from: a GitHub App installation, a local clone, or the demo organisation");

/** One evidence item behind a verdict, as the detector stored it. */
const signal = z.strictObject({
  id: z.string().describe("The signal's id, e.g. agent-coauthor-trailer or style-… (verdicts of older detector versions may hold other ids)"),
  weight: z.number().describe(`Strength this evidence alone gives, a ${FRACTION}, always below 1`),
  odds: z.number().optional().describe("For a fitted tell only: the factor by which it multiplies the odds that an agent wrote the commit"),
  evidence: z.string().describe('What was found, for people: the trailer line, "612 lines 3 minutes after the previous commit", …'),
  agent: z
    .string()
    .nullable()
    .optional()
    .describe('On a marker: the AI tool that left it ("Claude Code", "Cursor", …), null when the mark names none; absent on other signals and on markers stored before tools were recorded'),
});

const tierCounts = (what: string) =>
  z
    .strictObject({ t1: count("Risk tier T1"), t2: count("Risk tier T2"), t3: count("Risk tier T3"), t4: count("Risk tier T4") })
    .nullable()
    .describe(`${what} per risk tier (T1 lowest … T4 highest); null on rows written before tiers were counted`);

/** An estimated AI share with its plausible range, all three fractions 0–1 (ADR 033). */
const shareWithRange = (of: string) => ({
  aiShare: z.number().nullable().describe(`Estimated AI share of ${of}, a ${FRACTION}; null until an analysed commit has written lines`),
  aiShareLow: z.number().nullable().describe(`Lower end of aiShare's plausible range (about 95 %), a ${FRACTION}`),
  aiShareHigh: z.number().nullable().describe(`Upper end of aiShare's plausible range (about 95 %), a ${FRACTION}`),
});

// ── Repositories ─────────────────────────────────────────────────────────────────────────────────────────────────

export const repositorySummarySchema = z.strictObject({
  id: id("Repository"),
  fullName: z.string().describe("owner/name"),
  source: repositorySource,
  events: count("Events recorded in the window"),
  commits: count("Commits recorded in the window"),
  analyzedCommits: count("Commits the detector has analysed"),
  pendingCommits: count("Commits recorded but not analysed yet (the workers are still on them)"),
  aiCommits: count("Commits with AI confidence ≥ 0.5"),
  linesAdded: count("Added lines of counted files (lockfiles, generated and vendored files left out)"),
  writtenLines: count("Written lines of the analysed commits: what AI share is a share of"),
  aiLines: count("Expected AI-written lines among the written lines, rounded"),
  ...shareWithRange("the window's written lines"),
  highRiskFiles: count("T3/T4 files changed by AI-attributed commits (confidence ≥ 0.5) in the window"),
  aiTax: z
    .number()
    .nullable()
    .describe(`Share of changed lines spent reworking young AI code, a ${FRACTION} (changed-lines-weighted mean of the nightly rows); null before the first nightly run`),
  openIncidents: count("Incidents started in the window and not resolved"),
  lastActivityAt: orNull(timestamp("Newest event in the window"), "without events"),
});

export const repoListResponse = z.strictObject({
  data: z.array(repositorySummarySchema).describe("The organisation's active repositories, by name"),
  windowDays: count("Days the numbers cover, today (UTC) included"),
});

const repositoryRef = z
  .strictObject({
    id: id("Repository"),
    fullName: z.string().describe("owner/name"),
    source: repositorySource,
    defaultBranch: z.string().describe("The branch AI share and deployments are measured on"),
  })
  .describe("The repository the rows belong to");

const shareEstimateSchema = z
  .strictObject({
    ...shareWithRange("the range's written lines"),
    writtenLines: count("Written lines of the analysed commits (no lockfiles, generated files, translation catalogues or whitespace-only changes)"),
    aiLines: count("Expected AI-written lines among them, rounded"),
    analyzedCommits: count("Analysed commits of the range"),
    prior: z.number().describe(`The repository's estimated share of agent commits over the range, a ${FRACTION}`),
    detectorVersions: z.array(z.string()).describe("Detector versions whose verdicts the estimate rests on, newest first"),
  })
  .describe(
    "AI share of the range's written lines, estimated from the share bins of its UTC days: each commit's calibrated confidence is re-weighted to the repository's own share of agent commits (fitted over the range) before lines are summed.",
  );

export const metricsDaySchema = z
  .strictObject({
    date: day("The organisation's local day"),
    commits: count("Commits of the day"),
    aiCommits: count("Commits with AI confidence ≥ 0.5"),
    linesAdded: count("Added lines of counted files"),
    writtenLines: count("Written lines: what AI share is a share of"),
    aiLinesAdded: count("Expected AI-written lines among the written lines, rounded"),
    aiPercentage: z
      .number()
      .describe(`Estimated AI share of the day's written lines, a ${FRACTION} despite the field's name (kept for API v1), at the prior fitted over the 90 days ending with the day`),
    aiShareLow: z.number().nullable().describe(`Lower end of the day's plausible range, a ${FRACTION}; null on a day without written lines`),
    aiShareHigh: z.number().nullable().describe(`Upper end of the day's plausible range, a ${FRACTION}; null on a day without written lines`),
    detectorVersion: z.string().nullable().describe("Detector version of the day's newest verdict"),
    aiTax: z.number().nullable().describe(`Share of the day's changed lines spent reworking young AI lines, a ${FRACTION}; null when nothing changed`),
    humanTax: z.number().nullable().describe(`The same for young human lines, a ${FRACTION}`),
    linesByTier: tierCounts("Written lines"),
    aiLinesByTier: tierCounts("Expected AI-written lines, at the same adjusted confidences"),
    highRiskFiles: count("T3/T4 files changed by AI-attributed commits that day"),
    prsOpened: count("Pull requests opened"),
    prsMerged: count("Pull requests merged"),
    reviewQueueDepth: orNull(count("Pull requests waiting for a first review at the end of the day"), "on rows written before it was counted"),
    deployments: count("Production deployments"),
    incidentsOpened: count("Incidents started"),
  })
  .describe("One local day of repo_metrics (the organisation's time zone), written by the nightly job");

export const repoMetricsResponse = z.strictObject({
  repository: repositoryRef,
  from: day("First day of the range"),
  to: day("Last day of the range"),
  aiShare: shareEstimateSchema,
  data: z.array(metricsDaySchema).describe("Daily rows, oldest first; days the nightly job has not written are absent"),
});

export const highRiskFileSchema = z.strictObject({
  path: z.string().describe("File path in the repository"),
  riskTier: count("Highest risk tier the file had in the window: 3 or 4"),
  riskReasons: z.array(z.string()).describe("Why the file has its tier, as of its newest change"),
  aiCommits: count("AI-attributed commits (confidence ≥ 0.5) that changed it"),
  aiLinesAdded: count("Lines those commits added to it"),
  maxAiConfidence: z.number().describe(`Highest AI confidence among those changes, a ${FRACTION}`),
  lastChangedAt: timestamp("Authored time of its newest AI-attributed change"),
  lastCommitSha: z.string().describe("Full sha of that change"),
});

export const highRiskFilesResponse = z.strictObject({
  repository: repositoryRef,
  windowDays: count("Days the list covers, today (UTC) included"),
  data: z.array(highRiskFileSchema).describe("At most 50 files, riskiest and most AI-changed first"),
});

// ── Events ───────────────────────────────────────────────────────────────────────────────────────────────────────

const analysisStatus = z.enum(["pending", "analyzed", "skipped", "failed"]);

export const feedEventSchema = z.strictObject({
  id: count("Event id; ids grow with insertion"),
  type: z.enum(EVENT_TYPES).describe("What happened"),
  repoId: id("Repository"),
  repoFullName: z.string().describe("owner/name"),
  timestamp: timestamp("When it happened"),
  actor: z.string().nullable().describe("Who did it (GitHub login); null when unknown"),
  commitSha: z.string().nullable().describe("The commit the event is about; null for events of no commit"),
  prNumber: orNull(count("The pull request's number"), "for events of no pull request"),
  summary: z.string().describe("One line for people: the commit message, pull request title, review state or deployment target"),
  aiConfidence: z.number().nullable().describe(`For an analysed commit: its AI confidence, a ${FRACTION}; null otherwise`),
  analysisStatus: analysisStatus.nullable().describe("For a commit: where its analysis stands; null for other events"),
});

export const eventListResponse = z.strictObject({
  data: z.array(feedEventSchema).describe("Newest first"),
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
});

const commitDetail = z
  .strictObject({
    sha: z.string(),
    authorName: z.string().nullable(),
    authorEmail: z.string().nullable(),
    authoredAt: timestamp("Authored"),
    authoredOffsetMinutes: orNull(z.number().int().describe("The author's UTC offset when committing, minutes"), "when unknown"),
    messageHeadline: z.string().describe("First line of the commit message"),
    analysisStatus,
    skipReason: z.string().nullable().describe("Why the detector skipped the commit; null unless skipped"),
    aiConfidence: z.number().nullable().describe(`The commit's AI confidence, a ${FRACTION}; null until analysed`),
    signals: z.array(signal).describe("The evidence behind the commit's verdict"),
    detectorVersion: z.string().nullable().describe("Detector version that gave the verdict"),
    linesAdded: count("Added lines, all files"),
    linesDeleted: count("Deleted lines, all files"),
    writtenLines: count("The counted files' written lines: what this commit adds to AI share's denominator"),
  })
  .nullable()
  .describe("For a commit event: the commit and its verdict; null for other events or a commit not recorded");

const fileAttribution = z.strictObject({
  path: z.string(),
  previousPath: z.string().nullable().describe("For a rename: the old path"),
  changeType: z.string().describe("As GitHub reports it: added, modified, removed, renamed, …"),
  fileKind: z.string().describe("code, test, docs, config, lockfile, generated, vendored, binary or translation"),
  countsTowardShare: z.boolean().describe("Whether the file's lines count toward AI share"),
  aiConfidence: z.number().describe(`The file's AI confidence, a ${FRACTION}`),
  riskTier: count("Risk tier 1–4 after the organisation's overrides"),
  baseRiskTier: count("Risk tier 1–4 from the built-in patterns"),
  riskReasons: z.array(z.string()).describe("Why the file has its tier"),
  linesAdded: count("Added lines"),
  linesDeleted: count("Deleted lines"),
  writtenLines: count("Of the added lines, those somebody wrote"),
  exclusion: z.string().nullable().describe('Why the other added lines were left out ("whitespace-only change: not counted"); null when none were'),
  complexity: z
    .strictObject({ branches: count("Branch keywords"), maxNesting: count("Deepest nesting"), functions: count("Functions defined") })
    .nullable()
    .describe("Complexity of the added lines, from the diff; null for files that are not code"),
  signals: z.array(signal).describe("The evidence behind the file's verdict"),
});

export const eventDetailResponse = z.strictObject({
  data: z.strictObject({
    event: z.strictObject({
      ...feedEventSchema.shape,
      branch: z.string().nullable().describe("Branch of a push, pull request or deployment"),
      payload: z.record(z.string(), z.unknown()).describe("The event as recorded from GitHub, trimmed to what Sentinel keeps"),
    }),
    commit: commitDetail,
    files: z.array(fileAttribution).describe("For a commit: the verdict per file, riskiest first; empty for other events"),
  }),
});

// ── Incidents ────────────────────────────────────────────────────────────────────────────────────────────────────

export const incidentSummarySchema = z.strictObject({
  id: id("Incident"),
  repoId: id("Repository"),
  repoFullName: z.string().describe("owner/name"),
  title: z.string(),
  severity: z.enum(["sev1", "sev2", "sev3", "sev4"]).describe("sev1 is the most severe"),
  source: z.enum(["manual", "api", "pagerduty", "demo"]).describe("Where the incident was logged"),
  startedAt: timestamp("Started"),
  resolvedAt: orNull(timestamp("Resolved"), "while open"),
  suspectedCommits: count("Commits suspected of causing it"),
  aiAttribution: z
    .number()
    .nullable()
    .describe(`AI-attributed share of the suspected commits' counted added lines, a ${FRACTION}; null without suspects or lines`),
});

export const incidentListResponse = z.strictObject({ data: z.array(incidentSummarySchema).describe("Newest first") });

const suspectedCommit = z.strictObject({
  sha: z.string(),
  eventId: orNull(count("The commit's event id, for its detail"), "when the event is not recorded"),
  messageHeadline: z.string(),
  authorLogin: z.string().nullable(),
  authorName: z.string().nullable(),
  authoredAt: timestamp("Authored"),
  aiConfidence: z.number().nullable().describe(`The commit's AI confidence, a ${FRACTION}; null until analysed`),
  linesAdded: count("Added lines, all files"),
  highRiskFiles: z.array(z.string()).describe("T3/T4 files it changed"),
  topSignal: signal.nullable().describe("The strongest evidence behind its verdict; null without signals"),
});

export const incidentDetailResponse = z.strictObject({
  data: z.strictObject({
    ...incidentSummarySchema.shape,
    description: z.string().nullable(),
    createdAt: timestamp("Logged"),
    suspects: z.array(suspectedCommit).describe("Suspected commits, newest first"),
    byTier: z
      .array(z.strictObject({ tier: count("Risk tier 1–4"), lines: count("Added lines"), aiLines: count("Of them, AI-written (file confidence ≥ 0.5)") }))
      .describe("The suspected commits' counted added lines per risk tier, highest tier first"),
  }),
});

// ── Alerts ───────────────────────────────────────────────────────────────────────────────────────────────────────

export const alertSchema = z.strictObject({
  id: id("Alert"),
  repoId: orNull(id("Repository"), "for an organisation-wide alert"),
  repoFullName: z.string().nullable().describe("owner/name; null for an organisation-wide alert"),
  rule: z.string().describe("The alert rule that fired, e.g. ai_share_high"),
  severity: z.enum(ALERT_SEVERITIES).describe("info, warning or critical"),
  title: z.string(),
  details: z.record(z.string(), z.unknown()).describe("The rule's numbers behind the alert (threshold, value, …)"),
  triggeredAt: timestamp("Fired"),
  acknowledgedAt: orNull(timestamp("Acknowledged"), "while open"),
  acknowledgedBy: z.string().nullable().describe("GitHub login of who acknowledged it; null while open or when acknowledged through the API"),
});

export const alertListResponse = z.strictObject({
  data: z.array(alertSchema).describe("Newest first"),
  summary: z
    .strictObject({
      open: count("Open alerts"),
      total: count("All alerts"),
      openBySeverity: z.strictObject({ info: count("Open info alerts"), warning: count("Open warnings"), critical: count("Open critical alerts") }),
      mostRecentAt: orNull(timestamp("Newest alert"), "without alerts"),
    })
    .describe("Counts over the last 30 days, whatever the filters"),
});

export const alertAckResponse = z.strictObject({
  data: z.strictObject({
    id: id("Alert"),
    acknowledgedAt: timestamp("When it was first acknowledged"),
    alreadyAcknowledged: z.boolean().describe("True when an earlier call (or somebody in the dashboard) had acknowledged it"),
  }),
});
