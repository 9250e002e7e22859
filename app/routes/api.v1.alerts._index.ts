import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, withListFormat } from "~/api/csv.server.ts";
import { parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { alertListQuery, getAlertSummary, listAlerts } from "~/presenters/alerts.server.ts";

const alertsQuery = withListFormat(alertListQuery);

/** GET /api/v1/alerts?status&severity&repo&limit&format — newest first, with the last 30 days' counts (JSON only). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const { format, ...query } = parseSearchParams(alertsQuery, request);
  const now = context.services.clock.now();
  const alerts = listAlerts(context.services.db, orgId, query);
  if (format === "csv") return csvResponse("alerts", await alerts, now);
  const [data, summary] = await Promise.all([alerts, getAlertSummary(context.services.db, orgId, now)]);
  return Response.json({ data, summary });
}
