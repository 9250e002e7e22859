import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, listFormatQuery } from "~/api/csv.server.ts";
import { parseSearchParams, requireRepository } from "~/api/guard.server.ts";
import { getHighRiskFiles } from "~/presenters/repository.server.ts";

/** GET /api/v1/repos/{id}/high-risk-files?format — T3/T4 files changed by AI (confidence ≥ 0.5) in the last 90 days. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId, repository } = await requireRepository(request, context, params.repoId);
  const { format } = parseSearchParams(listFormatQuery, request);
  const now = context.services.clock.now();
  const data = await getHighRiskFiles(context.services.db, orgId, repository.id, { now });
  if (format === "csv") return csvResponse("high-risk-files", data, now);
  return Response.json({ repository, windowDays: 90, data });
}
