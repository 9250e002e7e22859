import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { AccessErrorCallout } from "~/components/repository/AccessErrorCallout.tsx";
import { CommitFailures } from "~/components/repository/CommitFailures.tsx";
import { DailyMetricCharts } from "~/components/repository/DailyMetricCharts.tsx";
import { DoraCard } from "~/components/repository/DoraCard.tsx";
import { HighRiskFilesCard } from "~/components/repository/HighRiskFilesCard.tsx";
import { LinesByTierChart } from "~/components/repository/LinesByTierChart.tsx";
import { MetricCards } from "~/components/repository/MetricCards.tsx";
import { RecentEventsCard } from "~/components/repository/RecentEventsCard.tsx";
import { RepositoryHeader } from "~/components/repository/RepositoryHeader.tsx";
import { ReviewQueueCard } from "~/components/repository/ReviewQueueCard.tsx";
import { SurvivalChart } from "~/components/repository/SurvivalChart.tsx";
import { getCommitFailures } from "~/presenters/commit-failures.server.ts";
import { getDoraSummary } from "~/presenters/dora.server.ts";
import { getAiToolsSummary } from "~/presenters/ai-tools.server.ts";
import { AiToolsCard } from "~/components/repository/AiToolsCard.tsx";
import { UnreviewedAiMergesCard } from "~/components/repository/UnreviewedAiMergesCard.tsx";
import { getUnreviewedAiMergesSummary } from "~/presenters/unreviewed-ai-merges.server.ts";
import { DEFAULT_RANGE_DAYS } from "~/utils/range-days.ts";
import { eventFeedQuery, listEvents } from "~/presenters/events.server.ts";
import {
  getHighRiskFiles,
  getRepoMetrics,
  getRepoOverview,
  resolveMetricsRange,
} from "~/presenters/repository.server.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.overview.repository.fullName ?? "Repository"} · Sentinel` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const { db } = context.services;
  const orgId = signedIn.org.orgId;
  const now = context.services.clock.now();
  // A malformed id, an unknown id and another organisation's id all answer the same 404. Every read is scoped to
  // the organisation, so the page's reads start together (one round trip, ADR 060): for a repository that is not
  // the organisation's they find nothing, and the 404 below is all that is sent.
  const requested = z.string().uuid().safeParse(params.repoId);
  if (!requested.success) throw new Response("Repository not found", { status: 404 });
  const repoId = requested.data;
  const [overview, metrics, highRiskFiles, recent, commitFailures, dora, aiTools, unreviewedAiMerges] = await Promise.all([
    getRepoOverview(db, orgId, repoId, now),
    getRepoMetrics(db, orgId, repoId, resolveMetricsRange({}, now)),
    getHighRiskFiles(db, orgId, repoId, { now, limit: 20 }),
    listEvents(db, orgId, eventFeedQuery.parse({ repo: repoId, limit: 10 })),
    getCommitFailures(db, orgId, repoId),
    getDoraSummary(db, orgId, repoId, { now, days: DEFAULT_RANGE_DAYS }),
    getAiToolsSummary(db, orgId, repoId, { now, days: DEFAULT_RANGE_DAYS }),
    getUnreviewedAiMergesSummary(db, orgId, repoId, { now, days: DEFAULT_RANGE_DAYS }),
  ]);
  if (!overview) throw new Response("Repository not found", { status: 404 });
  return {
    ...shellOf(signedIn),
    overview,
    metrics,
    highRiskFiles,
    recentEvents: recent.events,
    commitFailures,
    dora,
    aiTools,
    unreviewedAiMerges,
    now: now.toISOString(),
  };
}

export default function RepositoryPage() {
  const { user, org, overview, metrics, highRiskFiles, recentEvents, commitFailures, dora, aiTools, unreviewedAiMerges, now } =
    useLoaderData<typeof loader>();
  return (
    <AppShell user={user} org={org}>
      <RepositoryHeader fullName={overview.repository.fullName} windowDays={overview.windowDays} />
      {overview.accessError ? <AccessErrorCallout accessError={overview.accessError} now={now} /> : null}
      <CommitFailures failures={commitFailures} now={now} />

      <MetricCards cards={overview.cards} detectorVersions={overview.detectorVersions} />

      <div className="mt-6 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <DailyMetricCharts metrics={metrics} />
        <LinesByTierChart linesByTier={overview.linesByTier} />
        <SurvivalChart survival={overview.survival} />
      </div>

      <DoraCard dora={dora} />

      <AiToolsCard tools={aiTools} />

      <UnreviewedAiMergesCard merges={unreviewedAiMerges} now={now} />

      <HighRiskFilesCard files={highRiskFiles} now={now} />

      <div className="mt-6 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <ReviewQueueCard reviewQueue={overview.reviewQueue} openPullRequests={overview.openPullRequests} now={now} />
        <RecentEventsCard events={recentEvents} repoId={overview.repository.id} now={now} />
      </div>
    </AppShell>
  );
}
