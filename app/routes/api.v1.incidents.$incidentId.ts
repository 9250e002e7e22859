import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireApiKey } from "~/api/guard.server.ts";
import { getIncidentDetail } from "~/presenters/incidents.server.ts";

/** GET /api/v1/incidents/{id} — the incident with its suspected commits. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const incident = await getIncidentDetail(context.services.db, orgId, params.incidentId ?? "");
  if (!incident) throw notFound("incident");
  return Response.json({ data: incident });
}
