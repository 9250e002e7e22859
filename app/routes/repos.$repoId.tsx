import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import {
  AreaChart,
  Badge,
  BarChart,
  Card,
  LineChart,
  Metric,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeaderCell,
  TableRow,
  Text,
  Title,
} from "@tremor/react";
import { z } from "zod";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { CommitFailures } from "~/components/CommitFailures.tsx";
import { ChartSlot } from "~/components/Hydrated.tsx";
import { getCommitFailures } from "~/presenters/commit-failures.server.ts";
import { eventFeedQuery, listEvents } from "~/presenters/events.server.ts";
import {
  getHighRiskFiles,
  getRepoMetrics,
  getRepoOverview,
  resolveMetricsRange,
} from "~/presenters/repository.server.ts";
import { formatDetectorVersions, formatPercent, formatRelativeTime, formatShareRange } from "~/utils/format.ts";
import { formatConfidence } from "~/utils/signals.ts";

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
  const [overview, metrics, highRiskFiles, recent, commitFailures] = await Promise.all([
    getRepoOverview(db, orgId, repoId, now),
    getRepoMetrics(db, orgId, repoId, resolveMetricsRange({}, now)),
    getHighRiskFiles(db, orgId, repoId, { now, limit: 20 }),
    listEvents(db, orgId, eventFeedQuery.parse({ repo: repoId, limit: 10 })),
    getCommitFailures(db, orgId, repoId),
  ]);
  if (!overview) throw new Response("Repository not found", { status: 404 });
  return {
    ...shellOf(signedIn),
    overview,
    metrics,
    highRiskFiles,
    recentEvents: recent.events,
    commitFailures,
    now: now.toISOString(),
  };
}

const percent = (value: number) => `${value.toFixed(1)} %`;
const taxPercent = (value: number | null) =>
  value === null ? "—" : `${(value * 100).toFixed(1)} %`;

