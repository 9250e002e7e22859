import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, withListFormat } from "~/api/csv.server.ts";
import { apiError, methodNotAllowed, notFound, parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { getIncidentDetail, getSuspectCandidates, incidentListQuery, listIncidents } from "~/presenters/incidents.server.ts";
import { createIncident } from "../../application/incidents/create-incident.server.ts";

const incidentsQuery = withListFormat(incidentListQuery);

/** GET /api/v1/incidents?repo&status&limit&format — newest first, with the AI share of the suspected commits' lines. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const { format, ...query } = parseSearchParams(incidentsQuery, request);
  const data = await listIncidents(context.services.db, orgId, query);
  if (format === "csv") return csvResponse("incidents", data, context.services.clock.now());
  return Response.json({ data });
}

/** POST /api/v1/incidents — JSON body (createIncidentInput); 201 with the incident, or 400 with field errors. */
export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const { orgId } = await requireApiKey(request, context, "write", "create incidents");
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return apiError(400, "the body must be a JSON object", { request: "the body must be a JSON object" });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return apiError(400, "the body must be a JSON object", { request: "the body must be a JSON object" });
  }
  const input: Record<string, unknown> = { ...body, source: "api" };
  // No suspects given: Sentinel suggests them, as the form does (commits shipped by the last production
  // deployment(s) before the start that touch T3/T4 files). Candidates are read within the key's organisation.
  if (!("suspectedCommitShas" in input)) input.suspectedCommitShas = await suggestedSuspects(context, orgId, input);
  const result = await createIncident(context.services.db, orgId, input, null, { queue: context.services.queue });
  if (!result.ok) {
    // A repository of another organisation is indistinguishable from one that does not exist.
    if (result.code === "REPO_NOT_FOUND") return notFound("repository");
    return apiError(400, "invalid incident", result.fieldErrors);
  }
  const incident = await getIncidentDetail(context.services.db, orgId, result.incidentId);
  return Response.json({ data: incident }, { status: 201, headers: { Location: `/api/v1/incidents/${result.incidentId}` } });
}

async function suggestedSuspects(context: ActionFunctionArgs["context"], orgId: string, input: Record<string, unknown>): Promise<string[]> {
  const repoId = typeof input.repoId === "string" && /^[0-9a-f-]{36}$/i.test(input.repoId) ? input.repoId : null;
  const startedAt = typeof input.startedAt === "string" ? new Date(input.startedAt) : null;
  if (!repoId || !startedAt || Number.isNaN(startedAt.getTime())) return []; // createIncident reports the bad fields.
  const candidates = await getSuspectCandidates(context.services.db, orgId, repoId, startedAt);
  return candidates.filter((candidate) => candidate.suggested).map((candidate) => candidate.sha);
}
