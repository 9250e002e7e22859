import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Card, Metric, SparkAreaChart, TableCell, TableRow, Text } from "@tremor/react";
import { requireUser, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { Pill } from "~/components/Pill.tsx";
import { DataTable, right, type Column } from "~/components/ui/DataTable.tsx";
import { formatDetectorVersions, formatFractionAsPercent, formatPercent, formatRelativeTime, formatShareRange, percentOfFraction } from "~/utils/format.ts";
import { getDashboard, type Sparklines } from "~/presenters/dashboard.server.ts";
import { useHydrated } from "~/components/Hydrated.tsx";
import { OrganisationAiToolsCard } from "~/components/tools/OrganisationAiToolsCard.tsx";
import { getOrganisationAiToolsCard } from "~/presenters/ai-tools.server.ts";

export const meta: MetaFunction = () => [{ title: "Dashboard · Sentinel" }];

const NO_SPARKLINES: Sparklines = { weeks: [], aiShare: {} };

const REPOSITORY_COLUMNS: Column[] = [
  "Repository",
  right("Commits"),
  right("AI share"),
  right("Plausible range", "whitespace-normal"),
  right("AI tax"),
  { label: "Last 12 weeks", className: "whitespace-normal" },
  right("High-risk AI files", "whitespace-normal"),
  right("Open incidents", "whitespace-normal"),
  right("Last activity", "whitespace-normal"),
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, org } = await requireUser(request, context);
  const now = context.services.clock.now();
  if (!org) return { ...shellOf({ user, org }), dashboard: null, sparklines: NO_SPARKLINES, tools: null, now: now.toISOString() };
  // The sparklines come with the overview: both read the same share bins (ADR 033). The tools read their own rollups (ADR 078), side by side.
  const [{ sparklines, ...dashboard }, tools] = await Promise.all([
    getDashboard(context.services.db, org.orgId, now),
    getOrganisationAiToolsCard(context.services.db, org.orgId, { now, days: 90 }),
  ]);
  return { ...shellOf({ user, org }), dashboard, sparklines, tools, now: now.toISOString() };
}

