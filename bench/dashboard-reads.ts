import { listApiKeys } from "../application/access/api-keys.server.ts";
import { sql } from "drizzle-orm";
import type { Executor } from "../infrastructure/db/client.ts";
import { findUserWithMemberships } from "../infrastructure/db/queries/users.ts";
import { listRiskOverrides } from "../app/services/risk-overrides.server.ts";
import { alertListQuery, getAlertSummary, listAlerts } from "../app/presenters/alerts.server.ts";
import { getDashboard } from "../app/presenters/dashboard.server.ts";
import { getAiToolsSummary, getOrganisationAiToolsSummary, getRepositoryAiTools } from "../app/presenters/ai-tools.server.ts";
import { getTeamList, getTeamPage } from "../app/presenters/teams.server.ts";
import { getUnreviewedAiMergesSummary } from "../app/presenters/unreviewed-ai-merges.server.ts";
import { getFileHistory } from "../app/presenters/file-history.server.ts";
import { getPullRequestList, getPullRequestPage, pullRequestListQuery } from "../app/presenters/pulls.server.ts";
import { getDoraSummary, getOrganizationDora, getRepositoryDora } from "../app/presenters/dora.server.ts";
import { eventFeedQuery, getEventDetail, listEvents } from "../app/presenters/events.server.ts";
import { getIncidentDetail, getSuspectCandidates, incidentListQuery, listIncidents } from "../app/presenters/incidents.server.ts";
import { listRepositoryOptions } from "../app/presenters/repositories.server.ts";
import { findRepository, getHighRiskFiles, getRepoMetrics, getRepoOverview, resolveMetricsRange } from "../app/presenters/repository.server.ts";

export interface DashboardReadContext {
  orgId: string;
  userId: string;
  repoId: string;
  /** A commit event (its page reads the commit and the files' verdicts). */
  eventId: number;
  /** An incident with suspected commits. */
  incidentId: string;
  /** A team of the organisation; when absent, its largest is looked up first. */
  teamId?: string | null;
  /** A file of the repository (its file page); when absent, the newest high-risk AI change's file. */
  filePath?: string | null;
  now: Date;
}

export interface DashboardRead {
  page: string;
  label: string;
  run: () => Promise<unknown>;
}

/**
 * Every read the dashboard's page loaders make, by page, with the filters their forms offer: what the query-plan
 * check explains and `npm run bench` measures. Keep it in step with the loaders in app/routes.
 */
