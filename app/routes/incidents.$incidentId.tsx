import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { Breadcrumb } from "~/components/ui/Breadcrumb.tsx";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import { IntentButton } from "~/components/ui/IntentButton.tsx";
import { getIncidentDetail } from "~/presenters/incidents.server.ts";
import { resolveIncident } from "../../application/incidents/resolve-incident.server.ts";
import { formatFractionAsPercent, formatPercent } from "~/utils/format.ts";
import { Pill } from "~/components/Pill.tsx";
import { SEVERITY_TONES } from "~/utils/incidents.ts";
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

const SUSPECT_COLUMNS = ["Commit", "Author", right("AI confidence"), right("Lines added"), "High-risk files", "Strongest signal"];

const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

export default function IncidentPage() {
  const { user, org, incident } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user} org={org}>
      <Breadcrumb parent={{ to: "/incidents", label: "Incidents" }}>{incident.repoFullName}</Breadcrumb>
      <div className="mt-1 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">
          <Pill tone={SEVERITY_TONES[incident.severity] ?? "neutral"} className="mr-2 align-middle">
            {incident.severity}
          </Pill>
          {incident.title}
        </h1>
        {incident.resolvedAt ? (
          <span className="text-sm text-gray-600" data-testid="incident-status">
            Resolved {utc(incident.resolvedAt)}
          </span>
        ) : (
          <IntentButton intent="resolve" variant="primary" className="text-sm">
            Mark resolved
          </IntentButton>
        )}
      </div>
      <dl className="mt-4 grid max-w-xl grid-cols-2 gap-2 text-sm">
        <dt className="text-gray-500">Started</dt>
        <dd>{utc(incident.startedAt)}</dd>
        <dt className="text-gray-500">Logged via</dt>
        <dd>{incident.source}</dd>
        <dt className="text-gray-500">AI attribution of the suspected lines</dt>
        <dd data-testid="incident-ai-attribution">{formatFractionAsPercent(incident.aiAttribution, 0)}</dd>
      </dl>
      {incident.byTier.length > 0 ? (
        <Card className="mt-6">
          <Title>AI attribution by risk tier</Title>
          <DataTable className="mt-2" data-testid="incident-by-tier" columns={["Tier", right("Suspected lines"), right("AI-written"), right("Share")]}>
            {incident.byTier.map((tier) => (
              <TableRow key={tier.tier}>
                <TableCell>{TIER_LABELS[tier.tier]}</TableCell>
                <TableCell className="text-right">{tier.lines}</TableCell>
                <TableCell className="text-right">{tier.aiLines}</TableCell>
                <TableCell className="text-right">{formatPercent(tier.lines > 0 ? (tier.aiLines / tier.lines) * 100 : null, 0)}</TableCell>
              </TableRow>
            ))}
          </DataTable>
        </Card>
      ) : null}
      {incident.description ? <p className="mt-4 max-w-3xl whitespace-pre-wrap text-sm text-gray-700">{incident.description}</p> : null}
      <Card className="mt-6">
        <Title>Suspected commits</Title>
        {incident.suspects.length === 0 ? (
          <p className="mt-2 text-sm text-gray-500">No commit is linked to this incident.</p>
        ) : (
          <DataTable className="mt-2" columns={SUSPECT_COLUMNS}>
            {incident.suspects.map((suspect) => (
              <TableRow key={suspect.sha} data-testid="suspect-row">
                <TableCell className="min-w-[12rem] max-w-xs whitespace-normal break-words">
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
                <TableCell className="max-w-[14rem] whitespace-normal break-all font-mono text-xs">{suspect.highRiskFiles.join(", ") || "—"}</TableCell>
                <TableCell className="min-w-[10rem] max-w-xs whitespace-normal break-words text-xs">
                  {suspect.topSignal ? `${signalLabel(suspect.topSignal.id)}: ${suspect.topSignal.evidence}` : "—"}
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </Card>
    </AppShell>
  );
}
