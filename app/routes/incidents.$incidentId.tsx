import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Badge, Card, Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow, Title } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { getIncidentDetail } from "~/presenters/incidents.server.ts";
import { resolveIncident } from "../../application/incidents/resolve-incident.server.ts";
import { formatPercent } from "~/utils/format.ts";
import { SEVERITY_COLORS } from "~/utils/incidents.ts";
import { TIER_LABELS, formatConfidence, signalLabel } from "~/utils/signals.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.incident.title ?? "Incident"} · Sentinel` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const incident = await getIncidentDetail(context.services.db, signedIn.org.orgId, params.incidentId ?? "");
  if (!incident) throw new Response("Incident not found", { status: 404 });
  return { ...shellOf(signedIn), incident };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const form = await request.formData();
  if (form.get("intent") !== "resolve") throw new Response("Unknown action", { status: 400 });
  const result = await resolveIncident(context.services.db, signedIn.org.orgId, params.incidentId ?? "", context.services.clock.now());
  if (!result.ok) throw new Response("Incident not found", { status: 404 });
  return redirect(`/incidents/${params.incidentId}`);
}

const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

export default function IncidentPage() {
  const { user, org, incident } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user} org={org}>
      <nav aria-label="Breadcrumb" className="text-sm text-gray-500">
        <Link to="/incidents" className="hover:underline">
          Incidents
        </Link>{" "}
        / {incident.repoFullName}
      </nav>
      <div className="mt-1 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">
          <Badge size="sm" color={SEVERITY_COLORS[incident.severity]} className="mr-2 align-middle">
            {incident.severity}
          </Badge>
          {incident.title}
        </h1>
        {incident.resolvedAt ? (
          <span className="text-sm text-gray-600" data-testid="incident-status">
            Resolved {utc(incident.resolvedAt)}
          </span>
        ) : (
          <Form method="post">
            <input type="hidden" name="intent" value="resolve" />
            <button type="submit" className="rounded-md bg-gray-900 px-3 py-2 text-sm text-white hover:bg-gray-700">
              Mark resolved
            </button>
          </Form>
        )}
      </div>
      <dl className="mt-4 grid max-w-xl grid-cols-2 gap-2 text-sm">
        <dt className="text-gray-500">Started</dt>
        <dd>{utc(incident.startedAt)}</dd>
        <dt className="text-gray-500">Logged via</dt>
        <dd>{incident.source}</dd>
        <dt className="text-gray-500">AI attribution of the suspected lines</dt>
        <dd data-testid="incident-ai-attribution">{formatPercent(incident.aiAttribution, 0)}</dd>
      </dl>
      {incident.byTier.length > 0 ? (
        <Card className="mt-6">
          <Title>AI attribution by risk tier</Title>
          <Table className="mt-2" data-testid="incident-by-tier">
            <TableHead>
              <TableRow>
                <TableHeaderCell>Tier</TableHeaderCell>
                <TableHeaderCell className="text-right">Suspected lines</TableHeaderCell>
                <TableHeaderCell className="text-right">AI-written</TableHeaderCell>
                <TableHeaderCell className="text-right">Share</TableHeaderCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {incident.byTier.map((tier) => (
                <TableRow key={tier.tier}>
                  <TableCell>{TIER_LABELS[tier.tier]}</TableCell>
                  <TableCell className="text-right">{tier.lines}</TableCell>
                  <TableCell className="text-right">{tier.aiLines}</TableCell>
                  <TableCell className="text-right">{formatPercent(tier.lines > 0 ? (tier.aiLines / tier.lines) * 100 : null, 0)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      ) : null}
      {incident.description ? <p className="mt-4 max-w-3xl whitespace-pre-wrap text-sm text-gray-700">{incident.description}</p> : null}
      <Card className="mt-6">
        <Title>Suspected commits</Title>
        {incident.suspects.length === 0 ? (
          <p className="mt-2 text-sm text-gray-500">No commit is linked to this incident.</p>
        ) : (
          <Table className="mt-2">
            <TableHead>
              <TableRow>
                <TableHeaderCell>Commit</TableHeaderCell>
                <TableHeaderCell>Author</TableHeaderCell>
                <TableHeaderCell className="text-right">AI confidence</TableHeaderCell>
                <TableHeaderCell className="text-right">Lines added</TableHeaderCell>
                <TableHeaderCell>High-risk files</TableHeaderCell>
                <TableHeaderCell>Strongest signal</TableHeaderCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {incident.suspects.map((suspect) => (
                <TableRow key={suspect.sha} data-testid="suspect-row">
                  <TableCell className="max-w-sm truncate">
                    {suspect.eventId !== null ? (
                      <Link to={`/events/${suspect.eventId}`} className="text-blue-700 hover:underline">
                        <code>{suspect.sha.slice(0, 7)}</code> {suspect.messageHeadline}
                      </Link>
                    ) : (
                      <>
                        <code>{suspect.sha.slice(0, 7)}</code> {suspect.messageHeadline}
                      </>
                    )}
                  </TableCell>
                  <TableCell>{suspect.authorLogin ?? suspect.authorName ?? "—"}</TableCell>
                  <TableCell className="text-right">{formatConfidence(suspect.aiConfidence)}</TableCell>
                  <TableCell className="text-right">{suspect.linesAdded}</TableCell>
                  <TableCell className="max-w-xs truncate font-mono text-xs">{suspect.highRiskFiles.join(", ") || "—"}</TableCell>
                  <TableCell className="max-w-xs truncate text-xs" title={suspect.topSignal?.evidence}>
                    {suspect.topSignal ? `${signalLabel(suspect.topSignal.id)}: ${suspect.topSignal.evidence}` : "—"}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
    </AppShell>
  );
}
