import { z } from "zod";
import {
  loadPooledToolLines,
  pooledSurvivalAfter,
  reworkShare,
  TOOL_MIN_COMMITS,
  TOOL_MIN_WRITTEN_LINES,
  type PooledToolLines,
} from "../../application/metrics/ai-tools-lines.ts";
import { getOrganisationAiTools } from "../../application/metrics/ai-tools-organisation.ts";
import {
  byMostCommits,
  getAiToolsByWeek,
  organisationTimeZone,
  UNRECORDED_TOOL,
  weeksOfRange,
  type AiToolTotal,
  type AiToolWeek,
} from "../../application/metrics/ai-tools.ts";
import { UNMARKED_AGENT } from "../../domain/detection/agents.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { rangeResponse, rangeResponseFields, repositoryRef, repositoryRefSchema } from "../utils/range-days.ts";

/** What a row counts under: a tool a marker named, AI judged by style alone, or a marker scored before tools were recorded. */
export type AiToolKind = "tool" | "unmarked" | "unknown";

const toolCountsSchema = z.strictObject({
  tool: z.string().describe(`The tool's name (e.g. "Claude Code", "GitHub Copilot coding agent"), "${UNMARKED_AGENT}" or "${UNRECORDED_TOOL}"`),
  kind: z.enum(["tool", "unmarked", "unknown"]).describe(
    `tool: a marker on the commits names it; unmarked: judged AI-written from style and timing, no marker names a tool; unknown: marked, but scored before Sentinel recorded which tool left the mark`,
  ),
  commits: z.number().int().min(0).describe("AI commits (confidence ≥ 0.5) authored in the range"),
  writtenLines: z.number().int().min(0).describe("Their written lines: added lines without lockfiles, generated, vendored or whitespace-only changes"),
});

const weekSchema = z.strictObject({
  week: z.iso.date().describe("The Monday the ISO week starts on, in the organisation's time zone"),
  tools: z.array(toolCountsSchema).describe("Per tool, most commits first; empty for a week without AI commits"),
});

const share = z.number().min(0).max(1);

/** A tool's totals with its AI tax and survival, when its sample is large enough (ADR 078). */
const toolFiguresSchema = toolCountsSchema.extend({
  insufficientData: z
    .boolean()
    .describe(`True under ${TOOL_MIN_COMMITS} AI commits or ${TOOL_MIN_WRITTEN_LINES} written lines in the range: aiTax and the survival figures are then null, too few lines to read`),
  aiTax: share
    .nullable()
    .describe("The tool's AI tax: of its AI-written lines of the range's weekly cohorts that were followed for 14 days, the share deleted or rewritten within those 14 days (0..1); null without such lines or under the minimum sample"),
  reworkedLines: z.number().int().min(0).describe("Lines behind aiTax: the tool's lines deleted or rewritten within 14 days of being written"),
  followedLines: z.number().int().min(0).describe("Lines behind aiTax: the tool's lines followed for 14 days (written at least 14 days before the last survival run)"),
  survival4Weeks: share.nullable().describe("Kaplan–Meier share of the tool's AI-written lines still present 4 weeks after they were written; null until a line is that old, or under the minimum sample"),
  survival12Weeks: share.nullable().describe("The same after 12 weeks"),
});

const minimumSampleSchema = z
  .strictObject({ commits: z.number().int(), writtenLines: z.number().int() })
  .describe("The least AI commits and written lines in the range for a tool's AI tax and survival to be shown");

/** The answer of GET /api/v1/repos/{id}/tools. */
export const aiToolsResponseSchema = z.strictObject({
  repository: repositoryRefSchema,
  ...rangeResponseFields,
  minimumSample: minimumSampleSchema,
  tools: z.array(toolFiguresSchema).describe("Per tool over the whole range, most commits first"),
  weeks: z.array(weekSchema).describe("Every ISO week the range touches, oldest first"),
});
export type AiToolsResponse = z.infer<typeof aiToolsResponseSchema>;
export type AiToolCounts = z.infer<typeof toolCountsSchema>;
export type AiToolFigures = z.infer<typeof toolFiguresSchema>;

const toolRepositorySchema = z.strictObject({
  id: z.uuid().describe("Repository id"),
  fullName: z.string().describe("owner/name"),
  commits: z.number().int().min(0).describe("The tool's AI commits in this repository over the range"),
  writtenLines: z.number().int().min(0).describe("Their written lines"),
});

/** One tool of GET /api/v1/tools: its figures and the repositories it wrote in. */
export const organisationToolSchema = toolFiguresSchema.extend({
  repositories: z.array(toolRepositorySchema).describe("The repositories the tool's AI commits went to, most commits first"),
});
export type OrganisationToolFigures = z.infer<typeof organisationToolSchema>;

/** A row of GET /api/v1/tools?format=csv: a tool, its repositories by name in one cell. */
export const organisationToolCsvSchema = toolFiguresSchema.extend({
  repositories: z.array(z.string()).describe("The repositories' owner/name, most commits first"),
});

/** The answer of GET /api/v1/tools. */
export const organisationAiToolsResponseSchema = z.strictObject({
  ...rangeResponseFields,
  from: z.iso.datetime().describe("Start of the range (inclusive): local midnight of the Monday of the week the range's first day falls in — the organisation's figures count whole ISO weeks"),
  minimumSample: minimumSampleSchema,
  data: z.array(organisationToolSchema).describe("Per tool over the range, most commits first"),
  weeks: z.array(weekSchema).describe("Every ISO week the range touches, oldest first"),
});
export type OrganisationAiToolsResponse = z.infer<typeof organisationAiToolsResponseSchema>;

/** The figures without the repository's name: what the repository page's card shows. */
export type AiToolsSummary = Omit<AiToolsResponse, "repository">;

