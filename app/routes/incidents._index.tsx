import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card, TableCell, TableRow } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import { EmptyState } from "~/components/ui/EmptyState.tsx";
import { FilterForm, FilterSelect, RepositoryFilter } from "~/components/ui/FilterForm.tsx";
import type { Choice } from "~/components/ui/Select.tsx";
import { incidentListQuery, listIncidents } from "~/presenters/incidents.server.ts";
import { listRepositoryOptions } from "~/presenters/repositories.server.ts";
import { formatFractionAsPercent } from "~/utils/format.ts";
import { Pill } from "~/components/Pill.tsx";
import { SEVERITY_TONES } from "~/utils/incidents.ts";

export const meta: MetaFunction = () => [{ title: "Incidents · Sentinel" }];

const STATUS_CHOICES: Choice[] = [["all", "All"], ["open", "Open"], ["resolved", "Resolved"]];

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
  return (
    <AppShell user={user} org={org}>
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Incidents</h1>
        <Link to="/incidents/new" className="rounded-md bg-gray-900 px-3 py-2 text-sm text-white hover:bg-gray-700">
          Log an incident
        </Link>
      </div>
      <FilterForm label="Filter incidents">
        <RepositoryFilter repositories={repositories} />
        <FilterSelect label="Status" name="status" fallback="all" choices={STATUS_CHOICES} />
      </FilterForm>
      {incidents.length === 0 ? (
        <EmptyState>
          No incidents. Log one when production breaks, with the commits you suspect: Sentinel then shows how much of the
          suspected code was AI-written.
        </EmptyState>
      ) : (
        <Card className="mt-6">
          <DataTable columns={["Started", "Incident", "Repository", right("Suspects"), right("AI attribution"), "Status"]}>
            {incidents.map((incident) => (
              <TableRow key={incident.id} data-testid="incident-row">
                <TableCell className="whitespace-nowrap text-gray-500">{incident.startedAt.slice(0, 16).replace("T", " ")}</TableCell>
                <TableCell>
                  <Pill tone={SEVERITY_TONES[incident.severity] ?? "neutral"} className="mr-2">
                    {incident.severity}
                  </Pill>
                  <Link to={`/incidents/${incident.id}`} className="text-blue-700 hover:underline">
                    {incident.title}
                  </Link>
                </TableCell>
                <TableCell>{incident.repoFullName}</TableCell>
                <TableCell className="text-right">{incident.suspectedCommits}</TableCell>
                <TableCell className="text-right">{formatFractionAsPercent(incident.aiAttribution, 0)}</TableCell>
                <TableCell>{incident.resolvedAt ? "resolved" : <span className="font-medium text-rose-700">open</span>}</TableCell>
              </TableRow>
            ))}
          </DataTable>
        </Card>
      )}
    </AppShell>
  );
}