export default function RepositoryPage() {
  const { user, org, overview, metrics, highRiskFiles, recentEvents, commitFailures, now } =
    useLoaderData<typeof loader>();
  const { repository, cards } = overview;
  const series = metrics.map((row) => ({
    date: row.date,
    "AI share": row.aiPercentage,
    "AI tax": row.aiTax === null ? null : row.aiTax * 100,
    "Human tax": row.humanTax === null ? null : row.humanTax * 100,
  }));
  const survival = mergeSurvival(overview.survival.ai, overview.survival.human);
  return (
    <AppShell user={user} org={org}>
      <nav aria-label="Breadcrumb" className="text-sm text-gray-500">
        <Link to="/dashboard" className="hover:underline">
          Repositories
        </Link>{" "}
        / {repository.fullName}
      </nav>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight">
        {repository.fullName}
      </h1>
      <p className="mt-1 text-sm text-gray-500">
        Last {overview.windowDays} days
      </p>
      {overview.accessError ? (
        <div role="alert" data-testid="repo-access-error" className="mt-4 max-w-4xl rounded-md border border-rose-300 bg-rose-50 p-4 text-sm text-rose-900">
          <p className="font-medium">
            GitHub refused Sentinel access to this repository
            {overview.accessError.at ? (
              <>
                {" "}
                <time dateTime={overview.accessError.at} title={overview.accessError.at}>
                  {formatRelativeTime(overview.accessError.at, now)}
                </time>
              </>
            ) : null}
            , so its new commits are not analysed.
          </p>
          <p className="mt-1 break-words">{overview.accessError.reason}</p>
          <p className="mt-2 text-rose-800">
            Once that is fixed, an owner or admin can retry the failed jobs on the{" "}
            <Link to="/settings/queues" className="underline">
              queues page
            </Link>
            ; the next successful fetch clears this notice.
          </p>
        </div>
      ) : null}
      <CommitFailures failures={commitFailures} now={now} />

      <div className="mt-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Card data-testid="card-ai-share">
          <Text>AI share of written lines</Text>
          <Metric>
            {formatPercent(cards.aiShare)}
            {formatShareRange(cards.aiShareLow, cards.aiShareHigh) ? (
              <span className="ml-2 inline-block whitespace-nowrap text-base font-normal text-gray-500">
                ({formatShareRange(cards.aiShareLow, cards.aiShareHigh)})
              </span>
            ) : null}
          </Metric>
          <Text className="mt-1">
            estimated from {cards.writtenLines.toLocaleString("en-US")} written
            lines
          </Text>
          <p
            className="mt-1 text-xs text-gray-500"
            data-testid="detector-version"
          >
            {formatDetectorVersions(overview.detectorVersions)}
          </p>
        </Card>
        <Card data-testid="card-ai-tax">
          <Text>AI tax (rework of young AI lines)</Text>
          <Metric>{taxPercent(cards.aiTax)}</Metric>
        </Card>
        <Card data-testid="card-high-risk">
          <Text>High-risk files changed by AI</Text>
          <Metric>{cards.highRiskFiles}</Metric>
        </Card>
        <Card data-testid="card-incidents">
          <Text>Incidents</Text>
          <Metric>{cards.incidents}</Metric>
          <Text className="mt-1">{cards.openIncidents} open</Text>
        </Card>
      </div>

      <div className="mt-6 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Card>
          <Title>AI share per day</Title>
          <Text className="mt-1">
            Each day&apos;s written lines, at the prior fitted over the 90 days
            ending with it
          </Text>
          {series.length === 0 ? (
            <NoMetrics />
          ) : (
            <ChartSlot label="Estimated AI share of written lines per day">
              {() => (
                <AreaChart
                  className="h-56"
                  data={series}
                  index="date"
                  categories={["AI share"]}
                  colors={["violet"]}
                  valueFormatter={percent}
                  showLegend={false}
                />
              )}
            </ChartSlot>
          )}
        </Card>
        <Card>
          <Title>AI tax and human tax per day</Title>
          {series.length === 0 ? (
            <NoMetrics />
          ) : (
            <>
              <ChartSlot label="Share of changed lines spent reworking young AI and human lines, per day">
                {() => (
                  <LineChart
                    className="h-56"
                    data={series}
                    index="date"
                    categories={["AI tax", "Human tax"]}
                    colors={["rose", "gray"]}
                    valueFormatter={percent}
                    connectNulls
                    showLegend={false}
                  />
                )}
              </ChartSlot>
              <ChartLegend
                items={[
                  ["AI tax", "bg-rose-500"],
                  ["Human tax", "bg-gray-500"],
                ]}
              />
            </>
          )}
        </Card>
        <Card>
          <Title>Written lines by risk tier</Title>
          <ChartSlot label="Written lines by risk tier, expected AI and human">
            {() => (
              <BarChart
                className="h-56"
                data={overview.linesByTier.map((tier) => ({
                  tier: tier.tier,
                  AI: tier.ai,
                  Human: tier.human,
                }))}
                index="tier"
                categories={["AI", "Human"]}
                colors={["violet", "gray"]}
                stack
                showLegend={false}
              />
            )}
          </ChartSlot>
          <ChartLegend
            items={[
              ["AI", "bg-violet-500"],
              ["Human", "bg-gray-500"],
            ]}
          />
          <table className="sr-only">
            <caption>Written lines by risk tier</caption>
            <tbody>
              {overview.linesByTier.map((tier) => (
                <tr key={tier.tier}>
                  <th scope="row">{tier.tier}</th>
                  <td>{tier.ai} AI</td>
                  <td>{tier.human} human</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card>
          <Title>Line survival, AI vs human</Title>
          {survival.length === 0 ? (
            <p className="mt-4 text-sm text-gray-500">
              No survival cohorts yet: they are computed nightly once lines are
              a week old.
            </p>
          ) : (
            <>
              <ChartSlot label="Share of lines still alive by age in days, AI and human">
                {() => (
                  <LineChart
                    className="h-56"
                    data={survival}
                    index="days"
                    categories={["AI", "Human"]}
                    colors={["violet", "gray"]}
                    valueFormatter={percent}
                    connectNulls
                    showLegend={false}
                  />
                )}
              </ChartSlot>
              <ChartLegend
                items={[
                  ["AI", "bg-violet-500"],
                  ["Human", "bg-gray-500"],
                ]}
              />
              <Text className="mt-2">
                Half-life: AI {formatDays(overview.survival.aiHalfLifeDays)},
                human {formatDays(overview.survival.humanHalfLifeDays)} (oldest
                weekly cohort with a curve).
              </Text>
            </>
          )}
        </Card>
      </div>

      <Card className="mt-6">
        <Title>
          High-risk files changed by AI (T3/T4, AI confidence ≥ 50 %)
        </Title>
        {highRiskFiles.length === 0 ? (
          <p className="mt-4 text-sm text-gray-500">
            No AI-attributed change touched a T3/T4 file in the last 90 days.
          </p>
        ) : (
          <Table className="mt-2">
            <TableHead>
              <TableRow>
                <TableHeaderCell>File</TableHeaderCell>
                <TableHeaderCell>Tier</TableHeaderCell>
                <TableHeaderCell className="text-right">
                  AI commits
                </TableHeaderCell>
                <TableHeaderCell className="text-right">
                  AI lines
                </TableHeaderCell>
                <TableHeaderCell className="text-right">
                  Last change
                </TableHeaderCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {highRiskFiles.map((file) => (
                <TableRow key={file.path} data-testid="high-risk-file">
                  <TableCell
                    className="max-w-sm truncate font-mono text-xs"
                    title={file.riskReasons.join("; ")}
                  >
                    {file.path}
                  </TableCell>
                  <TableCell>
                    <span
                      className={`rounded px-1.5 py-0.5 text-xs font-medium ${
                        file.riskTier === 4
                          ? "bg-rose-100 text-rose-900"
                          : "bg-amber-100 text-amber-900"
                      }`}
                    >
                      T{file.riskTier}
                    </span>
                  </TableCell>
                  <TableCell className="text-right">{file.aiCommits}</TableCell>
                  <TableCell className="text-right">
                    {file.aiLinesAdded}
                  </TableCell>
                  <TableCell className="text-right">
                    {formatRelativeTime(file.lastChangedAt, now)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>

      <div className="mt-6 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Card>
          <Title>Review queue</Title>
          {overview.reviewQueue ? (
            <dl className="mt-2 grid grid-cols-2 gap-2 text-sm">
              <dt className="text-gray-500">Waiting for a first review</dt>
              <dd>{overview.reviewQueue.waiting}</dd>
              <dt className="text-gray-500">Hanging (over 3 days)</dt>
              <dd>{overview.reviewQueue.hanging}</dd>
              <dt className="text-gray-500">Median pickup</dt>
              <dd>{formatMinutes(overview.reviewQueue.medianPickupMinutes)}</dd>
              <dt className="text-gray-500">AI share of the waiting PRs</dt>
              <dd>
                {overview.reviewQueue.aiWaitingShare === null
                  ? "—"
                  : percent(overview.reviewQueue.aiWaitingShare * 100)}
              </dd>
            </dl>
          ) : (
            <p className="mt-2 text-sm text-gray-500">
              No snapshot yet: the queue is measured every hour.
            </p>
          )}
          {overview.openPullRequests.length > 0 ? (
            <ul className="mt-4 divide-y divide-gray-100 text-sm">
              {overview.openPullRequests.map((pr) => (
                <li
                  key={pr.number}
                  className="flex justify-between gap-2 py-1.5"
                >
                  <span className="truncate">
                    #{pr.number} {pr.title}
                    {pr.aiMarkers.length > 0 ? (
                      <Badge size="xs" color="violet" className="ml-2">
                        AI
                      </Badge>
                    ) : null}
                  </span>
                  <span className="whitespace-nowrap text-gray-500">
                    {formatRelativeTime(pr.openedAt, now)}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
        </Card>
        <Card>
          <Title>Recent events</Title>
          {recentEvents.length === 0 ? (
            <p className="mt-2 text-sm text-gray-500">No events yet.</p>
          ) : (
            <ul className="mt-2 divide-y divide-gray-100 text-sm">
              {recentEvents.map((event) => (
                <li
                  key={event.id}
                  className="flex justify-between gap-2 py-1.5"
                  data-testid="recent-event"
                >
                  <Link
                    to={`/events/${event.id}`}
                    className="truncate text-blue-700 hover:underline"
                  >
                    {event.type}:{" "}
                    {event.summary || event.commitSha?.slice(0, 7)}
                  </Link>
                  <span className="whitespace-nowrap text-gray-500">
                    {event.type === "commit"
                      ? `${formatConfidence(event.aiConfidence)} · `
                      : ""}
                    {formatRelativeTime(event.timestamp, now)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <Link
            to={`/events?repo=${repository.id}`}
            className="mt-3 inline-block text-sm text-blue-700 hover:underline"
          >
            All events of this repository →
          </Link>
        </Card>
      </div>
    </AppShell>
  );
}

function ChartLegend({
  items,
}: {
  items: Array<[label: string, swatch: string]>;
}) {
  return (
    <ul className="mt-2 flex gap-4 text-xs text-gray-600">
      {items.map(([label, swatch]) => (
        <li key={label} className="flex items-center gap-1.5">
          <span
            aria-hidden="true"
            className={`inline-block h-2 w-2 rounded-full ${swatch}`}
          />
          {label}
        </li>
      ))}
    </ul>
  );
}

function NoMetrics() {
  return (
    <p className="mt-4 text-sm text-gray-500">
      No daily metrics yet: they are computed every night, or now with{" "}
      <code>npx sentinel metrics recompute</code>.
    </p>
  );
}

function formatDays(days: number | null): string {
  return days === null ? "—" : `${Math.round(days)} d`;
}

function formatMinutes(minutes: number | null): string {
  if (minutes === null) return "—";
  return minutes < 120
    ? `${Math.round(minutes)} min`
    : `${(minutes / 60).toFixed(1)} h`;
}

/** Two step curves on one axis: each day where either changes, with the other carried forward. */
function mergeSurvival(
  ai: { days: number; survival: number }[],
  human: { days: number; survival: number }[]
) {
  const days = [
    ...new Set([
      0,
      ...ai.map((point) => point.days),
      ...human.map((point) => point.days),
    ]),
  ].sort((x, y) => x - y);
  const at = (curve: { days: number; survival: number }[], day: number) => {
    if (curve.length === 0) return null;
    let value = 1;
    for (const point of curve) if (point.days <= day) value = point.survival;
    return value * 100;
  };
  if (ai.length === 0 && human.length === 0) return [];
  return days.map((day) => ({
    days: day,
    AI: at(ai, day),
    Human: at(human, day),
  }));
}
