import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, Card, Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { incidentListQuery, listIncidents } from "~/presenters/incidents.server.ts";
import { listRepositoryOptions } from "~/presenters/repositories.server.ts";
import { formatPercent } from "~/utils/format.ts";
import { SEVERITY_COLORS } from "~/utils/incidents.ts";

export const meta: MetaFunction = () => [{ title: "Incidents · Sentinel" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const url = new URL(request.url);
  const parsed = incidentListQuery.safeParse(Object.fromEntries([...url.searchParams].filter(([, value]) => value !== "")));
  if (!parsed.success) throw data(parsed.error.issues.map((issue) => issue.message).join("; "), { status: 400 });
  const [incidents, repositories] = await Promise.all([
    listIncidents(context.services.db, signedIn.org.orgId, parsed.data),
    listRepositoryOptions(context.services.db, signedIn.org.orgId),
  ]);
  return { ...shellOf(signedIn), incidents, repositories };
}

export default function Incidents() {
  const { user, org, incidents, repositories } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <AppShell user={user} org={org}>
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Incidents</h1>
        <Link to="/incidents/new" className="rounded-md bg-gray-900 px-3 py-2 text-sm text-white hover:bg-gray-700">
          Log an incident
        </Link>
      </div>
      <Form method="get" className="mt-4 flex flex-wrap items-end gap-3 text-sm" aria-label="Filter incidents">
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
        <label className="flex flex-col gap-1">
          Status
          <select name="status" defaultValue={params.get("status") ?? "all"} className="rounded-md border-gray-300 text-sm">
            <option value="all">All</option>
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
          </select>
        </label>
        <button type="submit" className="rounded-md border border-gray-300 bg-white px-3 py-2 hover:bg-gray-50">
          Apply
        </button>
      </Form>
      {incidents.length === 0 ? (
        <p className="mt-8 rounded-lg border border-dashed border-gray-300 bg-white p-8 text-center text-sm text-gray-600">
          No incidents. Log one when production breaks, with the commits you suspect: Sentinel then shows how much of the
          suspected code was AI-written.
        </p>
      ) : (
        <Card className="mt-6">
          <Table>
            <TableHead>
              <TableRow>
                <TableHeaderCell>Started</TableHeaderCell>
                <TableHeaderCell>Incident</TableHeaderCell>
                <TableHeaderCell>Repository</TableHeaderCell>
                <TableHeaderCell className="text-right">Suspects</TableHeaderCell>
                <TableHeaderCell className="text-right">AI attribution</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {incidents.map((incident) => (
                <TableRow key={incident.id} data-testid="incident-row">
                  <TableCell className="whitespace-nowrap text-gray-500">{incident.startedAt.slice(0, 16).replace("T", " ")}</TableCell>
                  <TableCell>
                    <Badge size="xs" color={SEVERITY_COLORS[incident.severity]} className="mr-2">
                      {incident.severity}
                    </Badge>
                    <Link to={`/incidents/${incident.id}`} className="text-blue-700 hover:underline">
                      {incident.title}
                    </Link>
                  </TableCell>
                  <TableCell>{incident.repoFullName}</TableCell>
                  <TableCell className="text-right">{incident.suspectedCommits}</TableCell>
                  <TableCell className="text-right">{formatPercent(incident.aiAttribution, 0)}</TableCell>
                  <TableCell>{incident.resolvedAt ? "resolved" : <span className="font-medium text-rose-700">open</span>}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </AppShell>
  );
}