export default function Dashboard() {
  const { user, org, dashboard, sparklines, tools, now } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  return (
    <AppShell user={user} org={org}>
      {!org || !dashboard ? (
        <NoOrganisation />
      ) : (
        <>
          <h1 className="text-2xl font-semibold tracking-tight">Repositories</h1>
          <p className="mt-1 text-sm text-gray-500">Last {dashboard.windowDays} days</p>
          <div className="mt-6 grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Card data-testid="card-ai-share">
              <Text>AI share of written lines</Text>
              <Metric>
                {formatFractionAsPercent(dashboard.totals.aiShare)}
                <ShareRange low={dashboard.totals.aiShareLow} high={dashboard.totals.aiShareHigh} />
              </Metric>
              <Text className="mt-1">estimated per repository from every commit&apos;s confidence</Text>
              <p className="mt-1 text-xs text-gray-500" data-testid="detector-version">
                {formatDetectorVersions(dashboard.detectorVersions)}
              </p>
            </Card>
            <Card>
              <Text>AI tax</Text>
              <Metric data-testid="total-ai-tax">{formatTax(dashboard.totals.aiTax)}</Metric>
              <Text className="mt-1">
                {dashboard.totals.aiTax === null
                  ? "computed every night from the daily metrics (none yet)"
                  : "of changed lines rework young AI code"}
              </Text>
            </Card>
            <Card>
              <Text>Open incidents</Text>
              <Metric data-testid="total-open-incidents">{dashboard.totals.openIncidents.toLocaleString("en-US")}</Metric>
              <Text className="mt-1">
                <Link to="/incidents" className="text-blue-700 hover:underline">
                  All incidents
                </Link>
              </Text>
            </Card>
            <Card>
              <Text>Commits</Text>
              <Metric>{dashboard.totals.commits.toLocaleString("en-US")}</Metric>
              <Text className="mt-1" data-testid="analysis-progress">
                {dashboard.totals.pendingCommits > 0
                  ? `${dashboard.totals.pendingCommits.toLocaleString("en-US")} waiting for analysis`
                  : `${dashboard.totals.analyzedCommits.toLocaleString("en-US")} analysed (merges are skipped)`}
              </Text>
              <Text className="mt-1">{dashboard.totals.events.toLocaleString("en-US")} events recorded</Text>
            </Card>
          </div>
          {dashboard.repositories.length === 0 ? (
            <NoRepositories />
          ) : (
            <Card className="mt-6">
              <DataTable columns={REPOSITORY_COLUMNS}>
                {dashboard.repositories.map((repo) => (
                  <TableRow key={repo.id} data-testid="repository-row">
                    <TableCell className="whitespace-normal font-medium text-gray-900">
                      <Link to={`/repos/${repo.id}`} className="text-blue-700 hover:underline">
                        {repo.fullName}
                      </Link>
                      {repo.source !== "github" ? (
                        <Badge className="ml-2" color="gray" size="xs">
                          {repo.source}
                        </Badge>
                      ) : null}
                    </TableCell>
                    <TableCell className="text-right">
                      {repo.commits.toLocaleString("en-US")}
                      {repo.pendingCommits > 0 ? (
                        <span className="ml-1 text-xs text-gray-600">({repo.pendingCommits} pending)</span>
                      ) : null}
                    </TableCell>
                    <TableCell className="text-right">{formatFractionAsPercent(repo.aiShare)}</TableCell>
                    <TableCell className="text-right text-gray-500" data-testid="repository-ai-share-range">
                      {formatShareRange(percentOfFraction(repo.aiShareLow), percentOfFraction(repo.aiShareHigh)) ?? "—"}
                    </TableCell>
                    <TableCell className="text-right" data-testid="repository-ai-tax">
                      {formatTax(repo.aiTax)}
                    </TableCell>
                    <TableCell>
                      <div role="img" aria-label={`Weekly AI share of ${repo.fullName}, last 12 weeks`} className="h-8 w-28" data-testid="sparkline">
                        {hydrated && sparklines.aiShare[repo.id] ? (
                          <SparkAreaChart
                            className="h-8 w-28"
                            data={sparklines.aiShare[repo.id]!.map((aiShare, week) => ({ week: sparklines.weeks[week]!, aiShare }))}
                            index="week"
                            categories={["aiShare"]}
                            colors={["violet"]}
                            connectNulls
                          />
                        ) : null}
                      </div>
                    </TableCell>
                    <TableCell className="text-right">{repo.highRiskFiles}</TableCell>
                    <TableCell className="text-right" data-testid="repository-open-incidents">
                      {repo.openIncidents > 0 ? (
                        <Pill tone="critical">{repo.openIncidents} open</Pill>
                      ) : (
                        "0"
                      )}
                    </TableCell>
                    <TableCell className="text-right">{formatRelativeTime(repo.lastActivityAt, now)}</TableCell>
                  </TableRow>
                ))}
              </DataTable>
            </Card>
          )}
          {tools ? <OrganisationAiToolsCard tools={tools} /> : null}
        </>
      )}
    </AppShell>
  );
}

/** " (27.1–36.4 %)" after an estimated share, in the card's smaller type; nothing when there is no range. */
function ShareRange({ low, high }: { low: number | null; high: number | null }) {
  const range = formatShareRange(percentOfFraction(low), percentOfFraction(high));
  return range === null ? null : <span className="ml-2 inline-block whitespace-nowrap text-base font-normal text-gray-500">({range})</span>;
}

/** AI tax is stored as a fraction (0.12); shown like the repository page's card. Null until the first nightly run. */
function formatTax(value: number | null): string {
  return value === null ? "—" : formatPercent(value * 100);
}

function NoOrganisation() {
  return (
    <div className="rounded-lg border border-dashed border-gray-300 bg-white p-10 text-center">
      <h1 className="text-xl font-semibold">No organisation yet</h1>
      <p className="mx-auto mt-2 max-w-lg text-sm text-gray-600">
        Install the Sentinel GitHub App on an organisation to start tracking it (no App yet? Register one on the{" "}
        <Link to="/setup" className="text-blue-700 underline">
          Setup page
        </Link>
        ), import a local clone with <code>npx sentinel import &lt;git-dir&gt; --repo owner/name</code>, or load the demo
        organisation with <code>npx sentinel seed-demo</code>.
      </p>
    </div>
  );
}

function NoRepositories() {
  return (
    <div className="mt-6 rounded-lg border border-dashed border-gray-300 bg-white p-10 text-center">
      <h2 className="text-lg font-semibold">No repositories tracked yet</h2>
      <p className="mx-auto mt-2 max-w-lg text-sm text-gray-600">
        Add repositories to the GitHub App installation (the{" "}
        <Link to="/setup" className="text-blue-700 underline">
          Setup page
        </Link>{" "}
        registers and links the App), or import a local clone with <code>npx sentinel import</code>.
      </p>
    </div>
  );
}
