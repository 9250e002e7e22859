import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { Card, Metric, Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow, Text } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { Pill } from "~/components/Pill.tsx";
import { alertListQuery, getAlertSummary, listAlerts } from "~/presenters/alerts.server.ts";
import { listRepositoryOptions } from "~/presenters/repositories.server.ts";
import { formatRelativeTime } from "~/utils/format.ts";
import { acknowledgeAlert } from "../../application/alerts/acknowledge.server.ts";

export const meta: MetaFunction = () => [{ title: "Alerts · Sentinel" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const url = new URL(request.url);
  const parsed = alertListQuery.safeParse(Object.fromEntries([...url.searchParams].filter(([, value]) => value !== "")));
  if (!parsed.success) throw data(parsed.error.issues.map((issue) => issue.message).join("; "), { status: 400 });
  const { db } = context.services;
  const now = context.services.clock.now();
  const [alerts, summary, repositories] = await Promise.all([
    listAlerts(db, signedIn.org.orgId, parsed.data),
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
  const [params] = useSearchParams();
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
      <Form method="get" className="mt-6 flex flex-wrap items-end gap-3 text-sm" aria-label="Filter alerts">
        <label className="flex flex-col gap-1">
          Status
          <select name="status" defaultValue={params.get("status") ?? "all"} className="rounded-md border-gray-300 text-sm">
            <option value="all">All</option>
            <option value="open">Open</option>
            <option value="acknowledged">Acknowledged</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Severity
          <select name="severity" defaultValue={params.get("severity") ?? ""} className="rounded-md border-gray-300 text-sm">
            <option value="">Any</option>
            <option value="critical">Critical</option>
            <option value="warning">Warning</option>
            <option value="info">Info</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Repository
          <select name="repo" defaultValue={params.get("repo") ?? ""} className="rounded-md border-gray-300 text-sm">
            <option value="">All repositories</option>
            {repositories.map((repo) => (
              <option key={repo.id} value={repo.id}>
                {repo.fullName}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded-md border border-gray-300 bg-white px-3 py-2 hover:bg-gray-50">
          Apply
        </button>
      </Form>
      {alerts.length === 0 ? (
        <p className="mt-8 rounded-lg border border-dashed border-gray-300 bg-white p-8 text-center text-sm text-gray-600">
          No alerts match. Alerts fire when a rule&apos;s threshold is crossed (AI share, AI changes to high-risk files, review
          queue, incidents); thresholds and notification channels are in Settings.
        </p>
      ) : (
        <Card className="mt-6">
          <Table>
            <TableHead>
              <TableRow>
                <TableHeaderCell>When</TableHeaderCell>
                <TableHeaderCell>Alert</TableHeaderCell>
                <TableHeaderCell>Repository</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {alerts.map((alert) => (
                <TableRow key={alert.id} data-testid="alert-row">
                  <TableCell className="whitespace-nowrap text-gray-500">{formatRelativeTime(alert.triggeredAt, now)}</TableCell>
                  <TableCell className="whitespace-normal">
                    <Pill tone={alert.severity} className="mr-2">
                      {alert.severity}
                    </Pill>
                    {alert.title}
                    <span className="ml-2 text-xs text-gray-600">{alert.rule}</span>
                  </TableCell>
                  <TableCell className="whitespace-normal">{alert.repoFullName ?? "organisation"}</TableCell>
                  <TableCell className="whitespace-normal">
                    {alert.acknowledgedAt ? (
                      <span className="text-gray-500">acknowledged{alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ""}</span>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="acknowledge" />
                        <input type="hidden" name="alertId" value={alert.id} />
                        <button type="submit" className="rounded-md border border-gray-300 bg-white px-2 py-1 text-xs hover:bg-gray-50" aria-label={`Acknowledge ${alert.title}`}>
                          Acknowledge
                        </button>
                      </Form>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </AppShell>
  );
}
