import { z } from "zod";
import { byMostCommits, getAiToolsByWeek, UNRECORDED_TOOL, type AiToolWeek } from "../../application/metrics/ai-tools.ts";
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

/** The answer of GET /api/v1/repos/{id}/tools. */
export const aiToolsResponseSchema = z.strictObject({
  repository: repositoryRefSchema,
  ...rangeResponseFields,
  tools: z.array(toolCountsSchema).describe("Per tool over the whole range, most commits first"),
  weeks: z.array(weekSchema).describe("Every ISO week the range touches, oldest first"),
});
export type AiToolsResponse = z.infer<typeof aiToolsResponseSchema>;
export type AiToolCounts = z.infer<typeof toolCountsSchema>;

/** The figures without the repository's name: what the repository page's card shows. */
export type AiToolsSummary = Omit<AiToolsResponse, "repository">;

function kindOf(tool: string): AiToolKind {
  if (tool === UNMARKED_AGENT) return "unmarked";
  if (tool === UNRECORDED_TOOL) return "unknown";
  return "tool";
}

function counts(row: Omit<AiToolWeek, "week">): AiToolCounts {
  return { tool: row.tool, kind: kindOf(row.tool), commits: row.commits, writtenLines: row.writtenLines };
}

/**
 * AI commits and written lines per tool and ISO week of one repository of the organisation, over the `days` before `now`. Another organisation's repository finds nothing.
 */
export async function getAiToolsSummary(db: Executor, orgId: string, repoId: string, options: { now: Date; days: number }): Promise<AiToolsSummary> {
  const report = await getAiToolsByWeek(db, { orgId, repoId }, options);
  const weeks = report.weeks.map((week) => ({
    week,
    tools: report.byWeek.filter((row) => row.week === week).sort(byMostCommits).map(counts),
  }));
  return { ...rangeResponse(report, report.days), tools: report.tools.map(counts), weeks };
}

/** GET /api/v1/repos/{id}/tools: a repository already found in the organisation (`findRepository`; otherwise a 404). */
export async function getRepositoryAiTools(db: Executor, orgId: string, repository: { id: string; fullName: string }, options: { now: Date; days: number }): Promise<AiToolsResponse> {
  return { repository: repositoryRef(repository), ...(await getAiToolsSummary(db, orgId, repository.id, options)) };
}