function kindOf(tool: string): AiToolKind {
  if (tool === UNMARKED_AGENT) return "unmarked";
  if (tool === UNRECORDED_TOOL) return "unknown";
  return "tool";
}

function counts(row: Omit<AiToolWeek, "week">): AiToolCounts {
  return { tool: row.tool, kind: kindOf(row.tool), commits: row.commits, writtenLines: Number(row.writtenLines) };
}

const MINIMUM_SAMPLE = { commits: TOOL_MIN_COMMITS, writtenLines: TOOL_MIN_WRITTEN_LINES };

/** The 4-decimal figure of a share, so answers do not carry float noise. */
const rounded = (value: number | null) => (value === null ? null : Math.round(value * 10_000) / 10_000);

/** A tool's totals with its AI tax and survival, or nulls under the minimum sample (ADR 078). */
export function figures(total: AiToolTotal, lines: PooledToolLines | null | undefined): AiToolFigures {
  const insufficientData = total.commits < TOOL_MIN_COMMITS || total.writtenLines < TOOL_MIN_WRITTEN_LINES;
  const shown = insufficientData || !lines ? null : lines;
  return {
    ...counts(total),
    insufficientData,
    aiTax: shown ? rounded(reworkShare(shown)) : null,
    reworkedLines: lines?.reworkedLines ?? 0,
    followedLines: lines?.maturedLines ?? 0,
    survival4Weeks: shown ? rounded(pooledSurvivalAfter(shown, 4)) : null,
    survival12Weeks: shown ? rounded(pooledSurvivalAfter(shown, 12)) : null,
  };
}

function weeksWithTools(weeks: readonly string[], byWeek: readonly AiToolWeek[]) {
  return weeks.map((week) => ({ week, tools: byWeek.filter((row) => row.week === week).sort(byMostCommits).map(counts) }));
}

/**
 * AI commits and written lines per tool and ISO week of one repository of the organisation, over the `days` before
 * `now`, with each tool's AI tax and survival over the cohorts of the weeks the range touches. Another organisation's
 * repository finds nothing.
 */
export async function getAiToolsSummary(db: Executor, orgId: string, repoId: string, options: { now: Date; days: number }): Promise<AiToolsSummary> {
  // Both reads need the organisation's time zone (the weeks); read once, then the commits' and the life tables' side by side.
  const timeZone = await organisationTimeZone(db, orgId);
  const weeks = weeksOfRange(options, timeZone);
  const [report, lines] = await Promise.all([
    getAiToolsByWeek(db, { orgId, repoId }, options, timeZone),
    loadPooledToolLines(db, { orgId, repoId }, { firstWeek: weeks[0]!, lastWeek: weeks.at(-1)! }),
  ]);
  return {
    ...rangeResponse(report, report.days),
    minimumSample: MINIMUM_SAMPLE,
    tools: report.tools.map((total) => figures(total, lines.get(total.tool))),
    weeks: weeksWithTools(report.weeks, report.byWeek),
  };
}

/** GET /api/v1/tools and the overview's card: the organisation's enabled repositories together, over whole ISO weeks. */
export async function getOrganisationAiToolsSummary(db: Executor, orgId: string, options: { now: Date; days: number }): Promise<OrganisationAiToolsResponse> {
  const report = await getOrganisationAiTools(db, orgId, options);
  return {
    ...rangeResponse(report, report.days),
    minimumSample: MINIMUM_SAMPLE,
    data: report.tools.map((tool) => ({ ...figures(tool, tool.lines), repositories: tool.repositories })),
    weeks: weeksWithTools(report.weeks, report.byWeek),
  };
}

/** How many of a tool's repositories the overview's card links; the rest it counts. */
export const CARD_REPOSITORIES = 3;

/** A tool of the overview's card: its busiest repositories only, and how many it wrote in. */
export type OrganisationToolCardFigures = OrganisationToolFigures & { repositoryCount: number };
export type OrganisationAiToolsCardData = Omit<OrganisationAiToolsResponse, "data"> & { data: OrganisationToolCardFigures[] };

/**
 * The overview's card: the organisation's tools with each tool's repositories cut to the ones it links. The card
 * shows three and a count; the whole lists (up to every repository, per tool) would go into the page's loader data,
 * its HTML and the browser's memory for nothing.
 */
export function organisationToolsCard(summary: OrganisationAiToolsResponse): OrganisationAiToolsCardData {
  return { ...summary, data: summary.data.map((tool) => ({ ...tool, repositories: tool.repositories.slice(0, CARD_REPOSITORIES), repositoryCount: tool.repositories.length })) };
}

/** The overview's AI tools card over the `days` before `now`. */
export async function getOrganisationAiToolsCard(db: Executor, orgId: string, options: { now: Date; days: number }): Promise<OrganisationAiToolsCardData> {
  return organisationToolsCard(await getOrganisationAiToolsSummary(db, orgId, options));
}

/** The CSV rows of GET /api/v1/tools?format=csv: the repositories by name. */
export function organisationToolCsvRows(tools: readonly OrganisationToolFigures[]): z.infer<typeof organisationToolCsvSchema>[] {
  return tools.map((tool) => ({ ...tool, repositories: tool.repositories.map((repository) => repository.fullName) }));
}

/** GET /api/v1/repos/{id}/tools: a repository already found in the organisation (`findRepository`; otherwise a 404). */
export async function getRepositoryAiTools(db: Executor, orgId: string, repository: { id: string; fullName: string }, options: { now: Date; days: number }): Promise<AiToolsResponse> {
  return { repository: repositoryRef(repository), ...(await getAiToolsSummary(db, orgId, repository.id, options)) };
}
