import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Card, Metric, SparkAreaChart, Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow, Text } from "@tremor/react";
import { requireUser, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { formatPercent, formatRelativeTime } from "~/utils/format.ts";
import { getDashboard, getRepositorySparklines, type Sparklines } from "~/presenters/dashboard.server.ts";
import { useHydrated } from "~/components/Hydrated.tsx";

export const meta: MetaFunction = () => [{ title: "Dashboard · Sentinel" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, org } = await requireUser(request, context);
  const now = new Date();
  const [dashboard, sparklines] = org
    ? await Promise.all([getDashboard(context.services.db, org.orgId, now), getRepositorySparklines(context.services.db, org.orgId, now)])
    : ([null, { weeks: [], aiShare: {} }] as [null, Sparklines]);
  return {
    ...shellOf({ user, org }),
    dashboard,
    sparklines,
    now: now.toISOString(),
  };
}

export default function Dashboard() {
  const { user, org, dashboard, sparklines, now } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  return (
    <AppShell user={user} org={org}>
      {!org || !dashboard ? (
        <NoOrganisation />
      ) : (
        <>
          <h1 className="text-2xl font-semibold tracking-tight">Repositories</h1>
          <p className="mt-1 text-sm text-gray-500">Last {dashboard.windowDays} days</p>
          <div className="mt-6 grid grid-cols-1 gap-4 sm:grid-cols-3">
            <Card>
              <Text>AI share of added lines</Text>
              <Metric>{formatPercent(dashboard.totals.aiShare)}</Metric>
            </Card>
            <Card>
              <Text>Commits</Text>
              <Metric>{dashboard.totals.commits.toLocaleString("en-US")}</Metric>
              <Text className="mt-1" data-testid="analysis-progress">
                {dashboard.totals.pendingCommits > 0
                  ? `${dashboard.totals.pendingCommits.toLocaleString("en-US")} waiting for analysis`
                  : `${dashboard.totals.analyzedCommits.toLocaleString("en-US")} analysed (merges are skipped)`}
              </Text>
            </Card>
            <Card>
              <Text>Events recorded</Text>
              <Metric>{dashboard.totals.events.toLocaleString("en-US")}</Metric>
            </Card>
          </div>
          {dashboard.repositories.length === 0 ? (
            <NoRepositories />
          ) : (
            <Card className="mt-6">
              <Table>
                <TableHead>
                  <TableRow>
                    <TableHeaderCell>Repository</TableHeaderCell>
                    <TableHeaderCell className="text-right">Commits</TableHeaderCell>
                    <TableHeaderCell className="text-right">AI share</TableHeaderCell>
                    <TableHeaderCell>Last 12 weeks</TableHeaderCell>
                    <TableHeaderCell className="text-right">High-risk AI files</TableHeaderCell>
                    <TableHeaderCell className="text-right">Last activity</TableHeaderCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {dashboard.repositories.map((repo) => (
                    <TableRow key={repo.id} data-testid="repository-row">
                      <TableCell className="font-medium text-gray-900">
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
                      <TableCell className="text-right">{formatPercent(repo.aiShare)}</TableCell>
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
                      <TableCell className="text-right">{formatRelativeTime(repo.lastActivityAt, now)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Card>
          )}
        </>
      )}
    </AppShell>
  );
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
