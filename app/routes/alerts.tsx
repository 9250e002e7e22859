import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card, Metric, TableCell, TableRow, Text } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { Pill } from "~/components/Pill.tsx";
import { DataTable } from "~/components/ui/DataTable.tsx";
import { EmptyState } from "~/components/ui/EmptyState.tsx";
import { FilterForm, FilterSelect, RepositoryFilter } from "~/components/ui/FilterForm.tsx";
import { IntentButton } from "~/components/ui/IntentButton.tsx";
import type { Choice } from "~/components/ui/Select.tsx";
import { alertListQuery, getAlertSummary, listAlertsWithReasons } from "~/presenters/alerts.server.ts";
import { listRepositoryOptions } from "~/presenters/repositories.server.ts";
import { formatRelativeTime } from "~/utils/format.ts";
import { acknowledgeAlert } from "../../application/alerts/acknowledge.server.ts";

export const meta: MetaFunction = () => [{ title: "Alerts · Sentinel" }];

const STATUS_CHOICES: Choice[] = [["all", "All"], ["open", "Open"], ["acknowledged", "Acknowledged"]];
const SEVERITY_CHOICES: Choice[] = [["", "Any"], ["critical", "Critical"], ["warning", "Warning"], ["info", "Info"]];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const url = new URL(request.url);
  const parsed = alertListQuery.safeParse(Object.fromEntries([...url.searchParams].filter(([, value]) => value !== "")));
  if (!parsed.success) throw data(parsed.error.issues.map((issue) => issue.message).join("; "), { status: 400 });
  const { db } = context.services;
  const now = context.services.clock.now();
  const [alerts, summary, repositories] = await Promise.all([
    listAlertsWithReasons(db, signedIn.org.orgId, parsed.data),
    getAlertSummary(db, signedIn.org.orgId, now),
    listRepositoryOptions(db, signedIn.org.orgId),
  ]);
  return { ...shellOf(signedIn), alerts, summary, repositories, now: now.toISOString() };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const form = await request.formData();
  if (form.get("intent") !== "acknowledge") throw new Response("Unknown action", { status: 400 });
  const { db, queue } = context.services;
  const result = await acknowledgeAlert({ db, queue }, signedIn.org.orgId, String(form.get("alertId") ?? ""), signedIn.user.id);
  // Another organisation's alert id answers like an unknown one.
  if (!result.ok) throw new Response("Alert not found", { status: 404 });
  const url = new URL(request.url);
  return redirect(`/alerts${url.search}`);
}

export default function Alerts() {
  const { user, org, alerts, summary, repositories, now } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user} org={org}>
      <h1 className="text-2xl font-semibold tracking-tight">Alerts</h1>
      <div className="mt-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Card>
          <Text>Open (last 30 days)</Text>
          <Metric data-testid="alerts-open">{summary.open}</Metric>
        </Card>
        <Card>
          <Text>Critical open</Text>
          <Metric>{summary.openBySeverity.critical}</Metric>
        </Card>
        <Card>
          <Text>Warnings open</Text>
          <Metric>{summary.openBySeverity.warning}</Metric>
        </Card>
        <Card>
          <Text>Most recent</Text>
          <Metric>{formatRelativeTime(summary.mostRecentAt, now)}</Metric>
        </Card>
      </div>
      <FilterForm label="Filter alerts" margin="mt-6">
        <FilterSelect label="Status" name="status" fallback="all" choices={STATUS_CHOICES} />
        <FilterSelect label="Severity" name="severity" choices={SEVERITY_CHOICES} />
        <RepositoryFilter repositories={repositories} />
      </FilterForm>
      {alerts.length === 0 ? (
        <EmptyState>
          No alerts match. Alerts fire when a rule&apos;s threshold is crossed (AI share, AI changes to high-risk files, review
          queue, incidents); thresholds and notification channels are in Settings.
        </EmptyState>
      ) : (
        <Card className="mt-6">
          <DataTable columns={["When", "Alert", "Repository", "Status"]}>
            {alerts.map((alert) => (
              <TableRow key={alert.id} data-testid="alert-row">
                <TableCell className="whitespace-nowrap text-gray-500">{formatRelativeTime(alert.triggeredAt, now)}</TableCell>
                <TableCell className="whitespace-normal">
                  <Pill tone={alert.severity} className="mr-2">
                    {alert.severity}
                  </Pill>
                  <Link to={`/alerts/${alert.id}`} className="font-medium text-blue-700 hover:underline">
                    {alert.title}
                  </Link>
                  <span className="ml-2 text-xs text-gray-600">{alert.rule}</span>
                  <p className="mt-1 text-sm text-gray-700" data-testid="alert-reason">
                    {alert.reason}
                  </p>
                </TableCell>
                <TableCell className="whitespace-normal">{alert.repoFullName ?? "organisation"}</TableCell>
                <TableCell className="whitespace-normal">
                  {alert.acknowledgedAt ? (
                    <span className="text-gray-500">acknowledged{alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ""}</span>
                  ) : (
                    <IntentButton intent="acknowledge" fields={{ alertId: alert.id }} label={`Acknowledge ${alert.title}`}>
                      Acknowledge
                    </IntentButton>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        </Card>
      )}
    </AppShell>
  );
}
