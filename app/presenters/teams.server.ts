import { z } from "zod";
import { MIN_GROUP_SIZE, PRIVACY_SENTENCE } from "../../domain/teams/privacy.ts";
import { readTeamPrivacy } from "../../application/teams/privacy.ts";
import { getTeamDetail, getTeamsOverview } from "../../application/teams/team-figures.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import type { Logger } from "../../infrastructure/logging/logger.ts";
import { rangeEndingAt, rangeResponse, rangeResponseFields } from "../utils/range-days.ts";

/**
 * The team views (issue 18, item 2; ADR 076): /teams, /teams/$teamId, GET /api/v1/teams and /api/v1/teams/{id}. The
 * organisation's privacy setting is read on every call, so turning per-person figures off hides them at once.
 */

const count = (description: string) => z.number().int().min(0).describe(description);
const share = (description: string) => z.number().min(0).max(1).nullable().describe(description);

export const teamFiguresSchema = z.strictObject({
  activePeople: count("People of the group with at least one commit in the range"),
  commits: count("Their commits in the organisation's repositories in the range (a person in two teams counts in both)"),
  aiCommits: count("Commits whose AI confidence reaches the detector's threshold (0.5)"),
  writtenLines: count("Written lines of their commits (lockfiles, generated and formatter-only changes left out)"),
  aiShare: share("Estimated AI share of the written lines, 0–1 (ADR 033: the group's own confidence bins); null without written lines"),
  aiShareLow: share("Low end of the plausible range of aiShare"),
  aiShareHigh: share("High end of the plausible range of aiShare"),
  aiCommitsByTool: z
    .array(z.strictObject({ tool: z.string().describe('The tool its strongest marker names, "unmarked" or "unknown"'), commits: count("AI commits") }))
    .describe("AI commits per tool, most first"),
  prsMerged: count("Pull requests they opened that were merged in the range"),
  prsMergedWithoutReview: count("Of those, merged with no review at all"),
});

const teamSource = z.enum(["github", "manual"]).describe("github: synced from the GitHub organisation; manual: made in Settings → Teams");

export const teamSummarySchema = z.strictObject({
  id: z.uuid().describe("Team id"),
  name: z.string(),
  source: teamSource,
  people: count("Members of the team"),
  figures: teamFiguresSchema,
});

const privacyFields = {
  perPerson: z.boolean().describe("Whether an owner turned per-person figures on; off by default"),
  privacy: z.string().describe("How small groups are kept from being shown on their own"),
};

export const teamListResponse = z.strictObject({
  ...rangeResponseFields,
  ...privacyFields,
  data: z.array(teamSummarySchema).describe(`Teams of ${MIN_GROUP_SIZE} people or more, by name`),
  others: z
    .strictObject({ people: count("Distinct people of the smaller teams"), teams: count("Teams folded into Others"), figures: teamFiguresSchema })
    .nullable()
    .describe(`The smaller teams' people together; null when there are none or fewer than ${MIN_GROUP_SIZE} people`),
  foldedTeams: count(`Teams with fewer than ${MIN_GROUP_SIZE} people, not shown on their own`),
  lastGitHubSync: z.iso.datetime().nullable().describe("When the GitHub teams were last synced; null if never"),
});
export type TeamListResponse = z.infer<typeof teamListResponse>;

/** A row of GET /api/v1/teams?format=csv: the per-tool counts in one cell ("Claude Code=12;Cursor=3"). */
export const teamCsvSchema = teamSummarySchema.omit({ figures: true }).extend({
  ...teamFiguresSchema.omit({ aiCommitsByTool: true }).shape,
  aiCommitsByTool: z.array(z.string()).describe("tool=AI commits, most first"),
});

export const personFiguresSchema = z.strictObject({
  login: z.string().describe("GitHub login"),
  commits: count("Commits in the range"),
  aiCommits: count("AI commits"),
  writtenLines: count("Written lines"),
  aiShare: share("Estimated AI share of their written lines"),
  prsMerged: count("Pull requests merged"),
  prsMergedWithoutReview: count("Merged with no review"),
});

export const teamDetailResponse = z.strictObject({
  ...rangeResponseFields,
  ...privacyFields,
  data: z.strictObject({
    id: z.uuid(),
    name: z.string(),
    source: teamSource,
    people: count("Members of the team"),
    shownOnItsOwn: z.boolean().describe(`false for a team of fewer than ${MIN_GROUP_SIZE} people: its figures are only part of Others`),
    figures: teamFiguresSchema.nullable().describe("null when the team is not shown on its own"),
    members: z.array(personFiguresSchema).nullable().describe("Per person, only when per-person figures are on (and the team is shown); else null"),
  }),
});
export type TeamDetailResponse = z.infer<typeof teamDetailResponse>;

export function teamCsvRows(teams: TeamListResponse["data"]): z.infer<typeof teamCsvSchema>[] {
  return teams.map(({ figures, ...team }) => ({ ...team, ...figures, aiCommitsByTool: figures.aiCommitsByTool.map((tool) => `${tool.tool}=${tool.commits}`) }));
}

export async function getTeamList(db: Executor, orgId: string, options: { now: Date; days: number; logger?: Logger }): Promise<TeamListResponse> {
  const range = rangeEndingAt(options.now, options.days);
  const [privacy, overview] = await Promise.all([readTeamPrivacy(db, orgId, options.logger), getTeamsOverview(db, orgId, range)]);
  return {
    ...rangeResponse(range, options.days),
    perPerson: privacy.perPerson,
    privacy: PRIVACY_SENTENCE,
    data: overview.teams.map(({ team, figures }) => ({ id: team.id, name: team.name, source: team.source, people: team.members.length, figures })),
    others: overview.others,
    foldedTeams: overview.foldedTeams,
    lastGitHubSync: overview.lastGitHubSync?.toISOString() ?? null,
  };
}

/** null: unknown id, another organisation's team, or not an id at all (the routes answer 404). */
export async function getTeamPage(db: Executor, orgId: string, teamId: string, options: { now: Date; days: number; logger?: Logger }): Promise<TeamDetailResponse | null> {
  const range = rangeEndingAt(options.now, options.days);
  const privacy = await readTeamPrivacy(db, orgId, options.logger);
  const detail = await getTeamDetail(db, orgId, teamId, range, privacy);
  if (detail.status === "not-found") return null;
  const team = { id: detail.team.id, name: detail.team.name, source: detail.team.source, people: detail.team.members.length };
  return {
    ...rangeResponse(range, options.days),
    perPerson: privacy.perPerson,
    privacy: PRIVACY_SENTENCE,
    data:
      detail.status === "folded"
        ? { ...team, shownOnItsOwn: false, figures: null, members: null }
        : { ...team, shownOnItsOwn: true, figures: detail.figures, members: detail.people },
  };
}
