import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, listFormatQuery } from "~/api/csv.server.ts";
import { parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { getDashboard } from "~/presenters/dashboard.server.ts";

/** GET /api/v1/repos?format — the key's organisation's active repositories with their last-90-day numbers. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const { format } = parseSearchParams(listFormatQuery, request);
  const now = context.services.clock.now();
  const dashboard = await getDashboard(context.services.db, orgId, now);
  if (format === "csv") return csvResponse("repos", dashboard.repositories, now);
  return Response.json({ data: dashboard.repositories, windowDays: dashboard.windowDays });
}