export function dashboardReads(db: Executor, context: DashboardReadContext): DashboardRead[] {
  const { orgId, repoId, now } = context;
  const cursorAfterFirstPage = async () => {
    const first = await listEvents(db, orgId, eventFeedQuery.parse({}));
    return listEvents(db, orgId, eventFeedQuery.parse({ cursor: first.nextCursor ?? undefined }));
  };
  // The team a team page shows, found once, as the teams list's link would name it.
  const teamId = once(async () => context.teamId ?? (await largestTeam(db, orgId)));
  // The file a file page shows: the one given, else the newest high-risk AI change's, as the repository page links it.
  const busiestFile = once(async () => {
    if (context.filePath) return context.filePath;
    const [row] = await db.execute<{ file_path: string }>(sql`
      select file_path from code_attribution
      where org_id = ${orgId} and repo_id = ${repoId} and risk_tier >= 3 and ai_confidence >= 0.5
      order by authored_at desc limit 1`);
    return row?.file_path ?? null;
  });
  /** An API read of one repository: the route finds the repository first (requireRepository), then reads it. */
  const ofRepository = async <T,>(read: (repository: NonNullable<Awaited<ReturnType<typeof findRepository>>>) => Promise<T>) => {
    const repository = await findRepository(db, orgId, repoId);
    return repository ? read(repository) : null;
  };
  /** The pull request page of the repository's newest pull request, as a link from the list opens it. */
  const openPullRequestPage = async () => {
    const newest = await getPullRequestList(db, orgId, pullRequestListQuery.parse({ repo: repoId, limit: "1" }), now);
    const pr = newest.data[0];
    return pr ? getPullRequestPage(db, orgId, pr.repoId, pr.number) : null;
  };
  return [
    { page: "every page", label: "signed-in user and memberships", run: () => findUserWithMemberships(db, context.userId) },
    { page: "overview", label: "repositories with 90-day numbers and 12-week AI-share sparklines", run: () => getDashboard(db, orgId, now) },
    { page: "repository", label: "cards, tiers, survival, review queue", run: () => getRepoOverview(db, orgId, repoId, now) },
    { page: "repository", label: "daily metrics", run: () => getRepoMetrics(db, orgId, repoId, resolveMetricsRange({}, now)) },
    { page: "repository", label: "high-risk files", run: () => getHighRiskFiles(db, orgId, repoId, { now, limit: 20 }) },
    { page: "repository", label: "recent events", run: () => listEvents(db, orgId, eventFeedQuery.parse({ repo: repoId, limit: 10 })) },
    { page: "repository", label: "delivery (DORA), 90 days", run: () => getDoraSummary(db, orgId, repoId, { now, days: 90 }) },
    { page: "API", label: "repository DORA, 365 days", run: () => ofRepository((repository) => getRepositoryDora(db, orgId, repository, { now, days: 365 })) },
    { page: "API", label: "organisation DORA, 90 days", run: () => getOrganizationDora(db, orgId, { now, days: 90 }) },
    { page: "repository", label: "AI commits by tool, 90 days", run: () => getAiToolsSummary(db, orgId, repoId, { now, days: 90 }) },
    { page: "repository", label: "AI T3/T4 merges without a review, 90 days", run: () => getUnreviewedAiMergesSummary(db, orgId, repoId, { now, days: 90 }) },
    { page: "API", label: "repository AI tools, 365 days", run: () => ofRepository((repository) => getRepositoryAiTools(db, orgId, repository, { now, days: 365 })) },
    { page: "pull requests", label: "newest pull requests and AI-assisted vs human, 90 days", run: () => getPullRequestList(db, orgId, pullRequestListQuery.parse({}), now) },
    { page: "pull requests", label: "AI-assisted, one repository, 365 days, second page", run: () => getPullRequestList(db, orgId, pullRequestListQuery.parse({ kind: "ai", repo: repoId, days: "365", page: "2" }), now) },
    { page: "pull request", label: "one pull request, its commits and AI-touched files", run: openPullRequestPage },
    { page: "overview", label: "AI tools card (organisation, 90 days)", run: () => getOrganisationAiToolsSummary(db, orgId, { now, days: 90 }) },
    { page: "API", label: "organisation AI tools, 365 days", run: () => getOrganisationAiToolsSummary(db, orgId, { now, days: 365 }) },
    { page: "pull requests", label: "people's own, 90 days, third page", run: () => getPullRequestList(db, orgId, pullRequestListQuery.parse({ kind: "human", days: "90", page: "3" }), now) },
    { page: "teams", label: "every team, 30 days", run: () => getTeamList(db, orgId, { now, days: 30 }) },
    { page: "API", label: "every team, 365 days", run: () => getTeamList(db, orgId, { now, days: 365 }) },
    {
      page: "team",
      label: "the largest team's figures, 90 days",
      run: async () => {
        const id = await teamId();
        return id === null ? null : getTeamPage(db, orgId, id, { now, days: 90 });
      },
    },
    {
      page: "file",
      label: "one file: commits, weekly AI share, incidents, 90 days",
      run: async () => {
        const path = await busiestFile();
        return path === null ? null : getFileHistory(db, orgId, repoId, path, { now, days: 90 });
      },
    },
    { page: "events", label: "newest events", run: () => listEvents(db, orgId, eventFeedQuery.parse({})) },
    { page: "events", label: "second page", run: cursorAfterFirstPage },
    { page: "events", label: "one repository", run: () => listEvents(db, orgId, eventFeedQuery.parse({ repo: repoId })) },
    { page: "events", label: "commits only", run: () => listEvents(db, orgId, eventFeedQuery.parse({ type: "commit" })) },
    { page: "events", label: "merges only", run: () => listEvents(db, orgId, eventFeedQuery.parse({ type: "pr_merged" })) },
    { page: "events", label: "AI confidence ≥ 0.9", run: () => listEvents(db, orgId, eventFeedQuery.parse({ minConfidence: 0.9 })) },
    { page: "events", label: "repository filter options", run: () => listRepositoryOptions(db, orgId) },
    { page: "event", label: "commit verdict and files", run: () => getEventDetail(db, orgId, context.eventId) },
    { page: "incidents", label: "all incidents", run: () => listIncidents(db, orgId, incidentListQuery.parse({})) },
    { page: "incidents", label: "open incidents", run: () => listIncidents(db, orgId, incidentListQuery.parse({ status: "open" })) },
    { page: "incidents", label: "one repository", run: () => listIncidents(db, orgId, incidentListQuery.parse({ repo: repoId })) },
    { page: "incident", label: "incident, suspects and tiers", run: () => getIncidentDetail(db, orgId, context.incidentId) },
    {
      page: "new incident",
      label: "suspect candidates",
      run: async () => ((await findRepository(db, orgId, repoId)) ? getSuspectCandidates(db, orgId, repoId, now) : []),
    },
    { page: "alerts", label: "all alerts", run: () => listAlerts(db, orgId, alertListQuery.parse({})) },
    { page: "alerts", label: "open critical alerts", run: () => listAlerts(db, orgId, alertListQuery.parse({ status: "open", severity: "critical" })) },
    { page: "alerts", label: "one repository", run: () => listAlerts(db, orgId, alertListQuery.parse({ repo: repoId })) },
    { page: "alerts", label: "30-day summary", run: () => getAlertSummary(db, orgId, now) },
    { page: "settings", label: "API keys", run: () => listApiKeys(db, orgId) },
    { page: "settings", label: "risk paths", run: () => listRiskOverrides(db, orgId) },
  ];
}

/** Runs `read` the first time only. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => (result ??= read());
}

async function largestTeam(db: Executor, orgId: string): Promise<string | null> {
  const [row] = await db.execute<{ id: string }>(sql`
    select t.id from teams t join team_members m on m.team_id = t.id where t.org_id = ${orgId} group by t.id, t.slug order by count(*) desc, t.slug limit 1`);
  return row?.id ?? null;
}
